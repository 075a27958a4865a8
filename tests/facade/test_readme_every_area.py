"""The client guide's "Every area" example runs as pasted (against the fake CubiCasa over HTTP) and
passes `mypy --strict`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cubicasa.testing import FakeCubiCasa
from tests.conftest import ROOT
from tests.docs_pages import page

pytestmark = pytest.mark.slow  # every test here runs a subprocess


def _every_area() -> str:
    section = page("guides/client.md").split("## Every area, sync and async", 1)[1]
    section = section.split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "the section has one python block"
    return str(blocks[0])


def test_the_every_area_example_runs_against_the_fake(tmp_path: Path) -> None:
    fake = FakeCubiCasa()
    with fake.serve() as server:
        env = {
            **os.environ,
            "CUBICASA_API_KEY": fake.api_key,
            "CUBICASA_BASE_URL": server.base_url,
        }
        done = subprocess.run(
            [sys.executable, "-c", _every_area()],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "plan.pdf").read_bytes().startswith(b"%PDF")
    assert len(done.stdout.splitlines()) == 2
    for operation in (
        "listOrders",
        "getOrder",
        "getOrderCombinedPdf",
        "createChangeRequest",
        "createUser",
        "updateCompanyWebhooks",
        "listUsers",
        "createDraftOrder",
        "deleteDraftOrder",
    ):
        assert fake.requests_to(operation), operation


def test_the_every_area_example_passes_mypy_strict(tmp_path: Path) -> None:
    script = tmp_path / "every_area.py"
    script.write_text(_every_area(), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(script)],
        cwd=ROOT,  # the project's mypy settings and cache (the libraries are not re-read)
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
