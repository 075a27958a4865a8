"""The operations table of the "When the API changes" guide is the spec's, row for row."""

from __future__ import annotations

import importlib.util
from typing import Any

from tests.conftest import ROOT
from tests.spec.test_spec import operations


def test_readme_lists_every_operation_with_its_evidence(spec: dict[str, Any]) -> None:
    script = importlib.util.spec_from_file_location(
        "operations_table", ROOT / "scripts" / "operations_table.py"
    )
    assert script is not None
    assert script.loader is not None
    module = importlib.util.module_from_spec(script)
    script.loader.exec_module(module)
    table = module.table()
    assert table.count("\n") == 2 + len(list(operations(spec)))
    assert table in (ROOT / "docs" / "guides" / "api-changes.md").read_text(encoding="utf-8")
