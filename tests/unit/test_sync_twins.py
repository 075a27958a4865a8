"""The sync code is produced from the async code: editing a produced file by hand, or changing
an async source without `make generate`, makes `make check-generated` fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "scripts/unasync.py", "--check"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_the_committed_twins_are_what_the_script_writes() -> None:
    done = _check(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_a_hand_edit_of_a_twin_fails_the_check(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "src", copy / "src")
    shutil.copytree(ROOT / "scripts", copy / "scripts")
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    twin = copy / "src/cubicasa/_sync/resources/orders.py"
    twin.write_text(twin.read_text().replace("def get(", "def get_renamed(", 1))
    done = _check(copy)
    assert done.returncode == 1
    assert "differs from its async source: src/cubicasa/_sync/resources/orders.py" in done.stdout


def test_each_twin_says_it_is_generated_and_from_what() -> None:
    twins = sorted((ROOT / "src/cubicasa/_sync").rglob("*.py"))
    assert len(twins) >= 10
    for twin in twins:
        head = twin.read_text().splitlines()[0]
        assert "do not edit" in head.lower(), twin
        if twin.name != "__init__.py":
            source = twin.relative_to(ROOT / "src/cubicasa/_sync")
            assert f"from src/cubicasa/{source} by scripts/unasync.py" in head, twin
