"""The README's table of operations (operationId, method, path, evidence), from the spec.

`python scripts/operations_table.py` prints it; `--write` puts it into README.md in place of the
current table (`make generate` does this); tests/spec/test_readme.py checks the README holds
exactly this table, so the README cannot drift from the spec.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "cubicasa-integrate-v3.yaml"
README = ROOT / "README.md"
HEADER = "| Area | operationId | Method and path | Summary | Evidence |\n"
METHODS = ("get", "put", "post", "delete", "patch")


def table() -> str:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    rows = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                op = item[method]
                rows.append((op["tags"][0], op["operationId"], method.upper(), path, op))
    lines = [HEADER.rstrip("\n"), "| --- | --- | --- | --- | --- |"]
    for tag, op_id, method, path, op in sorted(rows, key=lambda r: (r[0], r[1])):
        lines.append(
            f"| {tag} | `{op_id}` | `{method} {path}` | {op['summary']} | {op['x-evidence']} |"
        )
    return "\n".join(lines) + "\n"


def write() -> bool:
    """Replace the README's table with the spec's; True when the README changed."""
    text = README.read_text(encoding="utf-8")
    start = text.index(HEADER)
    end = start
    while text.startswith("|", end):  # the table runs while lines start with "|"
        end = text.find("\n", end) + 1 or len(text)
    updated = text[:start] + table() + text[end:]
    if updated != text:
        README.write_text(updated, encoding="utf-8")
    return updated != text


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        print("README.md: operations table updated" if write() else "README.md: table current")
    else:
        print(table(), end="")
