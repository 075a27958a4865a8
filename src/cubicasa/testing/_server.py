"""The fake over real HTTP: a threaded standard-library server on 127.0.0.1 (by default).

It stays small whatever its clients do: a connection idle for `IDLE_TIMEOUT` seconds is closed,
at most `MAX_CONNECTIONS` connections (one thread each) are served at once (the next ones get a
503 and are closed), and a body over 1 MiB is refused unread.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from ._control import control, is_control
from ._http import MAX_BODY, FakeResponse
from ._routing import BASE_PATH

if TYPE_CHECKING:
    from ._fake import FakeCubiCasa

logger = logging.getLogger("cubicasa.testing")

IDLE_TIMEOUT = 10.0
"""Seconds a connection may stay silent (before or between requests) before it is closed;
longer than httpx's default keep-alive expiry (5 s), so a pooled connection is never cut."""
MAX_CONNECTIONS = 64
"""Connections served at once; each holds one thread."""
_BUSY = b'{"message": "fake CubiCasa is serving too many connections"}'


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Answer even a malformed request line with a status line and headers (not HTTP/0.9).
    default_request_version = "HTTP/1.1"
    server: _Server

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's protocol errors (bad request line, oversized headers...),
        as JSON in the API's shape instead of an HTML page."""
        body = json.dumps({"message": message or self.responses.get(code, ("Error",))[0]})
        self._send(FakeResponse(code, body.encode()), close=True)

    def setup(self) -> None:
        super().setup()
        # A silent connection times out and is closed (handle_one_request catches it).
        self.connection.settimeout(self.server.idle_timeout)
        # Headers and body go out in separate writes; without this, Nagle's algorithm and the
        # client's delayed ACK add about 40 ms to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _any(self) -> None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self._send(FakeResponse(411, b'{"message": "Content-Length required"}'), close=True)
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            # Answer without reading a body that is too large, then close the connection.
            message = b'{"message": "Request body too large: the limit is 1 MiB"}'
            self._send(FakeResponse(413 if length > 0 else 400, message), close=True)
            return
        body = self.rfile.read(length) if length else b""
        try:
            if is_control(self.path):  # /_fake/...: driven by a test suite in another process
                answer = control(
                    self.server.fake, self.command, self.path, dict(self.headers), body
                )
            else:
                answer = self.server.fake.handle(self.command, self.path, dict(self.headers), body)
        except Exception:  # a bug in the fake must not kill the server thread
            logger.exception("fake CubiCasa failed on %s %s", self.command, self.path)
            answer = FakeResponse(500, b'{"message": "fake CubiCasa failed; see its log"}')
        if answer.latency:
            time.sleep(answer.latency)
        self._send(answer)

    def _send(self, answer: FakeResponse, *, close: bool = False) -> None:
        self.send_response(answer.status)
        headers = {"Content-Type": "application/json", **answer.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        if close or answer.drop_after is not None:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command == "HEAD":
            return
        if answer.drop_after is not None:
            self.wfile.write(answer.body[: answer.drop_after])
            self.wfile.flush()
            return
        self.wfile.write(answer.body)

    def __getattr__(self, name: str) -> Any:
        # Every method, known or not (QUERY, PROPFIND...), reaches the fake, which answers 405
        # with Allow where the path exists, instead of the standard library's 501.
        if name.startswith("do_"):
            return self._any
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the listen backlog: a burst of connections waits to be refused

    def __init__(
        self,
        address: tuple[str, int],
        fake: FakeCubiCasa,
        *,
        idle_timeout: float = IDLE_TIMEOUT,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        # An IPv6 address (`::1`, `::`) needs an IPv6 socket; anything else is served over IPv4.
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _Handler)
        self.fake = fake
        self.idle_timeout = idle_timeout
        self._slots = threading.BoundedSemaphore(max_connections)

    def process_request(self, request: Any, client_address: Any) -> None:
        # One thread per connection, up to the cap; past it, answer 503 at once and close.
        if not self._slots.acquire(blocking=False):
            self._refuse(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def _refuse(self, request: socket.socket) -> None:
        head = (
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(_BUSY)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
        )
        try:
            request.settimeout(1.0)
            request.sendall(head.encode() + _BUSY)
        except OSError:
            pass
        self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up (timeouts, dropped-connection tests) is not the fake's error.
        logger.debug("connection from %s ended abruptly", client_address)


# Addresses that mean "every interface" (no client can connect to them) -> the loopback to use.
_WILDCARDS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to any interface
        return False


class FakeServer:
    """A running fake: `with FakeCubiCasa().serve() as server: ... server.base_url ...`.

    Starts on entering (or `start()`), in a daemon thread, on a free port unless one is given;
    stops on leaving (or `stop()`).
    """

    def __init__(self, fake: FakeCubiCasa, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.fake = fake
        self.host = host.removeprefix("[").removesuffix("]")  # `[::1]` as a URL writes it
        self.port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """`http://host:port`, the server's origin: on this machine's loopback address when the
        server listens on every interface (`0.0.0.0`, `::`), whose address no client can use."""
        host = _WILDCARDS.get(self.host, self.host)
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def exposed(self) -> bool:
        """True when the server listens beyond this machine's loopback interface."""
        return not _loopback(self.host)

    @property
    def base_url(self) -> str:
        """The API's base URL on this server (`.../api/integrate/v3`)."""
        return self.url + BASE_PATH

    def start(self) -> FakeServer:
        self._server = _Server(
            (self.host, self.port),
            self.fake,
            idle_timeout=IDLE_TIMEOUT,
            max_connections=MAX_CONNECTIONS,
        )
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-cubicasa-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def client(self, **options: Any) -> Any:
        """A `CubiCasa` talking to this server over HTTP."""
        from cubicasa import CubiCasa

        return CubiCasa(api_key=self.fake.api_key, base_url=self.base_url, **options)

    def async_client(self, **options: Any) -> Any:
        """An `AsyncCubiCasa` talking to this server over HTTP."""
        from cubicasa import AsyncCubiCasa

        return AsyncCubiCasa(api_key=self.fake.api_key, base_url=self.base_url, **options)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
