"""The fake as an httpx transport, sync and async in one object: no socket is opened."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from ._fake import FakeCubiCasa
    from ._http import FakeResponse


class _Dropping(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that stops after `after` bytes, as a dropped connection does."""

    def __init__(self, body: bytes, after: int) -> None:
        self._body, self._after = body, after

    def __iter__(self) -> Iterator[bytes]:
        yield self._body[: self._after]
        raise httpx.RemoteProtocolError("fake CubiCasa dropped the connection mid-body")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._body[: self._after]
        raise httpx.RemoteProtocolError("fake CubiCasa dropped the connection mid-body")


def _response(answer: FakeResponse) -> httpx.Response:
    headers = dict(answer.headers)
    if answer.drop_after is not None:
        headers["Content-Length"] = str(len(answer.body))
        return httpx.Response(
            answer.status, headers=headers, stream=_Dropping(answer.body, answer.drop_after)
        )
    return httpx.Response(answer.status, headers=headers, content=answer.body)


class FakeTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """`httpx.Client(transport=fake.transport)` or `httpx.AsyncClient(transport=...)`."""

    def __init__(self, fake: FakeCubiCasa) -> None:
        self.fake = fake

    def _answer(self, request: httpx.Request, body: bytes) -> FakeResponse:
        target = request.url.raw_path.decode("ascii")
        return self.fake.handle(request.method, target, dict(request.headers), body)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self._answer(request, request.read())
        if answer.latency:
            time.sleep(answer.latency)
        return _response(answer)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = self._answer(request, await request.aread())
        if answer.latency:
            await asyncio.sleep(answer.latency)
        return _response(answer)
