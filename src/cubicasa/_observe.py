"""What a user's code sees of each try: the `on_request` / `on_response` hooks get copies with
the key shown as `***`, and, when `opentelemetry-api` is installed (the `[otel]` extra) and the
application set a tracer provider, a span per call and per try. Without the extra nothing of
OpenTelemetry is imported and `otel()` is None."""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Iterator
from typing import Any

import httpx

from ._redact import REDACTED

_UNSET: Any = object()
_otel: Any = _UNSET


def otel() -> Any:
    """The `opentelemetry.trace` module, or None when opentelemetry-api is not installed
    (looked up once, at the first client)."""
    global _otel
    if _otel is _UNSET:
        try:
            found = importlib.util.find_spec("opentelemetry.trace") is not None
        except ModuleNotFoundError:
            found = False
        if found:
            from opentelemetry import trace

            _otel = trace
        else:
            _otel = None
    return _otel


def recording(trace: Any) -> bool:
    """Whether the application set a tracer provider (an SDK). Without one OpenTelemetry's spans
    record nothing, so none are made: a call costs no more than without the extra."""
    return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


@contextlib.contextmanager
def _span(trace: Any, name: str, attributes: dict[str, Any]) -> Iterator[Any]:
    """A client span named `name`, current while it runs. An exception leaving it is recorded on
    it and sets its status to error (OpenTelemetry's own behaviour)."""
    from ._version import __version__

    tracer = trace.get_tracer("cubicasa", __version__)
    kind = trace.SpanKind.CLIENT
    with tracer.start_as_current_span(name, kind=kind, attributes=attributes) as one:
        yield one


def call_span(trace: Any, operation: str | None, request: httpx.Request) -> Any:
    """The span of one call (`cubicasa getOrder`), its tries inside it."""
    attributes = {"cubicasa.operation_id": operation or "", "http.request.method": request.method}
    return _span(trace, f"cubicasa {operation or request.method}", attributes)


def try_span(trace: Any, attempt: int) -> Any:
    return _span(trace, "cubicasa try", {"cubicasa.try": attempt + 1})


def describe_call(
    traced: Any, response: httpx.Response, attempt: int, request_id: str | None
) -> None:
    traced.set_attribute("http.response.status_code", response.status_code)
    traced.set_attribute("cubicasa.retries", attempt)
    if request_id is not None:
        traced.set_attribute("cubicasa.request_id", request_id)


def describe_try(traced: Any, outcome: httpx.Response | Exception) -> None:
    if isinstance(outcome, httpx.Response):
        traced.set_attribute("http.response.status_code", outcome.status_code)
    else:
        traced.set_attribute("error.type", type(outcome).__name__)


def redacted(request: httpx.Request) -> httpx.Request:
    """A copy of `request` for a hook, its `api-key` header shown as `***`."""
    headers = [
        (name, REDACTED if name.lower() == "api-key" else value)
        for name, value in request.headers.multi_items()
    ]
    try:
        content: bytes | None = request.content
    except httpx.RequestNotRead:
        content = None
    copy = httpx.Request(request.method, request.url, headers=headers, content=content)
    copy.extensions = dict(request.extensions)
    return copy


def redacted_response(response: httpx.Response) -> httpx.Response:
    """A copy of `response` for a hook: its read body (a streamed download's is not read yet)
    and headers, and the request with the key shown as `***`."""
    try:
        content: bytes = response.content
    except httpx.ResponseNotRead:
        content = b""
    return httpx.Response(
        response.status_code,
        headers=response.headers.multi_items(),
        content=content,
        request=redacted(response.request),
        extensions=dict(response.extensions),
    )
