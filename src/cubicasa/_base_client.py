"""The one request loop. Every API call, raw `request()`, page and download goes through
`AsyncAPIClient._request`, which reads top to bottom: build the request -> one try under its
deadline with the body read (capped), the hooks told -> the retry decision (`_retry`) -> the
status error -> the conformance check -> parse (or the raw answer) -> redact (on the way out, for
every error). With opentelemetry-api installed, and a tracer provider
set, each call and each try is a span (`_observe`).

Written once, async; `scripts/unasync.py` (`make generate`) writes the sync twin to
`_sync/_base_client.py`. Resources call `_call(Model, op._get_kwargs, ...)` with the generated
operation's own request builder, so mypy checks every argument against the generated signature.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import httpx

from . import _forks, _observe, _retry
from ._body import aread_body, streamed
from ._download import CHUNK_SIZE, Progress, Sink, pdf_from, streamed_request, target_of
from ._httpx_reach import try_deadline
from ._network import carrying, connection_error
from ._raw import RawResponse, parsed, returning
from ._redact import key_of, redact, scrub
from ._retry import RetryStats
from ._settings import ClientOptions, shown_origin
from .conformance._spec import ANSWERS_ITS_ID, checker, wrong_id
from .errors import (
    MAX_ERROR_BODY_PARSED,
    CubiCasaError,
    error_for_response,
    shape_error,
)
from .pagination import AsyncPager, Listing, Page

if TYPE_CHECKING:
    from cubicasa_api.types import Unset

__all__ = ["AsyncAPIClient", "AsyncAPIResource", "RetryStats"]

T = TypeVar("T")
P = ParamSpec("P")

logger = logging.getLogger("cubicasa")

# Without a read timeout, a download's rate is still checked over windows of this many seconds.
DEFAULT_WINDOW = 60.0
# What a generated parser raises on a body that does not fit its model (RecursionError: a body
# such as 100,000 `[`, which json cannot parse).
SHAPE_ERRORS = (ValueError, KeyError, TypeError, AttributeError, RecursionError)
_UNREAD: Any = object()  # the body was not decoded (yet)
# Answers that have no body whatever their headers say (RFC 9110, 6.4.1), so bytes a server sends
# after one are not read with it.
BODILESS = frozenset({204, 304})


def operation_of(build: Callable[..., Any]) -> str:
    """The operationId of a generated `_get_kwargs` (or a `partial` of one)."""
    module = sys.modules[getattr(build, "func", build).__module__]
    operation_id: str = module.OPERATION_ID
    return operation_id


class AsyncAPIClient:
    """What every call of a client shares: its options, its httpx client, and the loop."""

    _options: ClientOptions
    _http: httpx.AsyncClient
    _inner: httpx.AsyncBaseTransport
    _stats: RetryStats
    _new_transport: Callable[[], httpx.AsyncBaseTransport] | None  # None: a caller's client

    def _setup(
        self, inner: httpx.AsyncBaseTransport, stats: RetryStats, *, owns_transport: bool
    ) -> None:
        options = self._options
        self._inner = inner
        self._stats = stats
        self._owns_transport = owns_transport
        self._generation = _forks.generation
        self._otel = _observe.otel()
        self._http = httpx.AsyncClient(
            base_url=options.base_url,
            headers=options.headers,
            timeout=options.timeout,
            transport=inner if owns_transport else _Shared(inner),
        )

    def _rate_limited_count(self) -> int:
        """How many 429 answers this client's connections have had (the pagers slow down)."""
        return self._stats.rate_limited

    def _check_open(self) -> None:
        if self._http.is_closed:
            raise CubiCasaError(
                "This client is closed: make a new one (or keep using it inside its `with` block)."
            )
        if self._generation != _forks.generation:
            self._reconnect()

    def _reconnect(self) -> None:
        """In a forked child: own pools; the parent's connections are neither used nor closed."""
        self._generation = _forks.generation
        if self._new_transport is not None:  # a caller's http_client is theirs to manage
            self._setup(self._new_transport(), self._stats, owns_transport=True)

    # -- the entry points: each builds its request, then runs the loop ----------------------

    async def _call(
        self,
        expected: type[T],
        build: Callable[P, dict[str, Any]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """One API operation: `build` is the generated `_get_kwargs`; returns the `expected`
        model of its 2xx answer, or raises."""
        operation = operation_of(build)
        parse = partial(model_from, expected, operation)
        asked = ANSWERS_ITS_ID.get(operation)
        if asked is not None:
            parse = partial(self._same_id, parse, operation, kwargs[asked])
        return await self._request(operation, build(*args, **kwargs), parse)  # type: ignore[no-any-return]

    async def _call_pdf(
        self, build: Callable[P, dict[str, Any]], *args: P.args, **kwargs: P.kwargs
    ) -> bytes:
        """One API operation whose answer is a PDF, read into memory."""
        return await self._request(operation_of(build), build(*args, **kwargs), pdf_from)  # type: ignore[no-any-return]

    async def _call_raw(self, request: dict[str, Any]) -> httpx.Response:
        """Any path (`request()`): the read 2xx `httpx.Response`."""
        return await self._request(None, request, raw)  # type: ignore[no-any-return]

    def _pager(
        self,
        expected: type[Listing[T]],
        build: Callable[..., dict[str, Any]],
        page_size: int | None,
        max_items: int | None,
        concurrency: int | None,
        label: str,
    ) -> AsyncPager[T]:
        """A pager over a list operation: each page is one `_call` of `build` (a `partial` of the
        generated `_get_kwargs` holding the filters) at the offset given."""
        if self._options.raw:  # the first page's RawResponse (awaitable on the async client)
            first: Any = self._call(expected, build, offset=0, limit=_opt(page_size))
            return first  # type: ignore[no-any-return]

        async def fetch(offset: int, limit: int | None) -> Page[T]:
            page = await self._call(expected, build, offset=offset, limit=_opt(limit))
            return Page.of(page, offset)

        filters = getattr(build, "keywords", {})
        return AsyncPager(
            fetch,
            page_size=page_size,
            max_items=max_items,
            concurrency=concurrency,
            rate_limited=self._rate_limited_count,
            label=label,
            params={k: v for k, v in filters.items() if not _unset(v)},
        )

    async def _download(
        self,
        build: Callable[P, dict[str, Any]],
        path: str | os.PathLike[str],
        progress: Progress | None,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Path:
        """Stream a PDF answer to `path` (see `_download.Sink`). A body that breaks off is sent
        for again as the retry policy decides, counting every try against the same budget."""
        self._check_open()
        operation = operation_of(build)
        # The request first: an argument it refuses (an ID of dots) leaves no file behind.
        request = self._build(streamed_request(build(*args, **kwargs)))
        sink = Sink(target_of(path), progress)
        attempt = 0
        try:
            while True:
                started = time.perf_counter()
                response, attempt = await self._send(request, operation, attempt, True)
                try:
                    self._conform(operation, response, False)
                    sink.start(response)
                    async for chunk in response.aiter_bytes(CHUNK_SIZE):
                        sink.write(chunk)
                    saved = sink.finish()
                    if self._options.raw:
                        took = datetime.timedelta(seconds=time.perf_counter() - started)
                        found = request_id_of(response)
                        return RawResponse(
                            response, partial(returning, saved), found, attempt, took
                        )  # type: ignore[return-value]
                    return saved
                except httpx.TransportError as exc:
                    decision = _retry.decide(self._options.retry, "GET", attempt, exc)
                    if not decision.retry:
                        raise connection_error(
                            exc, request, attempt + 1, self._options.network
                        ) from exc
                finally:
                    await response.aclose()
                sink.restart()
                _retry.log_retry(request, decision)
                await _retry.asleep(decision.delay)
                attempt += 1
        except CubiCasaError as exc:
            sink.discard()
            redact(exc, request, exc.__cause__)
            raise
        except BaseException:
            sink.discard()
            raise

    # -- the loop ----------------------------------------------------------------------------

    async def _request(
        self,
        operation: str | None,
        kwargs: dict[str, Any],
        parse: Callable[[httpx.Response, Any], Any],
    ) -> Any:
        """Build, send (retrying as the policy decides), raise for the status, check
        conformance, parse: in that order. Every error leaving here is ours, without the key."""
        self._check_open()
        request = self._build(kwargs)
        tracing = self._otel is not None and _observe.recording(self._otel)
        call = _observe.call_span(self._otel, operation, request) if tracing else nullcontext()
        with call as traced:
            try:
                response, attempt = await self._send(request, operation, 0, False)
                if traced is not None:
                    _observe.describe_call(traced, response, attempt, request_id_of(response))
                value = self._conform(operation, response, parse is not raw)
                if self._options.raw:
                    later = partial(parsed, parse, response, value)
                    return RawResponse(response, later, request_id_of(response), attempt)
                return parse(response, value)
            except CubiCasaError as exc:
                redact(exc, request, exc.__cause__)
                raise
            except RecursionError as exc:  # nested too deeply, met outside the guarded parsers
                deep = CubiCasaError("The answer is nested too deeply to read (RecursionError).")
                raise redact(deep, request) from exc

    def _build(self, kwargs: dict[str, Any]) -> httpx.Request:
        """The request, with the key in its `api-key` header: to the base URL's origin only."""
        request = self._http.build_request(**kwargs)
        url = request.url
        if (url.scheme, url.host, url.port) != self._options.origin:
            raise CubiCasaError(
                f"Refusing to send the API key to {shown_origin(url)}: "
                "it goes only to the base URL's origin."
            )
        options = self._options
        if options.extra_headers:
            request.headers.update(options.extra_headers)
        if options.extra_query:
            request.url = request.url.copy_merge_params(options.extra_query)
        request.headers["api-key"] = options.api_key  # last: nothing else sets it
        return request

    async def _send(
        self, request: httpx.Request, operation: str | None, attempt: int, stream: bool
    ) -> tuple[httpx.Response, int]:
        """The answer of the last try (from try number `attempt` on) and that try's number;
        raises its status error, after the conformance check of an error answer."""
        policy = self._options.retry
        while True:
            outcome = await self._try(request, attempt, stream)
            decision = _retry.decide(policy, request.method, attempt, outcome)
            if isinstance(outcome, httpx.Response) and outcome.status_code == 429:
                self._stats.rate_limited += 1
            if not decision.retry:
                break
            if isinstance(outcome, httpx.Response):
                await outcome.aclose()
            del outcome  # the next try's body must not meet this one's in memory
            _retry.log_retry(request, decision)
            await _retry.asleep(decision.delay)
            attempt += 1
        if isinstance(outcome, Exception):
            raise connection_error(
                outcome, request, attempt + 1, self._options.network
            ) from outcome
        if outcome.status_code >= 300:  # a redirect is not followed: the key would travel with it
            error = error_for_response(outcome)
            self._conform(operation, outcome, False)
            raise error
        return outcome, attempt

    async def _try(
        self, request: httpx.Request, attempt: int, stream: bool
    ) -> httpx.Response | httpx.RequestError:
        """One try, its body read (decoded, capped) before the deadline; a download's 2xx body
        streams instead. A transport error is returned, for the retry decision. The hooks see
        the request before it goes and the answer once read, the key shown as `***`."""
        options = self._options
        if options.on_request is not None:
            options.on_request(_observe.redacted(request))
        if self._otel is None or not _observe.recording(self._otel):
            outcome = await self._one_try(request, attempt, stream)
        else:
            with _observe.try_span(self._otel, attempt) as one:
                outcome = await self._one_try(request, attempt, stream)
                _observe.describe_try(one, outcome)
        if options.on_response is not None and isinstance(outcome, httpx.Response):
            options.on_response(_observe.redacted_response(outcome))
        return outcome

    async def _one_try(
        self, request: httpx.Request, attempt: int, stream: bool
    ) -> httpx.Response | httpx.RequestError:
        options = self._options
        seconds = _try_seconds(request)
        deadline = None if seconds is None else time.monotonic() + seconds
        started = time.perf_counter()
        token = try_deadline.set(deadline)
        try:
            response = await self._http.send(request, stream=True)
            if response.status_code in BODILESS or request.method == "HEAD":
                await _drop_connection(response)
            if stream and response.is_success:
                window = request.extensions.get("timeout", {}).get("read") or DEFAULT_WINDOW
                cap, rate = options.max_response_bytes, options.min_download_rate
                response = streamed(response, request, cap, rate, window)
            else:
                cap = options.max_response_bytes
                response = await aread_body(response, request, cap, deadline)
                await response.aread()  # the body read above, now held by the response
        except httpx.RequestError as exc:
            _log_try(request, type(exc).__name__, started, attempt)
            return carrying(exc, request)
        finally:
            try_deadline.reset(token)
        _log_try(request, str(response.status_code), started, attempt)
        return response

    def _same_id(
        self,
        parse: Callable[[httpx.Response, Any], Any],
        operation: str,
        wanted: object,
        response: httpx.Response,
        value: Any,
    ) -> Any:
        """`parse`, then a finding (an error in strict mode) when the answer's `id` is not the
        one asked for: it is about another object than the caller asked for."""
        model = parse(response, value)
        conformance = self._options.conformance
        # The JSON's `id`, not the model's: reading a deviant model's odd `id` would raise, and a
        # missing or mistyped `id` is a finding of its own already.
        sent = value.get("id") if isinstance(value, dict) else None
        if conformance.mode != "off" and isinstance(sent, str) and sent != wanted:
            conformance.note(wrong_id(operation), response)
        return model

    def _conform(self, operation: str | None, response: httpx.Response, decode: bool) -> Any:
        """The answer checked against the spec (a finding is logged, or raised in strict mode),
        and its JSON body decoded once for the parse too (when `decode`)."""
        conformance = self._options.conformance
        if conformance.mode == "off":
            return _UNREAD
        if operation is None:
            operation = conformance.operation_for(response.request)
            if operation is None:
                return _UNREAD
        spec = checker()
        content_type = response.headers.get("content-type")
        body: Any = b""
        value = _UNREAD
        if spec.reads_body(operation, response.status_code, content_type):
            if not response.is_success and len(response.content) > MAX_ERROR_BODY_PARSED:
                return _UNREAD  # the error is quoted from its start unparsed (`errors`): no check
            body = response.content
            try:
                value = body = json.loads(body)
            except (ValueError, RecursionError):
                value = _UNREAD  # reported as invalid_json
        parsed = value is not _UNREAD
        result = spec.check(operation, response.status_code, content_type, body, parsed=parsed)
        if result.run.raw:
            conformance.note(result, response)
        return value if decode else _UNREAD


class AsyncAPIResource:
    """An API area of a client (`client.orders`): holds the client it calls through."""

    area = ""  # where the resource hangs on the client, when not its class name

    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client


class _Shared(httpx.AsyncBaseTransport):
    """A transport a `with_options` copy sends through without owning it (closing the copy
    leaves the original's connections open)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)


# -- parse: the 2xx answer as what the caller asked for ---------------------------------------


def model_from(expected: type[T], operation: str, response: httpx.Response, value: Any) -> T:
    """The `expected` model (generated) of a 2xx JSON answer of `operation`."""
    try:
        if value is _UNREAD:
            value = json.loads(response.content)
        result: T = expected.from_dict(value)  # type: ignore[attr-defined]
    except SHAPE_ERRORS as exc:
        raise shape_error(response, exc, operation) from exc
    from cubicasa_api.types import mark_operation  # here: import cubicasa stays light

    mark_operation(result, operation)  # a deviant answer's field errors name the operation
    result._request_id = request_id_of(response)  # type: ignore[attr-defined]
    return result


# Where an API gateway puts the ID of a request, first found wins. CubiCasa documents none
# (REFERENCE.md: "request IDs: nothing found"); these are the common ones of gateways and CDNs.
REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "x-correlation-id")


def request_id_of(response: httpx.Response) -> str | None:
    """The request ID an answer carries (on models as `_request_id`), or None; a server echoing
    the key there gets `***` (the ID reaches reprs, logs and traces)."""
    headers = response.headers
    found = next((headers[name] for name in REQUEST_ID_HEADERS if headers.get(name)), None)
    if found is None:
        return None
    scrubbed: str = scrub(found, key_of(response.request))
    return scrubbed


def raw(response: httpx.Response, value: Any) -> httpx.Response:
    return response


def _unset(value: Any) -> bool:
    from cubicasa_api.types import Unset

    return isinstance(value, Unset)


def _opt(limit: int | None) -> int | Unset:
    from cubicasa_api.types import UNSET

    return UNSET if limit is None else limit


# -- errors without an answer (what they say: `_network.connection_error`), and the log -----


async def _drop_connection(response: httpx.Response) -> None:
    """Close the connection `response` came on, so that the pool never reuses it: bytes a server
    sent after a bodiless answer (a 204 or 304 with a body) would otherwise be read as the next
    request's answer on it. (The pool drops a connection whose stream is closed.)"""
    stream = response.extensions.get("network_stream")
    if stream is not None:
        await stream.aclose()


def _try_seconds(request: httpx.Request) -> float | None:
    """The longest of the request's timeouts: the wall-clock budget of one try (None: none)."""
    timeouts = request.extensions.get("timeout") or {}
    values = [v for v in timeouts.values() if v is not None]
    return max(values) if values else None


def _log_try(request: httpx.Request, outcome: str, started: float, attempt: int) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        ms = (time.perf_counter() - started) * 1000
        logger.debug(
            "%s %s -> %s in %.0f ms (try %d)", request.method, request.url, outcome, ms, attempt + 1
        )
