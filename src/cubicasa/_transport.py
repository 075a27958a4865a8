"""The transports a client sends through: its own connection pool (every network operation held
to the try's deadline), or a caller's `http_client`, borrowed without being closed. They only move
bytes: every decision about a call is the request loop's (`_base_client`)."""

from __future__ import annotations

import httpx

from ._httpx_reach import transport_for, with_deadlines


def own_transport() -> httpx.HTTPTransport:
    return with_deadlines(httpx.HTTPTransport())  # type: ignore[no-any-return]


def own_async_transport() -> httpx.AsyncHTTPTransport:
    return with_deadlines(httpx.AsyncHTTPTransport())  # type: ignore[no-any-return]


def borrowed(client: httpx.Client, base_url: httpx.URL) -> httpx.BaseTransport:
    """The transport a caller's client picks for the base URL (its connection pool, proxies,
    mounts, TLS settings): every request goes to that origin, so it is picked once. Sent through
    the client itself when this httpx hides the pick."""
    transport = transport_for(client, base_url)
    return transport if isinstance(transport, httpx.BaseTransport) else BorrowedTransport(client)


def async_borrowed(client: httpx.AsyncClient, base_url: httpx.URL) -> httpx.AsyncBaseTransport:
    """The async twin of `borrowed`."""
    transport = transport_for(client, base_url)
    if isinstance(transport, httpx.AsyncBaseTransport):
        return transport
    return AsyncBorrowedTransport(client)


class BorrowedTransport(httpx.BaseTransport):
    """Sends through a caller's `httpx.Client`, by the transport it picks for the URL (so a
    request goes through one client pipeline, not two). The caller's client is never closed."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        transport = transport_for(self._client, request.url)
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
        transport = transport_for(self._client, request.url)
        if isinstance(transport, httpx.AsyncBaseTransport):
            return await transport.handle_async_request(request)
        return await self._client.send(request, stream=True)

    async def aclose(self) -> None:
        """The caller owns the client: leave it open."""
