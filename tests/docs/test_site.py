"""The documentation site builds with `mkdocs build --strict` and renders in a real browser:
headless Chromium opens the quick start and a reference page, served on 127.0.0.1, runs their
scripts, and leaves screenshots in `.artifacts/docs/` (ignored by git) to look at."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import ROOT

ARTIFACTS = ROOT / ".artifacts" / "docs"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]


def chromium() -> str:
    """The Chromium binary, installed from Debian's `chromium` package when absent (as root)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "chromium"],
            capture_output=True, timeout=900, check=False,
        )  # fmt: skip
        found = shutil.which("chromium")
    if found is None:
        pytest.fail("no Chromium: install the Debian package `chromium` (apt-get install chromium)")
    return found


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site, built strictly into a scratch folder and served on a free port."""
    built = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(built)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    handler = functools.partial(_Quiet, directory=str(built))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def render(url: str, screenshot: Path, profile: Path) -> str:
    """The page's DOM after its scripts ran, and a screenshot of it."""
    browser = chromium()
    common = [browser, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=5000"]
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    shot = subprocess.run(
        [*common, "--window-size=1280,1600", f"--screenshot={screenshot}", url],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert shot.returncode == 0, shot.stderr[-2000:]
    dom = subprocess.run(
        [*common, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=False
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    return dom.stdout


@pytest.mark.slow
def test_the_quick_start_page_renders(site: str, tmp_path: Path) -> None:
    dom = render(f"{site}/quickstart/", ARTIFACTS / "quickstart.png", tmp_path / "profile")
    assert "no-js" not in dom.split("<head", 1)[0]  # the theme's scripts ran (they drop it)
    assert "Try it in five commands, on the fake" in dom
    assert "md-code__button" in dom  # the copy buttons the theme's script adds
    assert "examples/quickstart.py" in dom
    assert (ARTIFACTS / "quickstart.png").stat().st_size > 10_000


@pytest.mark.slow
def test_a_reference_page_renders_from_the_docstrings(site: str, tmp_path: Path) -> None:
    dom = render(f"{site}/reference/models/", ARTIFACTS / "reference-models.png", tmp_path / "p")
    assert 'id="cubicasa.models.ChangeRequest"' in dom
    assert "A fix request on an order" in dom  # the generated model's docstring
    assert 'id="cubicasa.models.Unset"' in dom or "Unset" in dom
    client = render(f"{site}/reference/client/", ARTIFACTS / "reference-client.png", tmp_path / "q")
    assert 'id="cubicasa.CubiCasa"' in client
    assert (ARTIFACTS / "reference-models.png").stat().st_size > 10_000
