"""`make api-diff` (and so `make bump`'s CHANGELOG) lists the public names a change adds, not the
names a module merely imports (`Any`, `annotations`, a generated module) or a TypeVar."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import api_diff


def _tree(tmp_path: Path) -> Path:
    copy = tmp_path / "tree"
    for part in ("src", "generated", "openapi"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_only_new_public_names_are_added(tmp_path: Path) -> None:
    new = _tree(tmp_path)
    model = new / "generated" / "cubicasa_api" / "models" / "order_address.py"
    model.write_text(
        model.read_text()
        + "\nfrom collections.abc import Sequence\nfrom typing import TypeVar\n"
        + "from ..api.orders import get_order\n"
        + 'U = TypeVar("U")\n\n\ndef helper(items: Sequence[int]) -> int:\n    return len(items)\n'
    )
    resource = new / "src" / "cubicasa" / "resources" / "offices.py"
    resource.write_text(
        resource.read_text() + "\nimport json\nfrom cubicasa_api.api.users import list_users\n"
    )
    diff = api_diff.python_diff(ROOT, new)
    assert diff.added == ["Python: `cubicasa_api.models.order_address.helper`"]
    assert diff.breaking == []
