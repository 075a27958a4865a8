"""A hostile HTTP server on 127.0.0.1 (free port) that answers with raw bytes, as a slow proxy, a
broken load balancer or an attacker would: drip, bomb, cut, echo, redirect, nest.

`HostileServer(script)` calls `script(conn, request)` for every request, on a thread of its own;
a script writes what it likes to `conn` (a socket) and returns. Scripts loop only while
`server.running` and the client is still reading, so `stop()` ends every one of them.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    head: bytes  # the request line and headers, as received
    body: bytes


Script = Callable[[socket.socket, Request], None]


class HostileServer:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[Request] = []
        self.running = True
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.base_url = self.origin + "/api/integrate/v3"
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(5.0)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buffer = b""
        try:
            while self.running:  # keep-alive: one request after another on this connection
                request, buffer = _read_request(conn, buffer)
                if request is None:
                    return
                with self._lock:
                    self.requests.append(request)
                self.script(conn, request)
        except OSError:
            return  # the client hung up: what most of these scripts are about
        finally:
            conn.close()

    def stop(self) -> None:
        self.running = False
        self._listener.close()
        self._accepting.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)


@contextmanager
def serve(script: Script) -> Iterator[HostileServer]:
    server = HostileServer(script)
    try:
        yield server
    finally:
        server.stop()


def _read_request(conn: socket.socket, buffer: bytes) -> tuple[Request | None, bytes]:
    while b"\r\n\r\n" not in buffer:
        try:
            data = conn.recv(65536)
        except TimeoutError:
            return None, b""
        if not data:
            return None, b""
        buffer += data
    head, _, rest = buffer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        data = conn.recv(65536)
        if not data:
            return None, b""
        rest += data
    return Request(method, path, headers, head, rest[:length]), rest[length:]


def sequence(*scripts: Script) -> Script:
    """The first request gets the first script, the next the next...; the last one repeats."""
    lock = threading.Lock()
    served = [0]

    def script(conn: socket.socket, request: Request) -> None:
        with lock:
            index = min(served[0], len(scripts) - 1)
            served[0] += 1
        scripts[index](conn, request)

    return script


def head(status: int, headers: dict[str, Any], reason: str = "Whatever") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer(status: int, body: bytes, **headers: Any) -> Script:
    """A whole answer at once (keep-alive)."""
    fields = {"Content-Type": "application/json", "Content-Length": len(body)}
    fields.update({k.replace("_", "-"): v for k, v in headers.items()})

    def script(conn: socket.socket, request: Request) -> None:
        conn.sendall(head(status, fields) + body)

    return script


def drip(
    status: int = 200,
    content_type: str = "application/json",
    every: float = 1.0,
    length: int = 10_000_000,
    byte: bytes = b" ",
) -> Script:
    """Headers at once, then one byte every `every` seconds, for as long as the client reads."""

    def script(conn: socket.socket, request: Request) -> None:
        conn.sendall(head(status, {"Content-Type": content_type, "Content-Length": length}))
        for _ in range(length):
            if not _pause(conn, every):
                return
            conn.sendall(byte)

    return script


def drip_headers(every: float = 1.0) -> Script:
    """The status line, then the headers one byte every `every` seconds, never finished."""

    def script(conn: socket.socket, request: Request) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        for _ in range(100_000):
            if not _pause(conn, every):
                return
            conn.sendall(b"a")

    return script


def cut(status: int, body: bytes, after: int) -> Script:
    """The headers and the first `after` bytes of `body`, then the connection closes."""
    return _part(status, body, after, stall=False)


def stall(status: int, body: bytes, after: int) -> Script:
    """The headers and `after` bytes of `body`, then silence while the client waits."""
    return _part(status, body, after, stall=True)


def _part(status: int, body: bytes, after: int, *, stall: bool) -> Script:
    def script(conn: socket.socket, request: Request) -> None:
        fields = {"Content-Type": "application/json", "Content-Length": len(body)}
        conn.sendall(head(status, fields) + body[:after])
        if stall:
            while _pause(conn, 0.2):
                pass
            return
        conn.shutdown(socket.SHUT_RDWR)
        raise OSError("cut")  # ends this connection

    return script


def _pause(conn: socket.socket, seconds: float) -> bool:
    """Wait `seconds`; False once the client has hung up (or after 10 minutes in all)."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        conn.settimeout(min(left, 0.2))
        try:
            if conn.recv(1, socket.MSG_PEEK) == b"":
                return False
        except TimeoutError:
            continue
        except OSError:
            return False
    return True


@cache
def gzip_bomb(mib: int, start: bytes = b"") -> bytes:
    """A valid gzip body, `start` then zeros, that inflates to `mib` MiB more (about 1,000 to 1):
    one MiB compressed once and repeated (a full flush makes the pieces independent)."""
    block = bytes(1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = compressor.compress(start) + compressor.flush(zlib.Z_FULL_FLUSH)
    piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(start)
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, (len(start) + mib * len(block)) & 0xFFFFFFFF)
    return header + first + piece * mib + compressor.flush() + trailer


def bomb(status: int, mib: int = 2048, content_type: str = "application/json") -> Script:
    """A gzip bomb: about 2 MB on the wire, 2 GiB once inflated (by default)."""
    body = gzip_bomb(mib, b"%PDF-1.4\n" if content_type == "application/pdf" else b"")
    headers = {
        "Content-Type": content_type,
        "Content-Encoding": "gzip",
        "Content-Length": len(body),
    }

    def script(conn: socket.socket, request: Request) -> None:
        conn.sendall(head(status, headers) + body)

    return script


def gzipped(status: int, body: bytes, content_type: str = "application/json") -> Script:
    packed = gzip.compress(body)
    headers = {
        "Content-Type": content_type,
        "Content-Encoding": "gzip",
        "Content-Length": len(packed),
    }

    def script(conn: socket.socket, request: Request) -> None:
        conn.sendall(head(status, headers) + packed)

    return script


@cache
def _tiny_values(kind: str, mib: int) -> bytes:
    count = mib * 1024 * 1024 // 3
    raw = b"[" + b"{}," * (count - 1) + b"{}]" if kind == "json" else b"ab " * count
    return gzip.compress(raw, 6)


def amplifier(status: int, kind: str, mib: int = 63) -> Script:
    """`mib` MiB (just under the default cap) of tiny JSON objects (`kind` "json") or of short
    words ("text"), gzipped to about 64 KiB: small to send, gigabytes once parsed or split."""
    body = _tiny_values(kind, mib)
    content_type = "application/json" if kind == "json" else "text/html"
    headers = {
        "Content-Type": content_type,
        "Content-Encoding": "gzip",
        "Content-Length": len(body),
    }

    def script(conn: socket.socket, request: Request) -> None:
        conn.sendall(head(status, headers) + body)

    return script


def not_gzip(status: int, content_type: str = "application/json") -> Script:
    """An answer that says `Content-Encoding: gzip` and is not gzip."""
    body = b"this is not gzip at all" * 10
    headers = {
        "Content-Type": content_type,
        "Content-Encoding": "gzip",
        "Content-Length": len(body),
    }

    def script(conn: socket.socket, request: Request) -> None:
        conn.sendall(head(status, headers) + body)

    return script


def echo_headers(status: int = 502) -> Script:
    """An error page that repeats the request's headers, as some proxies do."""

    def script(conn: socket.socket, request: Request) -> None:
        body = b"<html><body><h1>Bad gateway</h1><pre>" + request.head + b"</pre></body></html>"
        headers = {"Content-Type": "text/html", "Content-Length": len(body)}
        conn.sendall(head(status, headers, "Bad Gateway") + body)

    return script


def redirect(status: int, location: str, body: bytes) -> Script:
    def script(conn: socket.socket, request: Request) -> None:
        headers = {
            "Location": location,
            "Content-Type": "application/json",
            "Content-Length": len(body),
        }
        conn.sendall(head(status, headers) + body)

    return script
