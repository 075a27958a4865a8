"""Retries and request logging as httpx transports wrapped around the one that sends.

The judgement (what to retry, how long to wait) is in `_retry`; these classes only send, log
and sleep. `sleep` and `asleep` are module attributes so tests can make retries instant.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx

from ._retry import RetryPolicy, decide_after_error, decide_after_status

logger = logging.getLogger("cubicasa")

sleep = time.sleep


async def asleep(seconds: float) -> None:
    import asyncio  # here, not at the top: `import cubicasa` stays light

    await asyncio.sleep(seconds)


class RetryStats:
    """Counts shared by a client's transports; the concurrent pager reads `rate_limited`."""

    def __init__(self) -> None:
        self.rate_limited = 0


def _log(request: httpx.Request, outcome: str, started: float, attempt: int) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        ms = (time.perf_counter() - started) * 1000
        logger.debug(
            "%s %s -> %s in %.0f ms (try %d)", request.method, request.url, outcome, ms, attempt + 1
        )


class RetryTransport(httpx.BaseTransport):
    """Sends through `inner`, retrying as `policy` decides."""

    def __init__(
        self, inner: httpx.BaseTransport, policy: RetryPolicy, stats: RetryStats | None = None
    ) -> None:
        self._inner = inner
        self.policy = policy
        self.stats = stats or RetryStats()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                response = self._inner.handle_request(request)
            except httpx.TransportError as exc:
                _log(request, type(exc).__name__, started, attempt)
                decision = decide_after_error(self.policy, request.method, attempt, exc)
                if not decision.retry:
                    raise
            else:
                _log(request, str(response.status_code), started, attempt)
                if response.status_code == 429:
                    self.stats.rate_limited += 1
                decision = decide_after_status(
                    self.policy, request.method, attempt, response.status_code, response.headers
                )
                if not decision.retry:
                    return response
                response.close()
            logger.debug("retrying in %.2f s (%s)", decision.delay, decision.reason)
            sleep(decision.delay)
            attempt += 1

    def close(self) -> None:
        self._inner.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """The async twin of `RetryTransport`."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, policy: RetryPolicy, stats: RetryStats | None = None
    ) -> None:
        self._inner = inner
        self.policy = policy
        self.stats = stats or RetryStats()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                response = await self._inner.handle_async_request(request)
            except httpx.TransportError as exc:
                _log(request, type(exc).__name__, started, attempt)
                decision = decide_after_error(self.policy, request.method, attempt, exc)
                if not decision.retry:
                    raise
            else:
                _log(request, str(response.status_code), started, attempt)
                if response.status_code == 429:
                    self.stats.rate_limited += 1
                decision = decide_after_status(
                    self.policy, request.method, attempt, response.status_code, response.headers
                )
                if not decision.retry:
                    return response
                await response.aclose()
            logger.debug("retrying in %.2f s (%s)", decision.delay, decision.reason)
            await asleep(decision.delay)
            attempt += 1

    async def aclose(self) -> None:
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
