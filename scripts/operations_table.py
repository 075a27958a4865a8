"""Print the README's table of operations (operationId, method, path, evidence) from the spec.

`python scripts/operations_table.py` prints it; tests/spec/test_readme.py checks the README holds
exactly this table, so the README cannot drift from the spec.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "cubicasa-integrate-v3.yaml"
METHODS = ("get", "put", "post", "delete", "patch")


def table() -> str:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    rows = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                op = item[method]
                rows.append((op["tags"][0], op["operationId"], method.upper(), path, op))
    lines = [
        "| Area | operationId | Method and path | Summary | Evidence |",
        "| --- | --- | --- | --- | --- |",
    ]
    for tag, op_id, method, path, op in sorted(rows, key=lambda r: (r[0], r[1])):
        lines.append(
            f"| {tag} | `{op_id}` | `{method} {path}` | {op['summary']} | {op['x-evidence']} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(table(), end="")
