"""`python -m cubicasa.testing serve`, and the pytest fixtures as the testing guide shows them."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import httpx
import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_serve_command_runs_the_fake_over_http() -> None:
    command = [
        sys.executable,
        "-m",
        "cubicasa.testing",
        "serve",
        "--port",
        "0",
        "--api-key",
        "cli-key",
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            base_url = re.search(r"(http://127\.0\.0\.1:\d+/api/integrate/v3)", line)
            assert base_url, line
            answer = httpx.get(base_url[1] + "/users", headers={"api-key": "cli-key"}, timeout=5)
            assert answer.status_code == 200
            assert len(answer.json()["items"]) == 4
            assert httpx.get(base_url[1] + "/users", timeout=5).status_code == 401
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
    assert process.returncode == 0


@pytest.mark.slow
def test_the_guides_testing_example_passes_with_the_fixtures(tmp_path: object) -> None:
    from tests.docs_pages import page

    example = re.findall(r"```python\n(.*?)```", page("guides/testing.md"), flags=re.S)[0]
    folder = ROOT / ".pytest_cache" / "readme-example"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "test_readme_example.py").write_text(example, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": ""}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)],
        capture_output=True,
        text=True,
        cwd=folder,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b[3-9] passed", done.stdout), done.stdout
