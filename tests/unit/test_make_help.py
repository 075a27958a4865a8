"""`make help` reads as written: every target with its line, no Makefile syntax left in it."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_make_help_lists_targets_without_make_syntax() -> None:
    make = shutil.which("make")
    assert make is not None
    done = subprocess.run(
        [make, "--no-print-directory", "-C", str(ROOT), "help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert any(line.split()[0] == "index-start" and "INDEX_PORT" in line for line in lines)
    for line in lines:
        assert not re.search(r"\$[$({]", line), line  # no `$$VAR`, `$(VAR)` or `${VAR}`
    targets = {line.split()[0] for line in lines}
    assert {"help", "install", "test", "publish", "bench"} <= targets
