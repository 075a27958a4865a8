"""What a new user meets first: help when no command is given, hints that point to the right
place, and a terminal left clean."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

import pytest

from cubicasa.cli._exit import ExitCode
from cubicasa.testing import FakeCubiCasa, FakeServer
from tests.cli.conftest import Cli
from tests.cli.test_end_to_end import CONSOLE_SCRIPT, environment, read_all, server

__all__ = ["server"]  # the fixture, used below

PENDING_ORDER = "2109a900-cd75-4964-91e4-9389f06c4b05"


@pytest.mark.parametrize("words", [(), ("orders",), ("users",), ("webhooks",)])
def test_no_command_shows_the_help_on_several_lines_and_succeeds(
    cli: Cli, words: tuple[str, ...]
) -> None:
    done = cli(*words)
    assert done.code == 0
    assert done.err == ""
    assert done.out.startswith(f"Usage: cubicasa {' '.join(words)}".rstrip() + " ")
    assert done.out.count("\n") > 8
    assert "Commands:" in done.out


def test_a_missing_option_value_points_to_the_commands_help(cli: Cli) -> None:
    done = cli("orders", "list", "--status")
    assert done.code == ExitCode.USAGE
    assert "'--status' requires an argument" in done.err
    assert "(see 'cubicasa orders list --help')" in done.err


def test_an_empty_base_url_in_the_environment_is_a_configuration_error(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUBICASA_BASE_URL", "")
    done = cli("orders", "list")
    assert done.code == ExitCode.CONFIG == 8
    assert "CUBICASA_BASE_URL is set but empty" in done.err
    given = cli("orders", "list", "--base-url", "http://example.com/api")
    assert given.code == ExitCode.USAGE  # typed on the command line: a usage error


def test_the_pdf_of_an_undelivered_order_says_so(
    cli: Cli, fake: FakeCubiCasa, tmp_path: Path
) -> None:
    done = cli("orders", "pdf", PENDING_ORDER, "--output", str(tmp_path / "plan.pdf"))
    assert done.code == ExitCode.NOT_FOUND
    assert "has no combined PDF yet: its status is Pending" in done.err
    assert "check the ID" not in done.err
    unknown = cli("orders", "pdf", "no-such-order", "--output", str(tmp_path / "plan.pdf"))
    assert "check the ID" in unknown.err


@pytest.mark.slow
def test_status_values_complete() -> None:
    env = {**os.environ, "_CUBICASA_COMPLETE": "bash_complete",
           "COMP_WORDS": "cubicasa orders list --status Fi", "COMP_CWORD": "4"}  # fmt: skip
    done = subprocess.run(
        [CONSOLE_SCRIPT], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert done.stdout.splitlines() == ["plain,Fixing"]


@pytest.mark.slow
def test_no_counter_on_the_terminal_while_stdout_is_a_pipe(server: FakeServer) -> None:
    """`cubicasa users list --json | jq`: jq writes to the same terminal, so a spinner would
    erase or garble its lines; nothing is drawn on stderr then."""
    main, child = pty.openpty()
    with subprocess.Popen(
        [CONSOLE_SCRIPT, "users", "list", "--json"],
        stdout=subprocess.PIPE,
        stderr=child,
        env=environment(server, TERM="xterm"),
    ) as process:
        os.close(child)
        drawn = read_all(main)
        out, _ = process.communicate(timeout=60)
    os.close(main)
    assert process.returncode == 0
    assert drawn == b""
    assert len(out.splitlines()) == len(server.fake.users)
