"""Servers the benchmarks talk to, each run in its own process so it does not share the client's
interpreter lock: `python benchmarks/servers.py KIND PORT_FILE`.

- canned: answers every GET with the same small change-request JSON (keep-alive).
- canned-unknown: the same with three fields the spec does not know.
- orders: the fake CubiCasa holding 10,000 orders; `?latency=` is set per run through a header.
- stream: answers with a 256 MiB PDF-looking body, generated chunk by chunk.
"""

from __future__ import annotations

import hashlib
import json
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CANNED = json.dumps(
    {
        "id": "010338fb-b1d5-4086-96b9-003285aa3340",
        "img_urls": ["https://www.urltoimg.com/1.jpg", "https://www.urltoimg.com/2.jpg"],
        "sent_at": 1748455764.159082,
        "text": "fix request text",
    }
).encode()
# The same answer with three fields the spec does not know (conformance finds and logs them).
CANNED_UNKNOWN = json.dumps(
    {
        **json.loads(CANNED),
        "priority": 2,
        "reviewer": {"team": "qa", "name": "R"},
        "tags": ["kitchen", "stairs"],
    }
).encode()
STREAM_BYTES = 256 * 1024 * 1024
STREAM_CHUNK = 1024 * 1024


def stream_chunks() -> Any:
    """The 256 MiB body: a PDF header, then a repeating pattern, deterministic."""
    pattern = bytes(range(256)) * (STREAM_CHUNK // 256)
    yield b"%PDF-1.7\n" + pattern[9:]
    for _ in range(STREAM_BYTES // STREAM_CHUNK - 1):
        yield pattern


def stream_sha256() -> str:
    digest = hashlib.sha256()
    for chunk in stream_chunks():
        digest.update(chunk)
    return digest.hexdigest()


class _Quick(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        return


class Canned(_Quick):
    body = CANNED

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


class CannedUnknown(Canned):
    body = CANNED_UNKNOWN


class Stream(_Quick):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(STREAM_BYTES))
        self.end_headers()
        for chunk in stream_chunks():
            self.wfile.write(chunk)


def serve(kind: str, port_file: Path) -> None:
    if kind == "orders":
        from cubicasa.testing import FakeCubiCasa

        fake = FakeCubiCasa("bench-key", seed=False)
        for n in range(10_000):
            fake.add_order(external_id=f"bench-{n:05d}", order_id=f"order-{n:05d}")
        latency = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
        if latency:
            fake.latency(latency, route="listOrders")
        server = fake.serve().start()
        port_file.write_text(str(server.port))
        while True:
            time.sleep(3600)
    handler = {"canned": Canned, "canned-unknown": CannedUnknown, "stream": Stream}[kind]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    port_file.write_text(str(httpd.server_address[1]))
    httpd.serve_forever()


if __name__ == "__main__":
    serve(sys.argv[1], Path(sys.argv[2]))
