"""How one call becomes a model or an error: the response hook that raises for 4xx/5xx, the
translation of httpx's errors, and the checks on what a generated parser returns."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import httpx

from .errors import APIConnectionError, APITimeoutError, ResponseValidationError, error_for_response

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
    if response.status_code >= 400:
        response.read()
        raise error_for_response(response)


async def araise_for_status(response: httpx.Response) -> None:
    _remember(response)
    if response.status_code >= 400:
        await response.aread()
        raise error_for_response(response)


@contextmanager
def translate_errors() -> Iterator[list[httpx.Response]]:
    """httpx's request errors as ours, and the responses seen, for quoting a bad body."""
    seen: list[httpx.Response] = []
    token = _responses.set(seen)
    try:
        yield seen
    except httpx.TimeoutException as exc:
        raise APITimeoutError(f"Request timed out: {exc}", request=_request_of(exc)) from exc
    except httpx.RequestError as exc:
        raise APIConnectionError(
            f"Connection error: {type(exc).__name__}: {exc}", request=_request_of(exc)
        ) from exc
    finally:
        _responses.reset(token)


def _request_of(exc: httpx.RequestError) -> httpx.Request | None:
    try:
        return exc.request
    except RuntimeError:
        return None


# What a generated parser raises on a body that does not fit its model.
SHAPE_ERRORS = (ValueError, KeyError, TypeError, AttributeError)


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
