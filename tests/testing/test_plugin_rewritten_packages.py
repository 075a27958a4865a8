"""The fake under pytest when the package is installed normally: pytest then marks every top-level
package of the distribution (it ships a `pytest11` plugin) for assertion rewriting, so the import
system hands back pytest's rewriting hook, which has no `get_source`, as the generated modules'
loader. The fake reads the operations table as a package resource, not through that method."""

from __future__ import annotations

import importlib
import importlib.machinery
import subprocess
import sys
from pathlib import Path

import pytest

from cubicasa.testing import _operations


class _LoaderWithoutSource:
    """A loader that can import but neither show source nor read resources (an import hook)."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None


def test_operations_are_read_when_the_loader_has_no_get_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = _operations.operations()
    package = importlib.import_module(_operations.TABLE_PACKAGE)
    assert package.__spec__ is not None
    monkeypatch.setattr(package.__spec__, "loader", _LoaderWithoutSource())
    assert _operations.table.__wrapped__()["operations"].keys() == {
        op.operation_id for op in expected
    }
    assert len(expected) > 20


@pytest.mark.slow
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
