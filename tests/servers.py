"""HTTP servers for tests: on 127.0.0.1, a free port, started and stopped by the test.

`LocalServer(handle)` runs a threaded standard-library server that hands every request, whatever
its method, to `handle(request)` (a `BaseHTTPRequestHandler`: read `request.path`, `headers`,
`rfile`; answer with `send_response`, `wfile`...), over TLS when given an `ssl_context` (see
`tests/infra/tls.py`). `unused_port()` is a port nothing listens on.
The raw-socket servers of `tests/hostile/` stay there: they misbehave below HTTP.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

Handle = Callable[[BaseHTTPRequestHandler], None]


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out or hung up mid-answer is what some tests are about.
        return


class LocalServer:
    """`with LocalServer(handle) as server: ... server.url ...` (`http://127.0.0.1:<port>`)."""

    def __init__(self, handle: Handle, *, ssl_context: ssl.SSLContext | None = None) -> None:
        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in separate writes: without this, Nagle's algorithm
                # and the client's delayed ACK add about 40 ms to every answer.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _any(self) -> None:
                handle(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _any

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = _Quiet(("127.0.0.1", 0), _Handler)
        if ssl_context is not None:
            # Accepted connections shake hands in the serving thread; a refused one is dropped.
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
        self.port = int(self._server.server_address[1])
        scheme = "https" if ssl_context is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def unused_port() -> int:
    """A loopback port nothing listens on (bound, then closed again)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
