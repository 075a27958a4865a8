"""What a walk keeps in memory, whatever the server sends: a fixed-size digest per item ID (not
the ID: 1 MiB IDs used to grow a walk by 1 MiB an item), and no page once the walk has moved on,
even with the garbage collector off (nothing keeps a body alive in a reference cycle)."""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import socket
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from cubicasa import AsyncCubiCasa, CubiCasa
from tests.conftest import order_json
from tests.hostile import KEY
from tests.hostile.server import Request, head, serve

MIB = 1024 * 1024


def pages_of(
    per_page: int, id_bytes: int, *, unknown_field: bool = False, busy: bool = False
) -> Any:
    """Pages of `per_page` orders whose IDs are `id_bytes` long and unique; every request
    retried once after a 429 when `busy` (the retry path keeps nothing either)."""
    refused: set[int] = set()
    served = itertools.count()

    def script(conn: socket.socket, request: Request) -> None:
        offset = int(parse_qs(urlsplit(request.path).query).get("offset", ["0"])[0])
        if busy and offset not in refused:
            refused.add(offset)
            conn.sendall(head(429, {"Content-Length": 0, "Retry-After": 0}))
            return
        pad = "x" * max(id_bytes - 24, 0)
        items = []
        for n in range(per_page):
            item = order_json(f"{offset + n:012d}-{next(served):08d}-{pad}")
            if unknown_field:
                item["unknown_field"] = n
            items.append(item)
        pagination = {"limit": per_page, "has_more": True, "next_offset": offset + per_page}
        body = json.dumps({"pagination": pagination, "items": items}).encode()
        conn.sendall(head(200, {"Content-Type": "application/json", "Content-Length": len(body)}))
        conn.sendall(body)

    return script


@contextmanager
def gc_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _responses_alive() -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, httpx.Response))


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("concurrency", [None, 4])
def test_a_walk_keeps_a_digest_per_id_not_the_id(mode: str, concurrency: int | None) -> None:
    """40 items with 1 MiB IDs: the walk's own memory stays under 4 MiB (it grew by 40 MiB)."""
    script = pages_of(4, MIB)
    with serve(script) as server:
        tracemalloc.start()
        try:
            if mode == "sync":
                with CubiCasa(api_key=KEY, base_url=server.base_url) as client:
                    pager = client.orders.list(max_items=40, concurrency=concurrency)
                    assert sum(1 for _ in pager) == 40
                    gc.collect()  # what is left is what the walk keeps
                    held = tracemalloc.get_traced_memory()[0]
            else:

                async def main() -> int:
                    async with AsyncCubiCasa(api_key=KEY, base_url=server.base_url) as client:
                        pager = client.orders.list(max_items=40, concurrency=concurrency)
                        assert len([o async for o in pager]) == 40
                        gc.collect()
                        return tracemalloc.get_traced_memory()[0]

                held = asyncio.run(main())
        finally:
            tracemalloc.stop()
    assert held < 4 * MIB, f"{held / MIB:.1f} MiB held after the walk"


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("concurrency", [None, 4])
@pytest.mark.parametrize("busy", [False, True], ids=["plain", "429-retried"])
def test_a_page_is_freed_when_the_walk_moves_on_without_the_gc(
    mode: str, concurrency: int | None, busy: bool
) -> None:
    """Pages of about 1 MiB (an unknown field on every item: conformance findings too), walked
    with the collector off: no response outlives its page (only the `concurrency` fetches in
    flight hold one), and memory stays flat."""
    script = pages_of(8, MIB // 8, unknown_field=True, busy=busy)
    alive: list[int] = []
    held: list[int] = []
    pages = 20

    def look() -> None:
        alive.append(_responses_alive())
        held.append(tracemalloc.get_traced_memory()[0])

    with serve(script) as server, gc_off():
        tracemalloc.start()
        try:
            if mode == "sync":
                with CubiCasa(api_key=KEY, base_url=server.base_url, max_retries=3) as client:
                    walk = client.orders.list(concurrency=concurrency, page_size=8).pages()
                    for page in itertools.islice(walk, pages):
                        del page
                        look()
                    walk.close()
            else:

                async def main() -> None:
                    async with AsyncCubiCasa(
                        api_key=KEY, base_url=server.base_url, max_retries=3
                    ) as client:
                        walk = client.orders.list(concurrency=concurrency, page_size=8).pages()
                        async for page in walk:
                            del page
                            look()
                            if len(held) == pages:
                                break
                        await walk.aclose()

                asyncio.run(main())
        finally:
            tracemalloc.stop()
    assert len(held) == pages
    assert max(alive) <= (concurrency or 0), alive
    # Past the first few pages, memory does not grow page after page (it would by 1 MiB a page,
    # 14 MiB here, if bodies waited for the collector); the pages in flight (about 1 MiB each)
    # make it vary.
    grown = max(held[-4:]) - min(held[2:6])
    assert grown < (2 + (concurrency or 0)) * MIB, [round(h / MIB, 1) for h in held]


CHILD = """
import json, resource, sys
from tests.hostile import KEY
from tests.hostile.server import serve
from tests.hostile.test_walk_memory import pages_of
from cubicasa import CubiCasa

def vmhwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

script = pages_of(10, 1024 * 1024)
with serve(script) as server, CubiCasa(api_key=KEY, base_url=server.base_url) as client:
    client.orders.list(max_items=10).pages().__next__()  # warm-up: imports, a connection
    before = vmhwm()
    count = sum(1 for _ in client.orders.list(max_items=int(sys.argv[1])))
    print(json.dumps({"items": count, "growth_mib": vmhwm() - before}))
"""


@pytest.mark.slow
def test_a_walk_over_1_mib_ids_stays_within_a_few_pages_in_a_fresh_process() -> None:
    """300 items with 1 MiB IDs, 10 a page: peak RSS grows by a few pages' worth (the page being
    read, decoded and checked), not by the 300 MiB of IDs."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "300"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["items"] == 300
    assert figures["growth_mib"] < 120, figures
