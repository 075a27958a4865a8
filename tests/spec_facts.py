"""Facts the tests read from the spec instead of pinning them, so that the loop "probe, apply the
patch, generate, test" passes after the spec learns a field, a value or an evidence level: names
made up per test run (the spec cannot have them) and each operation's evidence as the spec says."""

from __future__ import annotations

import functools
import uuid
from typing import Any

import yaml

from tests.conftest import ROOT

UNKNOWN = f"not_in_spec_{uuid.uuid4().hex[:8]}"  # a field name no spec has
UNKNOWN_VALUE = f"NotInSpec{uuid.uuid4().hex[:6]}"  # a value no value list has


@functools.cache
def spec() -> dict[str, Any]:
    text = (ROOT / "openapi" / "cubicasa-integrate-v3.yaml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def evidence(operation_id: str) -> str:
    for item in spec()["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return str(op["x-evidence"])
    raise KeyError(operation_id)


def first_inferred(candidates: list[str]) -> str:
    """The first of `candidates` the spec still calls inferred (a probe never writes, so the
    write operations among them stay inferred until someone documents them)."""
    found = [op for op in candidates if evidence(op) == "inferred"]
    assert found, f"none of {candidates} is inferred any more: pick others"
    return found[0]
