"""The fake stays small whatever its clients send: a bounded request log, 400 for any body it
cannot parse, idle connections closed, and a cap on connection threads."""

from __future__ import annotations

import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cubicasa.testing import FakeCubiCasa, FakeServer, _server
from cubicasa.testing._recording import RECORDED_BODY_LIMIT, REQUEST_LOG_SIZE

ONE_MB = b"x" * (1024 * 1024)
DRAFTS = "/api/integrate/v3/orders/draft"
# What the fake's RSS may grow by after 10,000 rejected one-MB requests: the request log's
# bodies (REQUEST_LOG_SIZE x RECORDED_BODY_LIMIT = 16 MiB) plus allocator slack.
RSS_GROWTH_BOUND_MIB = 48


def _exchange(stream: socket.socket, reader: object, request: bytes) -> bytes:
    """Send one request on a kept-alive connection; return its status line."""
    stream.sendall(request)
    status: bytes = reader.readline()  # type: ignore[attr-defined]
    length = 0
    while (line := reader.readline()) not in (b"\r\n", b""):  # type: ignore[attr-defined]
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    reader.read(length)  # type: ignore[attr-defined]
    return status


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_the_request_log_keeps_the_last_requests_with_cut_bodies() -> None:
    fake = FakeCubiCasa()
    for number in range(10_000):
        answer = fake.handle("POST", f"{DRAFTS}?n={number}", {}, ONE_MB)
        assert answer.status == 401
    assert len(fake.requests) == REQUEST_LOG_SIZE == 1000
    assert fake.requests[-1].query == [("n", "9999")]
    assert fake.requests[0].query == [("n", str(10_000 - REQUEST_LOG_SIZE))]
    assert {len(r.body) for r in fake.requests} == {RECORDED_BODY_LIMIT}
    assert sum(len(r.body) for r in fake.requests) <= 16 * 1024 * 1024
    # A small body is kept whole, so tests can still read what was sent.
    with fake.client(max_retries=0) as client:
        client.offices.create(name="Annex")
    assert fake.requests_to("createOffice")[-1].json() == {"name": "Annex"}


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc for the RSS")
@pytest.mark.slow
def test_ten_thousand_rejected_one_mb_requests_leave_the_server_small() -> None:
    command = [sys.executable, "-m", "cubicasa.testing", "serve", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            port = int(re.search(r":(\d+)/", process.stdout.readline())[1])  # type: ignore[index]
            start = _rss_mib(process.pid)
            request = (
                f"POST {DRAFTS} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(ONE_MB)}\r\n\r\n"
            ).encode() + ONE_MB
            with socket.create_connection(("127.0.0.1", port), timeout=30) as stream:
                reader = stream.makefile("rb")
                statuses = {_exchange(stream, reader, request) for _ in range(10_000)}
            grown = _rss_mib(process.pid) - start
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
    assert statuses == {b"HTTP/1.1 401 Unauthorized\r\n"}
    assert grown < RSS_GROWTH_BOUND_MIB, f"the fake grew by {grown:.0f} MiB"


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeCubiCasa().serve() as running:
        yield running


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 1000 + b"]" * 1000,
        b'{"a": ' * 1000 + b"1" + b"}" * 1000,
        b"[" * 100_000,
        b"\xff\xfe not utf-8",
        b'{"street": ',
    ],
    ids=["list-1000-deep", "object-1000-deep", "100k-open-brackets", "not-utf8", "cut"],
)
def test_an_unparseable_body_is_a_400(server: FakeServer, body: bytes) -> None:
    headers = {"api-key": server.fake.api_key, "Content-Type": "application/json"}
    for path in ("/orders/draft", "/users", "/companies/webhook"):
        method = "PATCH" if path == "/companies/webhook" else "POST"
        answer = httpx.request(method, server.base_url + path, content=body, headers=headers)
        assert answer.status_code == 400, (path, answer.text)
        assert answer.json()["validation_error"]["body_params"][0]["loc"] == ["__root__"]


def test_a_body_nested_deeper_than_the_fake_echoes_is_a_400(server: FakeServer) -> None:
    preferences = b'{"a": ' * 200 + b"1" + b"}" * 200
    body = (
        b'{"street": "1 Main St", "city": "Oulu", "country": "Finland", '
        b'"owner_email": "linus@computer.com", "order_preferences": ' + preferences + b"}"
    )
    headers = {"api-key": server.fake.api_key, "Content-Type": "application/json"}
    answer = httpx.post(server.base_url + "/orders/draft", content=body, headers=headers)
    assert answer.status_code == 400
    assert "nested deeper" in answer.text


def test_an_idle_connection_is_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_server, "IDLE_TIMEOUT", 0.3)
    with (
        FakeCubiCasa().serve() as running,
        socket.create_connection(("127.0.0.1", running.port), timeout=30) as idle,
    ):
        # recv returns b"" once the server has closed the silent connection; a server
        # without an idle timeout would leave this waiting for the socket's 30 s.
        assert idle.recv(1) == b""


def test_connections_past_the_cap_get_a_503_and_hold_no_thread(server: FakeServer) -> None:
    before = threading.active_count()
    cap = _server.MAX_CONNECTIONS
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(300)]
    answers: dict[socket.socket, bytes] = {}
    try:
        # The first `cap` connections hold a thread each (and hear nothing while silent);
        # every other one is answered 503 and closed at once.
        deadline = time.monotonic() + 30
        while len(answers) < 300 - cap and time.monotonic() < deadline:
            ready, _, _ = select.select([c for c in idle if c not in answers], [], [], 0.5)
            for conn in ready:
                answers[conn] = conn.recv(200)
        assert len(answers) == 300 - cap
        assert all(answer.startswith(b"HTTP/1.1 503") for answer in answers.values())
        assert threading.active_count() - before <= cap
    finally:
        for conn in idle:
            conn.close()
    # Closed connections give their threads back: the server answers again.
    deadline = time.monotonic() + 30
    while True:
        answer = httpx.get(server.base_url + "/users", headers={"api-key": server.fake.api_key})
        if answer.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert answer.status_code == 200
