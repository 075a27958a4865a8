"""`cubicasa` as a user runs it: a separate process, over HTTP to the fake on 127.0.0.1."""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cubicasa.cli._exit import ExitCode
from cubicasa.testing import FakeCubiCasa, FakeServer
from tests.servers import unused_port

pytestmark = pytest.mark.slow  # every test here runs a subprocess

CONSOLE_SCRIPT = str(Path(sys.executable).parent / "cubicasa")
READY_ORDER = "312babc6-e742-4d54-ac49-e0f7b16ec15a"
DRAFT_ORDER = "c8a11daa-86ad-43ad-8ab3-756c741d1db6"


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeCubiCasa().serve() as running:
        yield running


def environment(server: FakeServer, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUBICASA_")}
    return env | {"CUBICASA_API_KEY": server.fake.api_key, "CUBICASA_BASE_URL": server.base_url,
                  "COLUMNS": "200"} | extra  # fmt: skip


def run(command: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=120, check=False, **kwargs
    )


def api_json(server: FakeServer, path: str) -> Any:
    answer = httpx.get(server.base_url + path, headers={"api-key": server.fake.api_key},
                       params={"limit": 1000}, timeout=10)  # fmt: skip
    return answer.json()


def test_python_dash_m_lists_orders_as_json_lines(server: FakeServer) -> None:
    done = run([sys.executable, "-m", "cubicasa", "orders", "list"], environment(server))
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines == api_json(server, "/orders")["items"]
    assert done.stderr == ""


def test_console_script_version_get_and_a_wrong_key(server: FakeServer) -> None:
    from cubicasa import __version__

    version = run([CONSOLE_SCRIPT, "--version"], environment(server))
    assert version.stdout == f"cubicasa-integrate, version {__version__}\n"
    got = run([CONSOLE_SCRIPT, "orders", "get", READY_ORDER], environment(server))
    assert json.loads(got.stdout) == api_json(server, f"/orders/{READY_ORDER}")
    wrong = run([CONSOLE_SCRIPT, "company", "get"],
                environment(server, CUBICASA_API_KEY="not-the-key-42"))  # fmt: skip
    assert wrong.returncode == ExitCode.AUTH
    assert wrong.stdout == ""
    assert "CUBICASA_API_KEY" in wrong.stderr
    assert "not-the-key-42" not in wrong.stderr


def test_no_server_exits_6(tmp_path: Path) -> None:
    port = unused_port()  # nothing listens there
    env = {**os.environ, "CUBICASA_API_KEY": "k",
           "CUBICASA_BASE_URL": f"http://127.0.0.1:{port}/api/integrate/v3"}  # fmt: skip
    done = run([CONSOLE_SCRIPT, "company", "get"], env)
    assert done.returncode == ExitCode.NETWORK
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("cubicasa: ")


def read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the terminal closed with the child
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_download_progress_appears_on_a_terminal_only(server: FakeServer, tmp_path: Path) -> None:
    command = [CONSOLE_SCRIPT, "orders", "pdf", READY_ORDER, "--output"]
    piped = run([*command, str(tmp_path / "piped.pdf")], environment(server))
    assert piped.returncode == 0
    assert piped.stderr == ""
    assert json.loads(piped.stdout)["path"] == str(tmp_path / "piped.pdf")

    main, child = pty.openpty()
    with subprocess.Popen(
        [*command, str(tmp_path / "tty.pdf")],
        stdout=subprocess.PIPE,
        stderr=child,
        env=environment(server, TERM="xterm"),
    ) as process:
        os.close(child)
        shown = read_all(main).decode("utf-8", "replace")
        out, _ = process.communicate(timeout=60)
    os.close(main)
    assert process.returncode == 0
    size = (tmp_path / "tty.pdf").stat().st_size
    assert f"{size}/{size} bytes" in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
    assert json.loads(out)["bytes"] == size
    assert (tmp_path / "tty.pdf").read_bytes() == (tmp_path / "piped.pdf").read_bytes()


def _hear_ctrl_c() -> None:
    """In the child: take Ctrl-C as a terminal would deliver it, even when this test runs where
    SIGINT is ignored (a background job of a shell, say), which the child would inherit."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_watch_stops_on_ctrl_c(server: FakeServer) -> None:
    with subprocess.Popen(
        [CONSOLE_SCRIPT, "orders", "watch", DRAFT_ORDER, "--interval", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(server),
        preexec_fn=_hear_ctrl_c,
    ) as process:
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())
        process.send_signal(signal.SIGINT)
        rest, err = process.communicate(timeout=60)
    assert first["info"]["status"] == "Draft"
    assert rest == ""
    assert process.returncode == ExitCode.INTERRUPTED
    assert err == f"stopped; not Ready yet: {DRAFT_ORDER}\n"


def test_fake_serve_then_commands_against_it() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUBICASA_")}
    with subprocess.Popen(
        [CONSOLE_SCRIPT, "fake", "serve", "--port", "0", "--api-key", "serve-key"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    ) as process:
        try:
            assert process.stdout is not None
            found = re.search(
                r"(http://127\.0\.0\.1:\d+/api/integrate/v3)", process.stdout.readline()
            )
            assert found
            env |= {"CUBICASA_BASE_URL": found[1], "CUBICASA_API_KEY": "serve-key"}
            users = run([CONSOLE_SCRIPT, "users", "list"], env)
            assert users.returncode == 0, users.stderr
            assert len(users.stdout.splitlines()) == 4
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
    assert process.returncode == 0


def test_a_reader_that_leaves_early_is_no_error() -> None:
    fake = FakeCubiCasa()
    for _ in range(200):
        fake.add_order(status="Pending")
    with fake.serve() as server:
        env = environment(
            server, PATH=f"{Path(CONSOLE_SCRIPT).parent}{os.pathsep}{os.environ['PATH']}"
        )
        done = run(
            ["bash", "-o", "pipefail", "-c", "cubicasa orders list --page-size 5 | head -1"], env
        )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert json.loads(done.stdout)["id"]
    assert len(fake.requests_to("listOrders")) < 40  # it stopped; the whole list is 41 pages
