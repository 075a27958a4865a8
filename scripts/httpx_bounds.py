"""Run a focused part of the test suite with the lowest and the highest httpx `pyproject.toml`
allows (`make test-httpx-bounds`), each in its own environment beside the project, with httpx2
installed beside httpx as in a project that also uses openai-python 3.x.

    python scripts/httpx_bounds.py            # both bounds
    python scripts/httpx_bounds.py low        # one of them

The environments (`.venv-httpx-low`, `.venv-httpx-high`) are kept between runs; uv makes the
install a no-op when nothing changed and moves "high" to a newer httpx when one is released.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UV = os.environ.get("UV", "uv")
# What depends most on httpx: the client's transports, retries, errors and downloads, and the
# proxy and TLS tests.
TESTS = [
    "tests/facade/test_client.py",
    "tests/facade/test_retries_and_errors.py",
    "tests/infra",
]
# What those tests import besides the project.
TEST_DEPENDENCIES = ["pytest>=8", "pyyaml>=6", "trustme>=1.1", "httpx2>=2", "opentelemetry-api"]


def httpx_requirement() -> str:
    """The httpx requirement of the project's dependencies, e.g. `httpx>=0.27,<1`."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in project["dependencies"]:
        if re.match(r"httpx\b", requirement):
            return str(requirement).replace(" ", "")
    raise SystemExit("pyproject.toml names no httpx dependency")


def lower_bound(requirement: str) -> str:
    found = re.search(r">=\s*([0-9][0-9.]*)", requirement)
    if found is None:
        raise SystemExit(f"{requirement!r} has no lower bound (>=) to test")
    return found.group(1)


def run(*command: str) -> None:
    subprocess.run(command, check=True, cwd=ROOT)


def check(bound: str) -> None:
    requirement = httpx_requirement()
    pin = f"httpx=={lower_bound(requirement)}" if bound == "low" else requirement
    venv = ROOT / f".venv-httpx-{bound}"
    python = venv / "bin" / "python"
    if not python.exists():
        run(UV, "venv", "--quiet", "--python", sys.executable, str(venv))
    # --upgrade-package: "high" is the newest release the requirement allows, not the one cached.
    upgrade = ["--upgrade-package", "httpx"] if bound == "high" else []
    run(UV, "pip", "install", "--quiet", "--python", str(python), *upgrade,
        "-e", ".", pin, *TEST_DEPENDENCIES)  # fmt: skip
    version = subprocess.run(
        [str(python), "-c", "import httpx, httpx2; print(httpx.__version__, httpx2.__version__)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    print(f"== {bound} bound of {requirement}: httpx {version[0]} (httpx2 {version[1]} beside)")
    run(str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow", *TESTS)


def main(argv: list[str]) -> int:
    bounds = argv or ["low", "high"]
    for bound in bounds:
        if bound not in ("low", "high"):
            raise SystemExit(f"unknown bound {bound!r}: low or high")
        check(bound)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
