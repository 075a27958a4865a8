"""The transports a client sends through: its own connection pools (one direct, one per proxy;
every network operation held to the try's deadline), or a caller's `http_client`, borrowed without
being closed. They only move bytes: every decision about a call is the request loop's
(`_base_client`)."""

from __future__ import annotations

import httpx

from ._httpx_reach import transport_for, transports_of, with_deadlines
from ._network import Network


def own_transport(network: Network) -> httpx.BaseTransport:
    """The client's own pools, picked per URL as httpx picks them: `proxy=`, else the proxy
    environment variables (unless `trust_env=False`), else direct."""
    router = httpx.Client(**network.transport_options())
    for transport in transports_of(router):
        with_deadlines(transport)
    return _Routed(router)


def own_async_transport(network: Network) -> httpx.AsyncBaseTransport:
    router = httpx.AsyncClient(**network.transport_options())
    for transport in transports_of(router):
        with_deadlines(transport)
    return _AsyncRouted(router)


class _Routed(httpx.BaseTransport):
    """Sends through the pool an httpx client of ours picks for the URL, and closes it."""

    def __init__(self, router: httpx.Client) -> None:
        self._router = router

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        transport: httpx.BaseTransport = transport_for(self._router, request.url)
        return transport.handle_request(request)

    def close(self) -> None:
        self._router.close()


class _AsyncRouted(httpx.AsyncBaseTransport):
    """The async twin of `_Routed`."""

    def __init__(self, router: httpx.AsyncClient) -> None:
        self._router = router

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        transport: httpx.AsyncBaseTransport = transport_for(self._router, request.url)
        return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        await self._router.aclose()


class BorrowedTransport(httpx.BaseTransport):
    """Sends through a caller's `httpx.Client`: through the transport it would pick for the URL
    (its connection pool, proxies, mounts, TLS settings), so a request goes through one client
    pipeline, not two. The caller's client is never closed."""

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
