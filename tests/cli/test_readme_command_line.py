"""The command-line guide's tour runs as written, against the fake over HTTP; so does the testing
guide's control-API example (`cubicasa fake serve` on a free port instead of 8080)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cubicasa.testing import FakeCubiCasa
from tests.docs_pages import page
from tests.servers import unused_port


def section() -> str:
    return page("guides/command-line.md")


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


@pytest.mark.slow
def test_the_control_api_example_runs(tmp_path: Path) -> None:
    block = re.findall(r"```sh\n(.*?)```", page("guides/testing.md"), flags=re.S)[-1]
    assert "/_fake" in block
    port = str(unused_port())
    script = block.replace("8080", port).replace(
        "cubicasa fake serve --port", f"cubicasa fake serve > {tmp_path / 'log'} --port"
    )
    waits = f"for _ in $(seq 100); do grep -q serving {tmp_path / 'log'} && break; sleep 0.1; done"
    script = script.replace(
        "\nfake=", f"\nfake_pid=$!; trap 'kill $fake_pid' EXIT\n{waits}\nfake=", 1
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUBICASA_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == '{"ok": true}' * 3
