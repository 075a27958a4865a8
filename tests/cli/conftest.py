"""Run `cubicasa` in-process against the fake: `cli("orders", "list")` -> exit code, stdout,
stderr. Clients go through the fake's in-process transport (no socket)."""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from cubicasa.cli import main
from cubicasa.cli._session import injected_http_client
from cubicasa.testing import FakeCubiCasa

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def lines(self) -> list[Any]:
        return [json.loads(line) for line in self.out.splitlines()]

    @property
    def text(self) -> str:
        """stdout without colour codes."""
        return ANSI.sub("", self.out)


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as a shell's stdout/stderr would."""

    def isatty(self) -> bool:
        return True


Cli = Callable[..., Result]


@pytest.fixture
def fake() -> FakeCubiCasa:
    return FakeCubiCasa()


@pytest.fixture
def cli(
    fake: FakeCubiCasa, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Cli:
    monkeypatch.setenv("CUBICASA_API_KEY", fake.api_key)
    monkeypatch.setenv("CUBICASA_BASE_URL", fake.base_url)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("CUBICASA_LOG", raising=False)

    def run(*args: str, terminal: bool = False, stderr_terminal: bool | None = None) -> Result:
        capsys.readouterr()
        out = Terminal() if terminal else None
        err = Terminal() if (terminal if stderr_terminal is None else stderr_terminal) else None
        with monkeypatch.context() as patch:
            if out is not None:
                patch.setattr(sys, "stdout", out)
            if err is not None:
                patch.setattr(sys, "stderr", err)
            with injected_http_client(lambda: httpx.Client(transport=fake.transport)):
                code = main(list(args))
        captured = capsys.readouterr()
        return Result(
            code,
            out.getvalue() if out is not None else captured.out,
            err.getvalue() if err is not None else captured.err,
        )

    return run
