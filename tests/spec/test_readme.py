"""The README's operations table is the spec's, row for row."""

from __future__ import annotations

import importlib.util

from tests.conftest import ROOT


def test_readme_lists_every_operation_with_its_evidence() -> None:
    spec = importlib.util.spec_from_file_location(
        "operations_table", ROOT / "scripts" / "operations_table.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table = module.table()
    assert table.count("\n") == 2 + 27
    assert table in (ROOT / "README.md").read_text(encoding="utf-8")
