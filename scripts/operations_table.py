"""The docs' table of operations (operationId, method, path, evidence), from the spec.

`python scripts/operations_table.py` prints it; `--write` puts it into docs/guides/api-changes.md
in place of the current table (`make generate` does this); tests/spec/test_readme.py checks the
page holds exactly this table, so the docs cannot drift from the spec.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "cubicasa-integrate-v3.yaml"
PAGE = ROOT / "docs" / "guides" / "api-changes.md"
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
    """Replace the page's table with the spec's; True when the page changed."""
    text = PAGE.read_text(encoding="utf-8")
    start = text.index(HEADER)
    end = start
    while text.startswith("|", end):  # the table runs while lines start with "|"
        end = text.find("\n", end) + 1 or len(text)
    updated = text[:start] + table() + text[end:]
    if updated != text:
        PAGE.write_text(updated, encoding="utf-8")
    return updated != text


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        name = PAGE.relative_to(ROOT).as_posix()
        print(f"{name}: operations table updated" if write() else f"{name}: table current")
    else:
        print(table(), end="")
