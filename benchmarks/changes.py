"""The change feed's figures for `make bench`: a pass over 10,000 orders beside the pager's own
walk of them (same server, page size and concurrency), and the memory a pass holds at its peak
beside the walk's own peak (the pager's buffered pages and seen IDs), with the figure for 5,000
orders beside it: the orders are streamed in batches of 200, not loaded."""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

PAGE_SIZE = 100
CONCURRENCY = 8


def _walk(client: Any) -> float:
    started = time.perf_counter()
    count = sum(1 for _ in client.orders.list(page_size=PAGE_SIZE, concurrency=CONCURRENCY))
    if count != 10_000:
        raise AssertionError(f"the walk saw {count} orders, not 10,000")
    return time.perf_counter() - started


def _pass(feed: Any, expect_changed: int, max_items: int | None = None) -> float:
    started = time.perf_counter()
    summary = feed.sync(lambda change: None, max_items=max_items)
    elapsed = time.perf_counter() - started
    if summary.changed != expect_changed or summary.failed:
        raise AssertionError(f"unexpected pass: {summary}")
    return elapsed


def _peak_mib(run: Any) -> float:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def figures(base: str, summary: Any, rounds: int = 3) -> dict[str, Any]:
    """`base`: the URL of a fake holding 10,000 orders; `summary`: run.py's median/spread."""
    from cubicasa import CubiCasa
    from cubicasa.changes import ChangeFeed

    walks, steady, first = [], [], []
    with CubiCasa(api_key="bench-key", base_url=base) as client:
        for _ in range(rounds):
            with tempfile.TemporaryDirectory() as scratch:
                store = Path(scratch) / "changes.sqlite3"
                with ChangeFeed(client, store=store, page_size=PAGE_SIZE,
                                concurrency=CONCURRENCY) as feed:  # fmt: skip
                    walks.append(_walk(client))
                    first.append(_pass(feed, 10_000))
                    steady.append(_pass(feed, 0))
        with tempfile.TemporaryDirectory() as scratch:
            store = Path(scratch) / "changes.sqlite3"
            with ChangeFeed(client, store=store, page_size=PAGE_SIZE,
                            concurrency=CONCURRENCY) as feed:  # fmt: skip
                _pass(feed, 10_000)
                walk = _peak_mib(lambda: _walk(client))
                half = _peak_mib(lambda: _pass(feed, 0, 5_000))
                whole = _peak_mib(lambda: _pass(feed, 0))
    steady_ratio = summary([s / w for s, w in zip(steady, walks, strict=True)], 2)
    steady_ratio["walk_s"] = summary(walks)["median"]
    steady_ratio["pass_s"] = summary(steady)["median"]
    first_ratio = summary([f / w for f, w in zip(first, walks, strict=True)], 2)
    first_ratio["pass_s"] = summary(first)["median"]
    peak = summary([whole / walk], 2)
    peak.update(pass_mib=round(whole, 1), pass_5k_mib=round(half, 1), walk_mib=round(walk, 1))
    return {
        "change_pass_10k_ratio": steady_ratio,
        "change_first_pass_10k_ratio": first_ratio,
        "change_pass_10k_peak_ratio": peak,
    }
