"""A concurrent sync walk left early (`break`, an exception, Ctrl-C) while its other pages are
slow in coming, or waiting to be retried: it returns within a second and leaves no thread."""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from cubicasa import CubiCasa
from tests.conftest import order_json
from tests.hostile import KEY
from tests.hostile.server import Request, _pause, head, serve

SLOW = 15.0  # how long the server holds back every page but the first (it stops on hang-up)


def _page(offset: int) -> bytes:
    items = [order_json(f"order-{offset + n}") for n in range(2)]
    body = json.dumps(
        {"pagination": {"limit": 2, "has_more": True, "next_offset": offset + 2}, "items": items}
    ).encode()
    return head(200, {"Content-Type": "application/json", "Content-Length": len(body)}) + body


def slow_after_first(late: str) -> Any:
    """Page 1 at once; the others after `SLOW` seconds (`late` "body": headers first, then the
    wait; "headers": the wait first), or a 503 asking to be retried in `SLOW` seconds."""

    def script(conn: socket.socket, request: Request) -> None:
        offset = int(parse_qs(urlsplit(request.path).query).get("offset", ["0"])[0])
        page = _page(offset)
        if offset == 0:
            conn.sendall(page)
        elif late == "retry":
            busy = head(503, {"Retry-After": int(SLOW), "Content-Length": 0})
            conn.sendall(busy)
        elif late == "body":
            split = page.index(b"\r\n\r\n") + 10
            conn.sendall(page[:split])
            if _pause(conn, SLOW):
                conn.sendall(page[split:])
        else:
            if _pause(conn, SLOW):
                conn.sendall(page)

    return script


def _pager_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("cubicasa-pager")]


@pytest.mark.parametrize("late", ["headers", "body", "retry"])
@pytest.mark.parametrize("how", ["break", "error", "ctrl-c"])
def test_leaving_a_concurrent_walk_early_returns_at_once(late: str, how: str) -> None:
    with (
        serve(slow_after_first(late)) as server,
        CubiCasa(api_key=KEY, base_url=server.base_url) as client,
    ):
        walk = client.orders.list(page_size=2, concurrency=8)
        pages = walk.pages()
        assert len(next(pages).items) == 2
        deadline = time.monotonic() + 5
        while server.count < 4 and time.monotonic() < deadline:  # guesses in flight
            time.sleep(0.01)
        assert server.count >= 4
        started = time.monotonic()
        if how == "break":
            pages.close()  # what `break` out of `for page in walk.pages()` does
        else:
            error = KeyboardInterrupt if how == "ctrl-c" else RuntimeError
            with pytest.raises(error):
                pages.throw(error())
        assert time.monotonic() - started < 1.0
        assert _pager_threads() == []
        # The client still works: the stopped fetches left no broken connection in its pool.
        assert client.orders.list(page_size=2, max_items=2).pages().__next__().offset == 0


def test_a_for_loop_with_break_over_items_returns_at_once() -> None:
    with (
        serve(slow_after_first("headers")) as server,
        CubiCasa(api_key=KEY, base_url=server.base_url) as client,
    ):
        started = time.monotonic()
        for n, _ in enumerate(client.orders.list(page_size=2, concurrency=4)):
            if n == 1:
                break
        assert time.monotonic() - started < 1.5
        assert _pager_threads() == []
