"""OpenTelemetry spans, one per call and one per try, when `opentelemetry-api` is installed (the
`[otel]` extra); without it nothing of OpenTelemetry is imported and `tracer()` is None."""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Iterator
from typing import Any

_UNSET: Any = object()
_tracer: Any = _UNSET


def tracer() -> Any:
    """The `cubicasa` tracer, or None when opentelemetry-api is not installed (looked up once)."""
    global _tracer
    if _tracer is _UNSET:
        try:
            found = importlib.util.find_spec("opentelemetry.trace") is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            _tracer = None
        else:
            from opentelemetry import trace

            from ._version import __version__

            _tracer = trace.get_tracer("cubicasa", __version__)
    return _tracer


@contextlib.contextmanager
def span(name: str, **attributes: Any) -> Iterator[Any]:
    """A client span named `name` (current while it runs), or None without OpenTelemetry. An
    exception leaving it is recorded on it and sets its status to error (OpenTelemetry's own
    behaviour)."""
    found = tracer()
    if found is None:
        yield None
        return
    from opentelemetry.trace import SpanKind

    with found.start_as_current_span(name, kind=SpanKind.CLIENT, attributes=attributes) as one:
        yield one
