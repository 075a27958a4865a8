"""The README's "Command line" tour runs as written, against the fake over HTTP."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cubicasa.testing import FakeCubiCasa
from tests.conftest import ROOT


def section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Command line", 1)[1].split("\n## ", 1)[0]


@pytest.mark.slow
def test_the_tour_runs(tmp_path: Path) -> None:
    blocks = re.findall(r"```sh\n(.*?)```", section(), flags=re.S)
    assert blocks
    fake = FakeCubiCasa()
    with fake.serve() as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUBICASA_")}
        env |= {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            "CUBICASA_API_KEY": fake.api_key,
            "CUBICASA_BASE_URL": server.base_url,
        }
        for block in blocks:
            done = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", block],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "plan.pdf").read_bytes().startswith(b"%PDF-")
    assert fake.requests_to("createChangeRequest")
    assert fake.webhook_config["webhook_urls"][0].startswith(
        "https://hooks.example.com/cubicasa?token="
    )
