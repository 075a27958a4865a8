"""The fake under pytest when the package is installed normally: pytest then marks every top-level
package of the distribution (it ships a `pytest11` plugin) for assertion rewriting, so the import
system hands back pytest's rewriting hook, which has no `get_source`, as the generated modules'
loader. The fake reads the generated operations without relying on that method."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from cubicasa.testing import _operations


class _LoaderWithoutSource:
    """Like pytest's AssertionRewritingHook: a loader that can import but not show source."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None


def test_operations_are_read_when_the_loader_has_no_get_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = _operations.operations()
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> importlib.machinery.ModuleSpec | None:
        found = real_find_spec(name, package)
        if found is None or not name.startswith(_operations.GENERATED_API + "."):
            return found
        hooked = importlib.machinery.ModuleSpec(
            name, _LoaderWithoutSource(), origin=found.origin, is_package=found.parent == name
        )
        hooked.has_location = found.has_location
        hooked.submodule_search_locations = found.submodule_search_locations
        return hooked

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    assert _operations.operations.__wrapped__() == expected
    assert expected


def test_the_fixtures_work_when_pytest_rewrites_the_generated_package(tmp_path: Path) -> None:
    # What a non-editable install does, reproduced without one: mark `cubicasa_api` for rewriting.
    (tmp_path / "conftest.py").write_text(
        "import pytest\npytest.register_assert_rewrite('cubicasa_api')\n"
    )
    (tmp_path / "test_downstream.py").write_text(
        "def test_orders(cubicasa_client, cubicasa_fake):\n"
        "    assert len(list(cubicasa_client.orders.list())) == len(cubicasa_fake.orders) > 0\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
