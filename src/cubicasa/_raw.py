"""`client.with_raw_response`: any call's HTTP answer beside its result. A `RawResponse` holds the
status, headers, request ID, time and retries of the answer; `.parse()` gives what the call
would have returned."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import httpx

from ._redact import redacted_errors

T = TypeVar("T")


class RawResponse(Generic[T]):
    """The answer of one call, read: `status_code`, `headers`, `request_id`, `elapsed` (the
    last try's time), `retries` (tries before it), and `.parse()` for the usual result."""

    def __init__(
        self,
        response: httpx.Response,
        parse: Callable[[], T],
        request_id: str | None,
        retries: int,
        elapsed: datetime.timedelta | None = None,
    ) -> None:
        self.http_response = response
        """The `httpx.Response` (its request's `api-key` header is the client's key)."""
        self.status_code = response.status_code
        self.headers = response.headers
        self.request_id = request_id
        """From the first of the headers in `_base_client.REQUEST_ID_HEADERS` present."""
        self.retries = retries
        self.elapsed = _elapsed(response) if elapsed is None else elapsed
        self._parse = parse

    def parse(self) -> T:
        """What the call returns without `with_raw_response` (a model, a page, bytes, a path)."""
        return self._parse()

    def __repr__(self) -> str:
        return (
            f"<RawResponse {self.status_code} request_id={self.request_id!r} "
            f"retries={self.retries}>"
        )


class RawResponses:
    """`client.with_raw_response`: the client's API areas, each method returning a
    `RawResponse` (awaitable on the async client) instead of its result; list methods give the
    first page's answer, whose `.parse()` is the page."""

    def __init__(self, client: Any, areas: frozenset[str]) -> None:
        self._client = client
        self._areas = areas

    def __getattr__(self, name: str) -> Any:
        if name not in self._areas:
            raise AttributeError(f"with_raw_response has no area {name!r}")
        return getattr(self._client, name)

    def __dir__(self) -> list[str]:
        return sorted(self._areas)


def _elapsed(response: httpx.Response) -> datetime.timedelta:
    try:
        return response.elapsed
    except RuntimeError:  # httpx sets it when the body is closed
        return datetime.timedelta(0)


def parsed(parse: Callable[[httpx.Response, Any], T], response: httpx.Response, value: Any) -> T:
    """`RawResponse.parse()` of a call: the parse it would have made, its errors without the
    key."""
    with redacted_errors(response.request):
        return parse(response, value)


def returning(value: T) -> T:
    """`RawResponse.parse()` of a download: the path it saved to."""
    return value
