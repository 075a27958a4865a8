"""A scripted CubiCasa for the facade tests, reachable two ways from one handler:
in-process through `httpx.MockTransport`, and over real HTTP on 127.0.0.1 (free port).

A handler takes an `httpx.Request` and returns an `httpx.Response`, or one of the markers below
for what only a network can do: answer late (`Slow`) or drop the connection mid-body (`Dropped`).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, TypeVar

import httpx
import pytest

import cubicasa
from tests.servers import Handle, LocalServer

API_KEY = "sk-test-0123456789abcdef"
PREFIX = "/api/integrate/v3"
T = TypeVar("T")


@dataclass
class Slow:
    """Answer `response` after `seconds` (mock mode: a read timeout, at once)."""

    response: httpx.Response
    seconds: float


@dataclass
class Dropped:
    """Send the headers and the first `after` bytes of `body`, then close the connection."""

    body: bytes
    after: int
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[httpx.Request], "httpx.Response | Slow | Dropped"]


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Any:
    return httpx.Response(status, json=body, headers=headers)


def page(items: list[Any], *, has_more: bool, next_offset: int | None, limit: int = 20) -> Any:
    return {
        "pagination": {
            "has_more": has_more,
            "limit": limit,
            "next_offset": next_offset,
            "previous_offset": 0,
        },
        "items": items,
    }


class Recorder:
    """Wraps a handler; keeps every request it saw (thread-safe), path without the prefix."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> Any:
        with self._lock:
            self.requests.append(request)
        return self.handler(request)

    @property
    def paths(self) -> list[str]:
        return [r.url.path.removeprefix(PREFIX) for r in self.requests]


class _DroppingStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, body: bytes, after: int) -> None:
        self.body, self.after = body, after

    def __iter__(self) -> Iterator[bytes]:
        yield self.body[: self.after]
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.body[: self.after]
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


def _in_process(recorder: Recorder) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        request.read()
        result = recorder(request)
        if isinstance(result, Slow):
            raise httpx.ReadTimeout("timed out", request=request)
        if isinstance(result, Dropped):
            headers = {"Content-Length": str(len(result.body)), **result.headers}
            return httpx.Response(
                200, headers=headers, stream=_DroppingStream(result.body, result.after)
            )
        return result

    return handle


def _answer_through(recorder: Recorder) -> Handle:
    """A LocalServer handler that answers through a Recorder, over real HTTP."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        request = httpx.Request(
            handler.command,
            f"http://127.0.0.1{handler.path}",
            headers=list(handler.headers.items()),
            content=body,
        )
        result = recorder(request)
        if isinstance(result, Slow):
            time.sleep(result.seconds)
            result = result.response
        if isinstance(result, Dropped):
            handler.send_response(200)
            for name, value in result.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(result.body)))
            handler.end_headers()
            handler.wfile.write(result.body[: result.after])
            handler.wfile.flush()
            handler.close_connection = True
            return
        result.read()
        handler.send_response(result.status_code)
        for name, value in result.headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(result.content)))
        handler.end_headers()
        handler.wfile.write(result.content)

    return answer


class Backends:
    """Builds clients bound to a handler, in the mode the test is parametrized with."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self._servers: list[LocalServer] = []
        self._closers: list[Callable[[], Any]] = []

    def _base(self, recorder: Recorder) -> str:
        if self.mode == "http":
            server = LocalServer(_answer_through(recorder))
            self._servers.append(server)
            return server.url + PREFIX
        return "http://127.0.0.1:9" + PREFIX

    def sync(self, handler: Handler, **options: Any) -> tuple[cubicasa.CubiCasa, Recorder]:
        recorder = Recorder(handler)
        base = self._base(recorder)
        if self.mode == "mock":
            options.setdefault(
                "http_client", httpx.Client(transport=httpx.MockTransport(_in_process(recorder)))
            )
        client = cubicasa.CubiCasa(api_key=API_KEY, base_url=base, **options)
        self._closers.append(client.close)
        return client, recorder

    def async_(self, handler: Handler, **options: Any) -> tuple[cubicasa.AsyncCubiCasa, Recorder]:
        recorder = Recorder(handler)
        base = self._base(recorder)
        if self.mode == "mock":
            options.setdefault(
                "http_client",
                httpx.AsyncClient(transport=httpx.MockTransport(_in_process(recorder))),
            )
        client = cubicasa.AsyncCubiCasa(api_key=API_KEY, base_url=base, **options)
        return client, recorder

    def close(self) -> None:
        for close in self._closers:
            close()
        for server in self._servers:
            server.stop()


@pytest.fixture(params=["mock", "http"])
def backends(request: pytest.FixtureRequest) -> Iterator[Backends]:
    """Both ways of reaching the scripted server; each test runs once per way."""
    made = Backends(request.param)
    yield made
    made.close()


@pytest.fixture
def sleeps(waits: list[float]) -> list[float]:
    """The retry waits asked for (recorded, not slept, by the suite's `waits` fixture)."""
    return waits


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None
