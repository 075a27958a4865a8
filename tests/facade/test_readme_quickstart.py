"""The README's first screen works as written: its five commands from a fresh clone (set-up,
the fake served, two variables, the quick start, one command), and the quick start it shows is
`examples/quickstart.py`, which prints delivered orders of the fake and creates a draft."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cubicasa.testing import FakeCubiCasa
from tests.conftest import ROOT
from tests.docs_pages import page, section
from tests.servers import unused_port

QUICK_START = ROOT / "examples" / "quickstart.py"
FIRST = "Try it in five commands, on the fake"


def readme_section() -> str:
    return section((ROOT / "README.md").read_text(encoding="utf-8"), FIRST)


def commands() -> list[str]:
    block = re.findall(r"```sh\n(.*?)```", readme_section(), flags=re.S)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_the_first_screen_has_five_commands_and_shows_the_quick_start_file() -> None:
    steps = commands()
    assert len(steps) == 5
    assert steps[0] == "make install"
    assert "fake serve" in steps[1]
    assert steps[3].endswith("examples/quickstart.py")
    shown = re.findall(r"```python\n(.*?)```", readme_section(), flags=re.S)[0]
    assert shown == QUICK_START.read_text(encoding="utf-8")
    assert readme_section() in page("quickstart.md").replace("(guides/", "(docs/guides/")


@pytest.mark.slow
def test_the_quick_start_prints_delivered_orders_and_a_draft() -> None:
    fake = FakeCubiCasa()
    with fake.serve() as server:
        env = {**os.environ, "CUBICASA_API_KEY": fake.api_key, "CUBICASA_BASE_URL": server.base_url}
        done = subprocess.run(
            [sys.executable, str(QUICK_START)],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == (
        "312babc6-e742-4d54-ac49-e0f7b16ec15a Ready 121 North Washington Avenue, Minneapolis"
    )
    assert len(lines) == 3
    assert lines[-1].startswith("draft ")
    assert lines[-1].split()[1] in fake.orders


@pytest.mark.slow
def test_the_five_commands_run_as_written(tmp_path: Path) -> None:
    """Commands 2 to 5 in one shell, from the repository, as pasted (after `make install`,
    which this environment has done): the fake on a free port instead of 8080."""
    port = str(unused_port())
    steps = [step.replace("8080", port) for step in commands()[1:]]
    log = tmp_path / "fake.log"
    script = "\n".join([
        "set -euo pipefail",
        steps[0].replace("fake serve &", f"fake serve --port {port} > {log} 2>&1 &"),
        'fake=$!; trap \'kill "$fake"\' EXIT',
        f"for _ in $(seq 100); do grep -q serving {log} && break; sleep 0.1; done",
        *steps[1:],
    ])  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUBICASA_")}
    done = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=env | {"COLUMNS": "80"},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "312babc6-e742-4d54-ac49-e0f7b16ec15a Ready" in done.stdout
    assert "draft " in done.stdout
    # stdout is a pipe here, so the command line prints JSON Lines: two Ready orders in the seed.
    assert done.stdout.count('"status": "Ready"') == 2
