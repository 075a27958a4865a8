"""`--help` on every command, each with an example; click's shell completion."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from cubicasa.cli._app import COMMANDS
from tests.cli.conftest import Cli

CONSOLE_SCRIPT = Path(sys.executable).parent / "cubicasa"


def commands() -> Iterator[tuple[str, ...]]:
    """Every command path below the root, groups included (`probe` belongs to its own tests)."""

    def walk(command: click.Command, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        yield path
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield from walk(sub, (*path, name))

    for name, target in COMMANDS.items():
        if name == "probe":
            continue
        module, _, attribute = target.partition(":")
        yield from walk(getattr(importlib.import_module(module), attribute), (name,))


ALL = list(commands())


@pytest.mark.parametrize("path", ALL, ids=" ".join)
def test_every_command_has_help_with_an_example(cli: Cli, path: tuple[str, ...]) -> None:
    done = cli(*path, "--help")
    assert done.code == 0
    assert done.out.startswith(f"Usage: cubicasa {' '.join(path)}")
    example = done.out.split("Example:", 1)[1]
    assert f"cubicasa {' '.join(path)}" in example


def test_every_area_of_the_issue_has_its_commands() -> None:
    expected = {
        ("orders", "list"), ("orders", "get"), ("orders", "pdf"), ("orders", "upgrade"),
        ("orders", "redeliver"), ("orders", "redraw"), ("orders", "watch"),
        ("change-requests", "create"), ("change-requests", "list"), ("change-requests", "get"),
        ("drafts", "create"), ("drafts", "update"), ("drafts", "delete"),
        ("gotoscan", "create"), ("users", "list"), ("offices", "list"), ("company", "get"),
        ("webhooks", "set"), ("webhooks", "delete"), ("webhooks", "url"), ("fake", "serve"),
    }  # fmt: skip
    assert expected <= set(ALL)
    assert "probe" in COMMANDS


@pytest.mark.parametrize(
    ("words", "expected"),
    [("cubicasa or", "orders"), ("cubicasa orders wa", "watch"),
     ("cubicasa orders list --st", "--status"), ("cubicasa users create --role M", "Manager")],
)  # fmt: skip
@pytest.mark.slow
def test_shell_completion(words: str, expected: str) -> None:
    env = {**os.environ, "_CUBICASA_COMPLETE": "bash_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - 1)}  # fmt: skip
    done = subprocess.run(
        [str(CONSOLE_SCRIPT)], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert f"plain,{expected}" in done.stdout.splitlines()


@pytest.mark.slow
def test_completion_script_for_bash() -> None:
    env = {**os.environ, "_CUBICASA_COMPLETE": "bash_source"}
    done = subprocess.run(
        [str(CONSOLE_SCRIPT)], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 0
    assert "complete -o nosort -F _cubicasa_completion cubicasa" in done.stdout
