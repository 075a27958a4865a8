"""`make bench`: the client's speed and memory, each measured beside its baseline in one run.

Writes benchmarks/results.json (one object: the figures below, plus machine, Python and package
versions) and prints a table. Every figure is the median of repeated runs, with its spread
(min, max). Nothing here is a timed assertion: the walks and the download are checked for
correctness, the times are only reported.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BASE_PATH = "/api/integrate/v3"

TARGETS = {
    "overhead_ratio_inprocess": ("<=", 1.5),
    "overhead_ratio_loopback": ("<=", 1.15),
    "decode_ratio": ("<=", 3.0),
    "conformance_ratio_inprocess": ("<=", 1.5),
    "conformance_ratio_loopback": ("<=", 1.15),
    "list_10k_speedup": (">=", 5.0),
    "list_10k_speedup_conformance_off": ("report", None),
    "list_10k_items_per_s": ("report", None),
    "download_rss_growth_mib": ("<=", 32.0),
    "import_ratio": ("<=", 1.5),
    "import_pulls_pydantic": ("==", False),
    "cli_help_ms": ("<=", 1000.0),
    "cli_help_ratio": ("report", None),
    "httpx_import_ratio_cli_extra": ("report", None),
    "change_pass_10k_ratio": ("<=", 1.5),
    "change_first_pass_10k_ratio": ("report", None),
    "change_pass_10k_peak_ratio": ("<=", 1.5),
}


def summary(samples: list[float], digits: int = 3) -> dict[str, Any]:
    return {
        "median": round(statistics.median(samples), digits),
        "spread": [round(min(samples), digits), round(max(samples), digits)],
        "runs": len(samples),
    }


@contextmanager
def server(kind: str, *extra: str) -> Iterator[str]:
    """Start benchmarks/servers.py KIND in its own process; yields its origin."""
    with tempfile.TemporaryDirectory() as scratch:
        port_file = Path(scratch) / "port"
        process = subprocess.Popen(
            [sys.executable, str(HERE / "servers.py"), kind, str(port_file), *extra]
        )
        try:
            deadline = time.monotonic() + 60
            while not port_file.exists() or not port_file.read_text():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the {kind} server did not start")
                time.sleep(0.05)
            yield f"http://127.0.0.1:{port_file.read_text()}"
        finally:
            process.terminate()
            process.wait(timeout=10)


def paired_ratio(
    raw: Callable[[], object], facade: Callable[[], object], calls: int, rounds: int
) -> dict[str, Any]:
    """Median over rounds of (facade time / raw time). Within a round the two alternate in
    blocks of 20 calls, so that both see the same machine and server conditions."""
    for _ in range(calls // 5):  # warm both paths
        raw()
        facade()
    block = 20
    ratios, raw_us, facade_us = [], [], []
    for round_number in range(rounds):
        totals = {"raw": 0.0, "facade": 0.0}
        for block_number in range(calls // block):
            order = (("raw", raw), ("facade", facade))
            flip = (round_number + block_number) % 2
            for name, call in order[::-1] if flip else order:
                started = time.perf_counter()
                for _ in range(block):
                    call()
                totals[name] += time.perf_counter() - started
        ratios.append(totals["facade"] / totals["raw"])
        raw_us.append(totals["raw"] / calls * 1e6)
        facade_us.append(totals["facade"] / calls * 1e6)
    result = summary(ratios)
    result["raw_us"] = summary(raw_us, 1)["median"]
    result["facade_us"] = summary(facade_us, 1)["median"]
    return result


def overhead_inprocess(body: bytes | None = None) -> dict[str, Any]:
    from benchmarks.servers import CANNED
    from cubicasa import CubiCasa

    content = CANNED if body is None else body

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=content, headers={"Content-Type": "application/json"})

    transport = httpx.MockTransport(answer)
    base = "http://127.0.0.1" + BASE_PATH
    raw = httpx.Client(transport=transport, base_url=base)
    client = CubiCasa(api_key="k", base_url=base, http_client=httpx.Client(transport=transport))
    path = "/orders/o1/change-requests/cr1"
    result = paired_ratio(
        lambda: raw.get(path).json(),
        lambda: client.orders.change_requests.get("o1", "cr1"),
        calls=1000,
        rounds=9,
    )
    raw.close()
    client.close()
    return result


def overhead_loopback(kind: str = "canned") -> dict[str, Any]:
    from cubicasa import CubiCasa

    with server(kind) as origin:
        base = origin + BASE_PATH
        raw = httpx.Client(base_url=base)
        client = CubiCasa(api_key="k", base_url=base)
        path = "/orders/o1/change-requests/cr1"
        result = paired_ratio(
            lambda: raw.get(path).json(),
            lambda: client.orders.change_requests.get("o1", "cr1"),
            calls=400,
            rounds=15,
        )
        raw.close()
        client.close()
    return result


def order_page_body(count: int = 100) -> bytes:
    """A listOrders page of `count` orders, exactly as the fake answers it (no delivery_assets)."""
    from cubicasa.testing import FakeCubiCasa

    fake = FakeCubiCasa("bench-key", seed=False)
    for n in range(count):
        fake.add_order(external_id=f"bench-{n:05d}", order_id=f"order-{n:05d}")
    with httpx.Client(transport=fake.transport, base_url="http://fake" + BASE_PATH) as raw:
        answer = raw.get("/orders", params={"limit": count}, headers={"api-key": "bench-key"})
    answer.raise_for_status()
    if len(answer.json()["items"]) != count:
        raise AssertionError("the fake did not answer with a whole page")
    return answer.content


def decode() -> dict[str, Any]:
    """(json.loads + OrderList.from_dict) / json.loads of one 100-order page, interleaved in blocks
    like the overhead ratios, with the garbage collector on (as in a real walk)."""
    from cubicasa_api.models import OrderList

    body = order_page_body()
    page = OrderList.from_dict(json.loads(body))
    if [item.id for item in page.items] != [f"order-{n:05d}" for n in reversed(range(100))]:
        raise AssertionError("the decoded page does not hold the orders sent")
    result = paired_ratio(
        lambda: json.loads(body),
        lambda: OrderList.from_dict(json.loads(body)),
        calls=200,
        rounds=9,
    )
    result["json_us"] = result.pop("raw_us")
    result["json_and_models_us"] = result.pop("facade_us")
    return result


EXPECTED_IDS = [f"order-{n:05d}" for n in reversed(range(10_000))]  # newest first


def walk(base: str, concurrency: int | None, conformance: str | None = None) -> float:
    from cubicasa import CubiCasa

    with CubiCasa(api_key="bench-key", base_url=base, conformance=conformance) as client:
        started = time.perf_counter()
        ids = [o.id for o in client.orders.list(page_size=100, concurrency=concurrency)]
        elapsed = time.perf_counter() - started
    if ids != EXPECTED_IDS:
        raise AssertionError("the walk did not return every order exactly once, in order")
    return elapsed


def list_walks() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The speedup in the default conformance mode, and with `conformance="off"`, in alternating
    rounds against one server (the default mode's figure is the one with a target)."""
    samples: dict[str | None, tuple[list[float], list[float]]] = {None: ([], []), "off": ([], [])}
    with server("orders", "0.02") as origin:
        base = origin + BASE_PATH
        for _ in range(7):  # the figure is noisy near its bar: seven pairs
            for mode, (sequential, concurrent) in samples.items():
                sequential.append(walk(base, None, mode))
                concurrent.append(walk(base, 8, mode))
    speedups = []
    for sequential, concurrent in samples.values():
        speedup = summary([s / c for s, c in zip(sequential, concurrent, strict=True)], 2)
        speedup["sequential_s"] = summary(sequential)["median"]
        speedup["concurrent_s"] = summary(concurrent)["median"]
        speedups.append(speedup)
    with server("orders") as origin:
        rates = [10_000 / walk(origin + BASE_PATH, None) for _ in range(3)]
    return speedups[0], speedups[1], summary(rates, 0)


def download_rss() -> dict[str, Any]:
    from benchmarks.servers import stream_sha256

    expected = stream_sha256()
    growth = []
    with server("stream") as origin, tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "combined.pdf"
        for _ in range(3):
            done = subprocess.run(
                [sys.executable, str(HERE / "download_child.py"), origin + BASE_PATH, str(target)],
                capture_output=True,
                text=True,
                check=True,
            )
            growth.append(json.loads(done.stdout)["growth_mib"])
            digest = hashlib.sha256()
            with target.open("rb") as saved:
                for block in iter(lambda: saved.read(1 << 20), b""):
                    digest.update(block)
            if digest.hexdigest() != expected:
                raise AssertionError("the downloaded file differs from what was sent")
            target.unlink()
        contrast = subprocess.run(
            [sys.executable, str(HERE / "download_child.py"), origin + BASE_PATH, str(target),
             "memory"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    result = summary(growth, 1)
    result["in_memory_contrast_mib"] = round(json.loads(contrast.stdout)["growth_mib"], 1)
    return result


def clean_python(extras: str = "") -> tuple[str, str]:
    """A virtual environment with only the package (with `extras`, e.g. "[cli]") and its runtime
    dependencies, so that development tools installed beside httpx do not distort the times."""
    folder = Path(tempfile.mkdtemp(prefix="cubicasa-bench-venv-"))
    uv = os.environ.get("UV") or "uv"
    env = {k: v for k, v in os.environ.items() if not k.startswith("UV_")} | {"UV_NO_CONFIG": "1"}
    try:
        subprocess.run(
            [uv, "venv", "-q", "--python", sys.executable, str(folder)], check=True, env=env
        )
        python = str(folder / "bin" / "python")
        subprocess.run(
            [uv, "pip", "install", "-q", "--python", python, f"{ROOT}{extras}"], check=True, env=env
        )
        return python, f"clean venv (the package{extras or ''} and its dependencies only)"
    except (OSError, subprocess.CalledProcessError):
        return sys.executable, "development venv (a clean one could not be made)"


def import_times(python: str) -> tuple[dict[str, Any], bool]:
    def once(module: str) -> float:
        started = time.perf_counter()
        subprocess.run([python, "-c", f"import {module}"], check=True)
        return time.perf_counter() - started

    once("cubicasa")
    once("httpx")
    ours, theirs = [], []
    for _ in range(15):
        theirs.append(once("httpx"))
        ours.append(once("cubicasa"))
    result = summary([a / b for a, b in zip(ours, theirs, strict=True)])
    result["cubicasa_ms"] = round(statistics.median(ours) * 1000, 1)
    result["httpx_ms"] = round(statistics.median(theirs) * 1000, 1)
    probe = "import sys, cubicasa; print('pydantic' in sys.modules)"
    pulls = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True)
    return result, pulls.stdout.strip() == "True"


def met(key: str, value: Any) -> bool | None:
    kind, target = TARGETS[key]
    if kind == "<=":
        return bool(value <= target)
    if kind == ">=":
        return bool(value >= target)
    if kind == "==":
        return bool(value == target)
    return None


SECTIONS: dict[str, Callable[[], dict[str, Any]]] = {}


def _section(name: str) -> Callable[[Callable[[], dict[str, Any]]], Callable[[], dict[str, Any]]]:
    def register(function: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
        SECTIONS[name] = function
        return function

    return register


@_section("inprocess")
def _inprocess() -> dict[str, Any]:
    return {"overhead_ratio_inprocess": overhead_inprocess()}


@_section("loopback")
def _loopback() -> dict[str, Any]:
    return {"overhead_ratio_loopback": overhead_loopback()}


@_section("decode")
def _decode() -> dict[str, Any]:
    return {"decode_ratio": decode()}


@_section("conformance")
def _conformance() -> dict[str, Any]:
    """The overhead ratios again, in the default conformance mode (log), with an answer that has
    three unknown fields: each call finds them; the log line comes once."""
    import logging

    from benchmarks.servers import CANNED_UNKNOWN

    logging.getLogger("cubicasa.conformance").addHandler(logging.NullHandler())
    os.environ.pop("CUBICASA_CONFORMANCE", None)
    return {
        "conformance_ratio_inprocess": overhead_inprocess(CANNED_UNKNOWN),
        "conformance_ratio_loopback": overhead_loopback("canned-unknown"),
    }


@_section("lists")
def _lists() -> dict[str, Any]:
    speedup, speedup_off, rate = list_walks()
    return {
        "list_10k_speedup": speedup,
        "list_10k_speedup_conformance_off": speedup_off,
        "list_10k_items_per_s": rate,
    }


@_section("download")
def _download() -> dict[str, Any]:
    return {"download_rss_growth_mib": download_rss()}


@_section("imports")
def _imports() -> dict[str, Any]:
    python, where = clean_python()
    ratio, pulls = import_times(python)
    ratio["environment"] = where
    return {
        "import_ratio": ratio,
        "import_pulls_pydantic": {"median": pulls, "spread": [pulls, pulls], "runs": 1},
    }


@_section("cli")
def _cli() -> dict[str, Any]:
    from benchmarks.cli import figures

    plain, where = clean_python()
    with_cli, where_cli = clean_python("[cli]")
    results = figures(plain, with_cli)
    results["cli_help_ratio"]["environment"] = where_cli
    results["httpx_import_ratio_cli_extra"]["environment"] = f"{where_cli} vs {where}"
    return results


@_section("changes")
def _changes() -> dict[str, Any]:
    """A change-feed pass (nothing changed, and the first: 10,000 changes) over the pager's walk
    of the same 10,000 orders, and its peak memory beside the walk's."""
    from benchmarks.changes import figures

    with server("orders", "0.02") as origin:
        return figures(origin + BASE_PATH, summary)


def run_section(name: str) -> dict[str, Any]:
    """Each section in a fresh process, so that none measures what another left behind (heap,
    threads, caches)."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__)), "--section", name],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark section {name} failed:\n{done.stdout}{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    sys.path.insert(0, str(ROOT))
    if len(sys.argv) == 3 and sys.argv[1] == "--section":
        print(json.dumps(SECTIONS[sys.argv[2]]()))
        return 0
    started = time.monotonic()
    results: dict[str, Any] = {}
    for name in SECTIONS:
        print(f"{name} ...", flush=True)
        results.update(run_section(name))
    for key in TARGETS:
        figure = results[key]
        figure["target"] = " ".join(str(p) for p in TARGETS[key] if p is not None)
        figure["met"] = met(key, figure["median"])
    results["machine"] = {
        "platform": platform.platform(),
        "processor": platform.machine(),
        "cpus": os.cpu_count(),
    }
    results["python"] = platform.python_version()
    results["packages"] = {
        name: metadata.version(name)
        for name in ("cubicasa-integrate", "httpx", "attrs", "pydantic", "click", "rich")
    }
    results["seconds"] = round(time.monotonic() - started, 1)
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(table(results))
    return 0


def table(results: dict[str, Any]) -> str:
    lines = [
        "| figure | median | spread (min-max) | target | met |",
        "| --- | --- | --- | --- | --- |",
    ]
    for key in TARGETS:
        figure = results[key]
        low, high = figure["spread"]
        state = {True: "yes", False: "NO", None: "-"}[figure["met"]]
        lines.append(
            f"| `{key}` | {figure['median']} | {low} - {high} | {figure['target']} | {state} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
