"""Fixtures for the infrastructure tests: a forward proxy and an HTTPS server with its own CA,
each on 127.0.0.1 and a free port, stopped after the test; and an environment without the
proxy and CA variables the machine running the tests may set."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from tests.infra.proxy import ForwardProxy
from tests.infra.tls import TLSServer
from tests.servers import Handle

# Every variable httpx (and curl) read for proxies and CAs, in both cases where they differ.
NETWORK_ENV = [
    *(
        name
        for base in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
        for name in (base, base.upper())
    ),
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
]


@pytest.fixture(autouse=True)
def clean_network_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NETWORK_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def forward_proxy() -> Iterator[ForwardProxy]:
    with ForwardProxy() as proxy:
        yield proxy


def answer_json(body: object, status: int = 200) -> Handle:
    """A handler answering every request with `body` as JSON and an `x-request-id`."""
    payload = json.dumps(body).encode()

    def handle(request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("content-length") or 0)
        if length:
            request.rfile.read(length)
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(payload)))
        request.send_header("x-request-id", "req-test-1")
        request.end_headers()
        request.wfile.write(payload)

    return handle


@pytest.fixture
def tls_server() -> Iterator[Callable[[Handle], TLSServer]]:
    """Start HTTPS servers answering with a handler; they stop after the test."""
    servers: list[TLSServer] = []

    def start(handle: Handle) -> TLSServer:
        servers.append(TLSServer(handle))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()
