"""Servers that drip, stall or crawl: each try ends on time, GETs are retried, POSTs are not, and
a download that crawls fails without leaving a file. Default settings, except a short timeout
(the default, 60 s, would make each case last minutes; `measure.py` times the defaults)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

import cubicasa
from tests.hostile import CHANGE_REQUEST, MODES, PDF, Clock, assert_backed_off, call
from tests.hostile.server import (
    Request,
    answer,
    drip,
    drip_headers,
    head,
    sequence,
    serve,
    stall,
)

T = 0.5  # the timeout of these cases: each try must end within about T seconds
# Three tries of T plus a loaded machine (the back-off waits are recorded, not slept).
BOUND = 3 * T + 10


def get_change_request(client: object) -> object:
    return client.orders.change_requests.get("o-1", "cr-1")  # type: ignore[attr-defined]


def create_change_request(client: object) -> object:
    return client.orders.change_requests.create("o-1", text="fix")  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", MODES)
def test_a_body_dripping_one_byte_a_second_ends_each_try_on_time(
    mode: str, waits: list[float]
) -> None:
    with serve(drip(every=0.05)) as server:
        clock = Clock()
        with pytest.raises(cubicasa.APITimeoutError) as caught:
            call(mode, server.base_url, get_change_request, timeout=T)
        assert clock.seconds < BOUND
        assert server.count == 3  # a GET timed out mid-body is retried (twice, by default)
    assert_backed_off(waits, 3)
    message = str(caught.value)
    assert "GET http://127.0.0.1" in message
    assert "/orders/o-1/change-requests/cr-1" in message
    assert "3 tries" in message
    assert "timeout 0.5 s" in message


@pytest.mark.parametrize("mode", MODES)
def test_headers_dripping_forever_end_each_try_on_time(mode: str) -> None:
    with serve(drip_headers(every=0.05)) as server:
        clock = Clock()
        with pytest.raises(cubicasa.APITimeoutError):
            call(mode, server.base_url, get_change_request, timeout=T)
        assert clock.seconds < BOUND
        assert server.count == 3


@pytest.mark.parametrize("mode", MODES)
def test_a_post_timed_out_mid_body_is_never_sent_again(mode: str) -> None:
    with serve(drip(every=0.05)) as server:
        with pytest.raises(cubicasa.APITimeoutError, match="after 1 try"):
            call(mode, server.base_url, create_change_request, timeout=T)
        assert server.count == 1
        assert server.requests[0].method == "POST"


@pytest.mark.parametrize("mode", MODES)
def test_a_get_stalled_mid_body_is_retried_and_then_succeeds(mode: str) -> None:
    script = sequence(stall(200, CHANGE_REQUEST, after=10), answer(200, CHANGE_REQUEST))
    with serve(script) as server:
        result = call(mode, server.base_url, get_change_request, timeout=T)
        assert result.id == "cr-1"
        assert server.count == 2


@pytest.mark.parametrize("mode", MODES)
def test_a_crawling_download_fails_and_keeps_the_previous_file(mode: str, tmp_path: Path) -> None:
    target = tmp_path / "plan.pdf"
    target.write_bytes(b"%PDF- the previous plan")
    # 20 bytes a second, far below the default 1 KiB/s: the first window of T seconds fails.
    with serve(drip(content_type="application/pdf", every=0.05, byte=b"%")) as server:
        clock = Clock()
        with pytest.raises(cubicasa.APITimeoutError, match="min_download_rate"):
            call(
                mode,
                server.base_url,
                lambda c: c.orders.download_combined_pdf("o-1", target),
                timeout=T,
            )
        assert clock.seconds < 2 * T + 10
    assert target.read_bytes() == b"%PDF- the previous plan"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.pdf"]


@pytest.mark.parametrize("mode", MODES)
def test_a_stalled_download_fails_and_leaves_no_file(mode: str, tmp_path: Path) -> None:
    target = tmp_path / "plan.pdf"
    with serve(stall(200, PDF, after=len(PDF) // 2)) as server:
        clock = Clock()
        with pytest.raises(cubicasa.APITimeoutError):
            call(
                mode,
                server.base_url,
                lambda c: c.orders.download_combined_pdf("o-1", target),
                timeout=T,
            )
        assert clock.seconds < 2 * T + 10
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mode", MODES)
def test_a_download_at_a_decent_rate_is_not_cut(mode: str, tmp_path: Path) -> None:
    # About 20 KiB/s for about 1.5 s: above the 1 KiB/s floor, across several windows of T.
    body = PDF[:9] + b"x" * 30_000

    def script(conn: socket.socket, request: Request) -> None:
        conn.sendall(head(200, {"Content-Type": "application/pdf", "Content-Length": len(body)}))
        for start in range(0, len(body), 1000):
            conn.sendall(body[start : start + 1000])
            time.sleep(0.05)

    target = tmp_path / "plan.pdf"
    with serve(script) as server:
        call(
            mode,
            server.base_url,
            lambda c: c.orders.download_combined_pdf("o-1", target),
            timeout=T,
        )
    assert target.read_bytes() == body
    assert server.requests[0].headers["accept-encoding"] == "identity"
