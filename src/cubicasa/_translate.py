"""How an answer is translated into ours, a model or an error: the response hook that raises for
4xx/5xx, the translation of httpx's errors, and the checks on what a generated parser returns."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import httpx

from ._body import TRIES
from .errors import (
    REDACTED,
    APIConnectionError,
    APITimeoutError,
    CubiCasaError,
    ResponseValidationError,
    error_for_response,
    key_of,
    scrub,
)

T = TypeVar("T")

# The responses seen by the generated call running in this thread or task, so that a body the
# generated parser chokes on can be quoted in a ResponseValidationError.
_responses: ContextVar[list[httpx.Response] | None] = ContextVar("cubicasa_responses", default=None)


def _remember(response: httpx.Response) -> None:
    seen = _responses.get()
    if seen is not None:
        seen.append(response)


def raise_for_status(response: httpx.Response) -> None:
    _remember(response)
    if response.status_code >= 300:  # a redirect is not followed: the key would travel with it
        response.read()
        raise error_for_response(response)


async def araise_for_status(response: httpx.Response) -> None:
    _remember(response)
    if response.status_code >= 300:
        await response.aread()
        raise error_for_response(response)


def check_open(http: httpx.Client | httpx.AsyncClient) -> None:
    if http.is_closed:
        raise CubiCasaError(
            "This client is closed: make a new one (or keep using it inside its `with` block)."
        )


@contextmanager
def translate_errors() -> Iterator[list[httpx.Response]]:
    """httpx's request errors as ours, and the responses seen, for quoting a bad body. Every
    error leaving here is scrubbed of the API key (see `redact`)."""
    seen: list[httpx.Response] = []
    token = _responses.set(seen)
    try:
        yield seen
    except httpx.RequestError as exc:
        request = _request_of(exc)
        kind = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        error = kind(_connection_message(exc, request), request=request)
        raise redact(error, request, exc) from exc
    except CubiCasaError as exc:
        redact(exc, _carried_request(exc), exc.__cause__)
        raise
    except RecursionError as exc:  # a body nested too deeply, met outside the parsers we guard
        deep = CubiCasaError("The answer is nested too deeply to read (RecursionError).")
        raise redact(deep, seen[-1].request if seen else None) from exc
    finally:
        _responses.reset(token)


def _request_of(exc: httpx.RequestError) -> httpx.Request | None:
    try:
        return exc.request
    except RuntimeError:
        return None


def _carried_request(exc: CubiCasaError) -> httpx.Request | None:
    request = getattr(exc, "request", None)
    if request is None:
        response = getattr(exc, "response", None)
        request = getattr(response, "request", None)
    return request if isinstance(request, httpx.Request) else None


def _connection_message(exc: httpx.RequestError, request: httpx.Request | None) -> str:
    what = "Timed out" if isinstance(exc, httpx.TimeoutException) else "Connection failed"
    if request is None:
        return f"{what}: {type(exc).__name__}: {exc}"
    tries = request.extensions.get(TRIES, 1)
    where = f"{request.method} {request.url.copy_with(query=None)}"
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return (
        f"{what}: {where} after {tries} {'try' if tries == 1 else 'tries'} "
        f"({_timeouts(request)}): {detail}"
    )


def _timeouts(request: httpx.Request) -> str:
    timeouts = request.extensions.get("timeout") or {}
    read, connect = timeouts.get("read"), timeouts.get("connect")
    if read is None and connect is None:
        return "no timeout"
    text = "no time limit a try" if read is None else f"timeout {read:g} s a try"
    return text + ("" if connect in (None, read) else f", {connect:g} s to connect")


def redact(
    exc: CubiCasaError, request: httpx.Request | None, cause: BaseException | None = None
) -> CubiCasaError:
    """`exc` with the API key (in every form `errors.key_forms` lists) replaced by `***` in its
    message and public attributes, and in the `api-key` header of the request it carries (that
    request is finished: nothing resends it). The error constructors scrub what they quote
    already; this is the net for every other error. A server or proxy may echo request headers
    back into an error page."""
    key = key_of(request)
    if request is None or key is None:
        return exc
    request.headers["api-key"] = REDACTED
    exc.args = tuple(scrub(arg, key) for arg in exc.args)
    for name in ("body", "text", "errors", "request_id"):
        if hasattr(exc, name):
            setattr(exc, name, scrub(getattr(exc, name), key))
    if cause is not None:
        cause.args = tuple(scrub(arg, key) for arg in cause.args)
    return exc


# What a generated parser raises on a body that does not fit its model (RecursionError: a body
# such as 100,000 `[`, which json cannot parse).
SHAPE_ERRORS = (ValueError, KeyError, TypeError, AttributeError, RecursionError)


def shape_error(seen: list[httpx.Response], exc: Exception) -> Exception:
    if not seen:
        return exc  # raised before anything was sent: the caller's arguments, not the answer
    from cubicasa_api.types import ShapeError  # here: import cubicasa stays light

    if isinstance(exc, ShapeError):  # names the operation and the field: "getOrder: /id is null..."
        return ResponseValidationError(seen[-1], str(exc))
    return ResponseValidationError(seen[-1], f"{type(exc).__name__}: {exc}")


def model_from(detailed: Any, expected: type[T], seen: list[httpx.Response]) -> T:
    """The generated `Response.parsed` when it is the expected model, else parse it ourselves
    (a 2xx code the spec does not list is parsed by the generator as an error body)."""
    if isinstance(detailed.parsed, expected):
        return detailed.parsed
    try:
        result: T = expected.from_dict(json.loads(detailed.content))  # type: ignore[attr-defined]
    except SHAPE_ERRORS as exc:
        raise shape_error(seen, exc) from exc
    return result


def pdf_from(detailed: Any, seen: list[httpx.Response]) -> bytes:
    content: bytes = detailed.content
    if not content.startswith(b"%PDF-"):
        raise ResponseValidationError(seen[-1], "expected a PDF document")
    return content
