"""The pagination and webhook-body figures of the README's "Reliability" table: each attack over
real HTTP on 127.0.0.1 against a client with DEFAULT settings, each in a fresh process.

    python -m tests.facade.measure_pagination             # every attack, one after another
    python -m tests.facade.measure_pagination back        # one

For each: what the walk ended in, milliseconds until then, peak RSS growth during it
(resource.getrusage), and the requests the server received. Not a test: nothing is asserted.
"""

from __future__ import annotations

import contextlib
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx

from cubicasa import CubiCasa, PaginationError
from tests.facade.conftest import PREFIX, Recorder, _Server
from tests.facade.test_pagination_hostile import first_page_then, offset_of, order, raw_page

Handler = Callable[[httpx.Request], Any]
BACK = {0: 200, 200: 10, 10: 190, 190: 20}


def _back(request: httpx.Request) -> Any:
    offset = int(offset_of(request))
    items = [order(offset + n) for n in range(20)]
    return raw_page(items, {"has_more": True, "next_offset": BACK.get(offset, offset + 21)})


def _same_forever(request: httpx.Request) -> Any:
    next_offset = int(offset_of(request)) + 21
    return raw_page([order(n) for n in range(20)], {"has_more": True, "next_offset": next_offset})


def _new_forever(request: httpx.Request) -> Any:
    offset = int(offset_of(request))
    items = [order(offset + n) for n in range(20)]
    return raw_page(items, {"has_more": True, "next_offset": offset + 20})


def _overlapping(request: httpx.Request) -> Any:
    """Pages overlapping by 5 items, as when 5 orders are created before each page is read."""
    offset = int(offset_of(request))
    start = offset - 5 if offset else 0
    items = [order(n) for n in range(start, min(start + 20, 1000))]
    return raw_page(items, {"has_more": start + 20 < 1000, "next_offset": offset + 20})


# name: (attack, handler, list() arguments)
WALKS: dict[str, tuple[str, Handler, dict[str, Any]]] = {
    "true": ("`next_offset: true`", first_page_then({"has_more": True, "next_offset": True}), {}),
    "negative": ("`next_offset: -21`", first_page_then({"has_more": True, "next_offset": -21}), {}),
    "has_more": ('`has_more: "false"`', first_page_then({"has_more": "false"}), {}),
    "back": ("offsets going back to unseen offsets", _back, {}),
    "same": ("`has_more: true` for ever, the same items", _same_forever, {}),
    "new": ("`has_more: true` for ever, new items", _new_forever, {"max_items": 1000}),
    "overlap": ("pages overlapping by 5 items (1,000 orders)", _overlapping, {}),
}  # fmt: skip
SECRET = "a-secret-of-32-characters-or-so!"
BODIES = {
    "surrogate": ("webhook `str` body with a lone surrogate", '{"id": "\ud800"}'),
    "digits": ("webhook body with a 5000-digit integer", '{"id": "x", "n": ' + "9" * 5000 + "}"),
}


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _walk(name: str, concurrency: int | None) -> dict[str, Any]:
    attack, handler, kwargs = WALKS[name]
    recorder = Recorder(handler)
    server = _Server(recorder)
    try:
        with CubiCasa(api_key="measure-key", base_url=server.url + PREFIX) as client:
            with contextlib.suppress(PaginationError):  # warm-up: imports, connection
                list(client.orders.list(max_items=20))
            recorder.requests.clear()
            before, start = _rss_mib(), time.perf_counter()
            try:
                ids = [o.id for o in client.orders.list(concurrency=concurrency, **kwargs)]
                outcome = f"{len(ids)} items, {len(set(ids))} distinct"
            except PaginationError:
                outcome = "PaginationError"
            elapsed = time.perf_counter() - start
    finally:
        server.stop()
    return {
        "attack": attack,
        "concurrency": concurrency,
        "outcome": outcome,
        "ms": round(elapsed * 1000, 1),
        "rss_mib": round(_rss_mib() - before, 1),
        "requests": len(recorder.requests),
    }


def _body(name: str) -> dict[str, Any]:
    from cubicasa.webhooks import WebhookPayloadError, handle

    attack, body = BODIES[name]
    url = f"https://hooks.agency.test/?token={SECRET}"
    handle('{"id": "warm-up", "current_status": "Ready"}', url, secret=SECRET)
    before, start = _rss_mib(), time.perf_counter()
    try:
        handle(body, url, secret=SECRET)
        outcome = "accepted"
    except WebhookPayloadError as exc:
        outcome = f"WebhookPayloadError: {exc}"[:90]
    elapsed = time.perf_counter() - start
    return {
        "attack": attack,
        "outcome": outcome,
        "ms": round(elapsed * 1000, 2),
        "rss_mib": round(_rss_mib() - before, 1),
    }


def main(names: list[str]) -> None:
    if len(names) == 2 and names[0] in WALKS:  # the child: one walk
        concurrency = None if names[1] == "-" else int(names[1])
        print(json.dumps(_walk(names[0], concurrency)))
        return
    if len(names) == 1 and names[0] in BODIES:
        print(json.dumps(_body(names[0])))
        return
    runs: list[list[str]] = []
    for name in names or [*WALKS, *BODIES]:
        runs += [[name, "-"], [name, "4"]] if name in WALKS else [[name]]
    for run in runs:
        done = subprocess.run(
            [sys.executable, "-m", "tests.facade.measure_pagination", *run],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        print(done.stdout.strip())


if __name__ == "__main__":
    main(sys.argv[1:])
