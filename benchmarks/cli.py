"""The command line's figures: `cubicasa --help` start-up beside `python -c pass`, and what the
[cli] extra costs `import httpx` (httpx 0.28 imports its own command line, and with it click and
rich, whenever they are installed). Each in fresh processes, in clean virtual environments."""

from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

RUNS = 15


def _once(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def paired(ours: list[str], baseline: list[str]) -> tuple[list[float], list[float]]:
    """`RUNS` alternating timings of two commands (after one warm-up run of each)."""
    _once(ours)
    _once(baseline)
    mine, theirs = [], []
    for _ in range(RUNS):
        theirs.append(_once(baseline))
        mine.append(_once(ours))
    return mine, theirs


def figures(plain_python: str, cli_python: str) -> dict[str, Any]:
    """`plain_python`: a venv with the package alone; `cli_python`: one with its [cli] extra."""
    from benchmarks.run import summary

    console_script = str(Path(cli_python).parent / "cubicasa")
    shown = subprocess.run([console_script, "--help"], capture_output=True, text=True, check=True)
    if "Exit codes:" not in shown.stdout:
        raise AssertionError("cubicasa --help did not print its help")

    help_s, python_s = paired([console_script, "--help"], [cli_python, "-c", "pass"])
    startup = summary([a / b for a, b in zip(help_s, python_s, strict=True)], 2)
    startup["cubicasa_help_ms"] = round(statistics.median(help_s) * 1000, 1)
    startup["python_pass_ms"] = round(statistics.median(python_s) * 1000, 1)

    with_extra, without = paired(
        [cli_python, "-c", "import httpx"], [plain_python, "-c", "import httpx"]
    )
    httpx_cost = summary([a / b for a, b in zip(with_extra, without, strict=True)], 2)
    httpx_cost["with_extra_ms"] = round(statistics.median(with_extra) * 1000, 1)
    httpx_cost["without_ms"] = round(statistics.median(without) * 1000, 1)
    check = "import sys, httpx; print('click' in sys.modules, 'rich' in sys.modules)"
    pulled = subprocess.run(
        [cli_python, "-c", check], capture_output=True, text=True, check=True
    ).stdout.split()
    httpx_cost["imports_click_and_rich"] = pulled == ["True", "True"]
    return {
        "cli_help_ms": summary([s * 1000 for s in help_s], 1),
        "cli_help_ratio": startup,
        "httpx_import_ratio_cli_extra": httpx_cost,
    }
