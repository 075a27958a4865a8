"""Retries and request logging as httpx transports wrapped around the one that sends.

The judgement (what to retry, how long to wait) is in `_retry`, the limits on one try in
`_deadlines` (deadline) and `_body` (decoded size, download rate); these classes only send, read,
log and sleep.
`sleep` and `asleep` are module attributes so tests can make retries instant.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx

from ._body import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MIN_DOWNLOAD_RATE,
    STREAMED,
    TRIES,
    aread_body,
    read_body,
    streamed,
)
from ._deadlines import DeadlineScope, try_seconds
from ._retry import Decision, RetryPolicy, decide_after_error, decide_after_status

logger = logging.getLogger("cubicasa")

sleep = time.sleep


async def asleep(seconds: float) -> None:
    import asyncio  # here, not at the top: `import cubicasa` stays light

    await asyncio.sleep(seconds)


class RetryStats:
    """Counts shared by a client's transports; the concurrent pager reads `rate_limited`."""

    def __init__(self) -> None:
        self.rate_limited = 0


@dataclass(frozen=True)
class Limits:
    """What one client allows a response: see `CubiCasa` for each."""

    max_response_bytes: int
    min_download_rate: float


DEFAULT_LIMITS = Limits(DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MIN_DOWNLOAD_RATE)
# Without a read timeout, a download's rate is still checked over windows of this many seconds.
DEFAULT_WINDOW = 60.0


class _Try:
    """One try's clock: its deadline (set for the network code it runs), and what to do with
    the response once its headers are in."""

    def __init__(
        self, request: httpx.Request, limits: Limits, policy: RetryPolicy, attempt: int
    ) -> None:
        request.extensions[TRIES] = attempt + 1
        self.request = request
        self.limits = limits
        self.policy = policy
        self.seconds = try_seconds(request)
        self.scope = DeadlineScope(self.seconds)
        self.started = time.perf_counter()

    def streams(self, response: httpx.Response) -> bool:
        # A download's 2xx body streams to disk; every other body is read inside the try, so a
        # cut or a timeout mid-body is a transport error the retry policy sees.
        return bool(self.request.extensions.get(STREAMED)) and response.is_success

    def stream(self, response: httpx.Response) -> httpx.Response:
        window = self.request.extensions.get("timeout", {}).get("read") or DEFAULT_WINDOW
        limits = self.limits
        return streamed(
            response,
            self.request,
            limits.max_response_bytes,
            limits.min_download_rate,
            window,
            self.policy,
        )

    def log(self, outcome: str, attempt: int) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            ms = (time.perf_counter() - self.started) * 1000
            request = self.request
            logger.debug(
                "%s %s -> %s in %.0f ms (try %d)",
                request.method,
                request.url,
                outcome,
                ms,
                attempt + 1,
            )


def _log_retry(request: httpx.Request, decision: Decision) -> None:
    logger.info(
        "retrying %s %s in %.2f s (%s)",
        request.method,
        request.url.copy_with(query=None),
        decision.delay,
        decision.reason,
    )


class _Retrying:
    """What both twins share: their settings, and the decision after an answer."""

    def __init__(
        self,
        policy: RetryPolicy,
        stats: RetryStats | None,
        limits: Limits,
        close_inner: bool,
    ) -> None:
        self.policy = policy
        self.stats = stats or RetryStats()
        self.limits = limits
        self._close_inner = close_inner

    def _after(self, request: httpx.Request, attempt: int, response: httpx.Response) -> Decision:
        if response.status_code == 429:
            self.stats.rate_limited += 1
        return decide_after_status(
            self.policy, request.method, attempt, response.status_code, response.headers
        )


class RetryTransport(_Retrying, httpx.BaseTransport):
    """Sends through `inner`, retrying as `policy` decides; each try has a wall-clock deadline
    and reads its body (decoded, capped) before it counts as done."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        policy: RetryPolicy,
        stats: RetryStats | None = None,
        limits: Limits = DEFAULT_LIMITS,
        *,
        close_inner: bool = True,
    ) -> None:
        super().__init__(policy, stats, limits, close_inner)
        self._inner = inner

    def _one_try(self, attempt: int, request: httpx.Request) -> httpx.Response:
        one = _Try(request, self.limits, self.policy, attempt)
        try:
            with one.scope:
                response = self._inner.handle_request(request)
                if one.streams(response):
                    response = one.stream(response)
                else:
                    response = read_body(
                        response, request, self.limits.max_response_bytes, one.scope
                    )
        except httpx.TransportError as exc:
            one.log(type(exc).__name__, attempt)
            raise
        one.log(str(response.status_code), attempt)
        return response

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = self._one_try(attempt, request)
            except httpx.TransportError as exc:
                decision = decide_after_error(self.policy, request.method, attempt, exc)
                if not decision.retry:
                    raise
            else:
                decision = self._after(request, attempt, response)
                if not decision.retry:
                    return response
                response.close()
                del response  # the next try's body must not meet this one's in memory
            _log_retry(request, decision)
            sleep(decision.delay)
            attempt += 1

    def close(self) -> None:
        if self._close_inner:
            self._inner.close()


class AsyncRetryTransport(_Retrying, httpx.AsyncBaseTransport):
    """The async twin of `RetryTransport`."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        policy: RetryPolicy,
        stats: RetryStats | None = None,
        limits: Limits = DEFAULT_LIMITS,
        *,
        close_inner: bool = True,
    ) -> None:
        super().__init__(policy, stats, limits, close_inner)
        self._inner = inner

    async def _one_try(self, attempt: int, request: httpx.Request) -> httpx.Response:
        one = _Try(request, self.limits, self.policy, attempt)
        try:
            with one.scope:
                response = await self._inner.handle_async_request(request)
                if one.streams(response):
                    response = one.stream(response)
                else:
                    response = await aread_body(
                        response, request, self.limits.max_response_bytes, one.scope
                    )
        except httpx.TransportError as exc:
            one.log(type(exc).__name__, attempt)
            raise
        one.log(str(response.status_code), attempt)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = await self._one_try(attempt, request)
            except httpx.TransportError as exc:
                decision = decide_after_error(self.policy, request.method, attempt, exc)
                if not decision.retry:
                    raise
            else:
                decision = self._after(request, attempt, response)
                if not decision.retry:
                    return response
                await response.aclose()
                del response  # the next try's body must not meet this one's in memory
            _log_retry(request, decision)
            await asleep(decision.delay)
            attempt += 1

    async def aclose(self) -> None:
        if self._close_inner:
            await self._inner.aclose()


def _transport_of(client: httpx.Client | httpx.AsyncClient, url: httpx.URL) -> Any:
    """The transport `client` would use for `url` (its mounts and proxies), or None when this
    httpx has no such lookup."""
    pick = getattr(client, "_transport_for_url", None)
    return pick(url) if pick is not None else None


class BorrowedTransport(httpx.BaseTransport):
    """Sends through a caller's `httpx.Client`: through the transport it would pick for the URL
    (its connection pool, proxies, mounts, TLS settings), so a request goes through one client
    pipeline, not two. The caller's client is never closed."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        transport = _transport_of(self._client, request.url)
        if isinstance(transport, httpx.BaseTransport):
            return transport.handle_request(request)
        return self._client.send(request, stream=True)

    def close(self) -> None:
        """The caller owns the client: leave it open."""


class AsyncBorrowedTransport(httpx.AsyncBaseTransport):
    """The async twin of `BorrowedTransport`."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        transport = _transport_of(self._client, request.url)
        if isinstance(transport, httpx.AsyncBaseTransport):
            return await transport.handle_async_request(request)
        return await self._client.send(request, stream=True)

    async def aclose(self) -> None:
        """The caller owns the client: leave it open."""
