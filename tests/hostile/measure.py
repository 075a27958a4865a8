"""The figures of the README's "Reliability" table: each attack against a client with DEFAULT
settings (60 s timeout, 2 retries, 64 MiB cap, 1 KiB/s download floor), in a fresh process.

    python -m tests.hostile.measure            # every attack, in parallel, about 3 minutes
    python -m tests.hostile.measure bomb_200   # one

For each: seconds until the call failed, peak RSS growth during the call (resource.getrusage),
requests the server received, and the error. Not a test: timings are reported, never asserted.
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.hostile import CHANGE_REQUEST, KEY, PDF
from tests.hostile.server import (
    Script,
    answer,
    bomb,
    cut,
    drip,
    drip_headers,
    echo_headers,
    not_gzip,
    redirect,
    sequence,
    serve,
    stall,
)
from tests.hostile.test_walk_memory import pages_of


def _get(client: Any) -> Any:
    return client.orders.change_requests.get("o-1", "cr-1")


def _post(client: Any) -> Any:
    return client.orders.change_requests.create("o-1", text="fix")


def _download(client: Any) -> Any:
    return client.orders.download_combined_pdf("o-1", Path(tempfile.mkdtemp()) / "plan.pdf")


def _walk_3000(client: Any) -> Any:
    return sum(1 for _ in client.orders.list(max_items=3000))


NESTED = b"[" * 100_000
PDF_DRIP = {"content_type": "application/pdf", "every": 1.0, "byte": b"%"}

# name: (attack, script, call, async?)
ATTACKS: dict[str, tuple[str, Script, Callable[[Any], Any], bool]] = {
    "drip_body_get": ("GET, body at 1 byte/s", drip(every=1.0), _get, False),
    "drip_body_get_async": ("the same, async", drip(every=1.0), _get, True),
    "drip_headers_get": ("GET, headers at 1 byte/s", drip_headers(1.0), _get, False),
    "drip_body_post": ("POST, body at 1 byte/s", drip(every=1.0), _post, False),
    "drip_download": ("download at 1 byte/s", drip(**PDF_DRIP), _download, False),  # type: ignore[arg-type]
    "drip_download_async": ("the same, async", drip(**PDF_DRIP), _download, True),  # type: ignore[arg-type]
    "stall_download": ("download stalls halfway", stall(200, PDF, len(PDF) // 2), _download, False),
    "bomb_200": ("gzip bomb, 2 MB -> 2 GiB, 200 JSON", bomb(200), _get, False),
    "bomb_502": ("the same as a 502 error page", bomb(502), _get, False),
    "bomb_200_async": ("gzip bomb 200, async", bomb(200), _get, True),
    "bomb_download": (
        "gzip bomb as the PDF (server ignores `identity`)",
        bomb(200, content_type="application/pdf"),
        _download,
        False,
    ),
    "charset_rot13_502": (
        "502 page with `charset=rot13`",
        answer(502, b"<h1>oops</h1>", Content_Type="text/html; charset=rot13"),
        _get,
        False,
    ),
    "not_gzip_200": ("200 saying gzip, not gzip", not_gzip(200), _get, False),
    "not_gzip_502": ("502 saying gzip, not gzip", not_gzip(502), _get, False),
    "nested_200": ("100,000 `[` as a 200 body", answer(200, NESTED), _get, False),
    "nested_500": ("100,000 `[` as a 500 body, GET", answer(500, NESTED), _get, False),
    "nested_500_post": ("the same, POST", answer(500, NESTED), _post, False),
    "cut_get": ("GET cut mid-body, every time", cut(200, CHANGE_REQUEST, 10), _get, False),
    "cut_post": ("POST cut mid-body", cut(201, CHANGE_REQUEST, 10), _post, False),
    "echo_502": ("502 page echoing the request headers", echo_headers(502), _get, False),
    "walk_1mib_ids": (
        "a walk of 3,000 orders with 1 MiB IDs, 10 a page",
        pages_of(10, 1024 * 1024),
        _walk_3000,
        False,
    ),
    "redirect_302": (
        "302 to another host, with an order body",
        redirect(302, "http://127.0.0.1:9/x", CHANGE_REQUEST),
        _get,
        False,
    ),
}


def _one(name: str) -> dict[str, Any]:
    """Run one attack in this process; the figures as a dict."""
    from cubicasa import AsyncCubiCasa, CubiCasa

    attack, script, action, is_async = ATTACKS[name]
    with serve(sequence(answer(200, CHANGE_REQUEST), script)) as server:
        if is_async:

            async def main() -> dict[str, Any]:
                async with AsyncCubiCasa(api_key=KEY, base_url=server.base_url) as client:
                    await _get(client)  # warm-up: imports and a connection
                    return await _timed(lambda: action(client), awaited=True)

            figures = asyncio.run(main())
        else:
            with CubiCasa(api_key=KEY, base_url=server.base_url) as client:
                _get(client)
                figures = _sync_timed(lambda: action(client))
        figures["requests"] = server.count - 1
    figures["attack"] = attack
    figures["key_in_message"] = KEY in figures["error"]
    return figures


def _sync_timed(run: Callable[[], Any]) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    try:
        run()
        error = "(no error)"
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    return _figures(started, before, error)


async def _timed(run: Callable[[], Any], *, awaited: bool) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    try:
        await run()
        error = "(no error)"
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    return _figures(started, before, error)


def _figures(started: float, before: int, error: str) -> dict[str, Any]:
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": round(time.monotonic() - started, 2),
        "rss_growth_mib": round((after - before) / 1024, 1),
        "peak_rss_mib": round(after / 1024, 1),
        "error": error,
    }


def _in_child(name: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.hostile.measure", "--child", name],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:]
        return {"seconds": 0, "rss_growth_mib": 0, "requests": 0, "error": f"failed: {tail}"}
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        print(json.dumps(_one(argv[1])))
        return
    names = argv or list(ATTACKS)
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        results = dict(zip(names, pool.map(_in_child, names), strict=True))
    for name, figures in results.items():
        error = figures["error"].split(":")[0]
        print(
            f"{name:22} {figures['seconds']:8.2f} s  {figures['rss_growth_mib']:7.1f} MiB  "
            f"{figures['requests']} req  key shown: {figures.get('key_in_message')}  {error}"
        )
        print(f"    {figures['error'][:300]}")


if __name__ == "__main__":
    main(sys.argv[1:])
