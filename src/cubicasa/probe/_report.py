"""The probe's reports: the `--json` document, the `--markdown` page, the write cycle's line and
the exit status, rendered from a `ProbeReport` without the account's values unless asked."""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any, Final

from .._redact import safe_pointer
from ..conformance import KINDS

if TYPE_CHECKING:
    from ..conformance import ConformanceFinding
    from ._results import ProbeReport, WriteCycle

__all__ = [
    "OUTCOMES",
    "REPORT_KINDS",
    "breaking",
    "breaking_summary",
    "exit_status",
    "member_schema",
    "report_json",
    "report_markdown",
    "write_cycle_summary",
]

OUTCOMES: Final = ("conforms", "deviates", "unreachable", "skipped")
# The JSON report's finding kinds (an unreachable path is an outcome there, not a finding).
REPORT_KINDS: Final = tuple(kind for kind in KINDS if kind != "unreachable_path")


@functools.cache
def _spec_data() -> dict[str, Any]:
    from importlib.resources import files

    data: dict[str, Any] = json.loads(
        files("cubicasa_api").joinpath("conformance.json").read_text(encoding="utf-8")
    )
    return data


def _resolved(node: Any) -> Any:
    schemas = _spec_data()["schemas"]
    while isinstance(node, dict) and "ref" in node:
        node = schemas[node["ref"]]
    return node


def _branches(node: Any) -> list[Any]:
    node = _resolved(node)
    if isinstance(node, dict) and "anyOf" in node:
        return [b for branch in node["anyOf"] for b in _branches(branch)]
    return [node] if isinstance(node, dict) else []


def _step(node: Any, part: str) -> Any:
    for branch in _branches(node):
        inner = branch.get("items") if part.isdigit() else branch.get("properties", {}).get(part)
        if inner is not None:
            return inner
    return None


def member_schema(operation_id: str, where: str) -> tuple[dict[str, Any], str] | None:
    """The object schema (as `conformance.json` holds it, with its spec place `at`) whose member
    the JSON pointer `where` of an answer to `operation_id` names, and the member's key; None
    when `where` names an array item, the body, or nothing the spec describes."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in where.split("/")[1:]]
    if not parts or parts[-1].isdigit():
        return None
    operation = _spec_data()["operations"].get(operation_id, {})
    for status, media in operation.get("responses", {}).items():
        node = media.get("application/json") if status.startswith("2") else None
        for part in parts[:-1]:
            node = None if node is None else _step(node, part)
        for branch in _branches(node):
            if parts[-1] in branch.get("properties", {}) and "at" in branch:
                return branch, parts[-1]
    return None


def _holds_models(node: Any) -> bool:
    """Whether a member of this schema is decoded into a model (or a list of models), which
    raises on reading when its value is of another type, required or not."""
    for branch in _branches(node):
        if "properties" in branch or ("items" in branch and _holds_models(branch["items"])):
            return True
    return False


def breaking(finding: ConformanceFinding) -> bool:
    """Whether reading the field the finding names raises (MissingFieldError, FieldTypeError):
    a required field missing, a required field of the wrong type, a nested object or array
    item that is not an object."""
    if finding.kind == "missing_required":
        return True
    if finding.kind != "wrong_type":
        return False
    place = member_schema(finding.operation_id, finding.where)
    if place is None:  # the body, or an array item: a model only if the spec says an object
        parts = finding.where.split("/")
        operation = _spec_data()["operations"].get(finding.operation_id, {})
        for status, media in operation.get("responses", {}).items():
            node = media.get("application/json") if status.startswith("2") else None
            for part in parts[1:]:
                node = None if node is None else _step(node, part)
            if node is not None:
                return _holds_models(node)
        return False
    parent, key = place
    return key in parent.get("required", ()) or _holds_models(parent["properties"][key])


def _breaking_first(findings: list[ConformanceFinding]) -> list[ConformanceFinding]:
    """Findings that raise on reading first, by field (then the others, as found)."""
    raising = sorted((f for f in findings if breaking(f)), key=lambda f: (f.location, f.kind))
    return raising + [f for f in findings if not breaking(f)]


def breaking_summary(report: ProbeReport) -> list[str]:
    """The terminal's first lines: each breaking deviation, by field."""
    return [
        f"BREAKING     {f.operation_id:<26} {safe_pointer(f.location) or '/'}: {f.kind}, "
        f"{f.detail} (reading it raises)"
        for r in report.operations
        for f in _breaking_first(r.findings)
        if breaking(f)
    ]


def exit_status(report: ProbeReport) -> int:
    """0 when every operation that ran conforms; 1 when one deviates or is unreachable, or the
    write cycle may have left something in the account."""
    bad = any(r.outcome in ("deviates", "unreachable") for r in report.operations)
    dirty = report.write_cycle is not None and not report.write_cycle.clean
    return 1 if bad or dirty else 0


def write_cycle_summary(cycle: WriteCycle) -> str:
    """One line on what the write cycle created and whether it cleaned up."""
    made = ", ".join(cycle.created) or "none"
    text = f"write cycle: created draft(s) {made}; deleted {', '.join(cycle.deleted) or 'none'}"
    if cycle.left_behind:
        left = " ".join(cycle.left_behind)
        text += f"; LEFT BEHIND: {left} (delete with `cubicasa drafts delete ID`)"
    if cycle.uncertain:
        text += f"; UNCERTAIN: {cycle.uncertain}"
    return text


def _write_cycle_json(cycle: WriteCycle | None) -> dict[str, Any] | None:
    if cycle is None:
        return None
    return {
        "created": cycle.created,
        "deleted": cycle.deleted,
        "left_behind": cycle.left_behind,
        "uncertain": cycle.uncertain or None,
        "clean": cycle.clean,
    }


def _finding_json(finding: ConformanceFinding, show_values: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "kind": finding.kind,
        "where": safe_pointer(finding.where, show=show_values),
        "detail": finding.detail,
        "seen": finding.seen,
        "breaking": breaking(finding),
    }
    if show_values and finding.kind in ("unknown_field", "wrong_type", "unknown_value"):
        entry["value"] = finding.value
    return entry


def report_json(report: ProbeReport, *, show_values: bool = False) -> dict[str, Any]:
    """The `--json` report: account values appear only as their JSON type unless `show_values`."""
    return {
        "base_url": report.base_url,
        "spec_sha256": report.spec_sha256,
        "date": report.date,
        "operations": [
            {
                "operation_id": r.operation_id,
                "outcome": r.outcome,
                "status": r.status,
                "findings": [
                    _finding_json(f, show_values)
                    for f in _breaking_first(r.findings)
                    if f.kind in REPORT_KINDS
                ],
                "evidence": r.evidence,
                "method": r.method,
                "path": r.path,
                "reason": r.reason,
            }
            for r in report.operations
        ],
        "write_cycle": _write_cycle_json(report.write_cycle),
    }


_MARKDOWN_SPECIAL = str.maketrans(
    {c: "\\" + c for c in "\\`*_[]<>|#!~"} | dict.fromkeys("\r\n\t\x0b\x0c", " ")
)


def _cell(text: Any) -> str:
    """Text as one markdown table cell: markup escaped, line breaks and control characters gone."""
    plain = "".join(c if c.isprintable() or c == "\n" else " " for c in str(text))
    return plain.translate(_MARKDOWN_SPECIAL)


def _code(text: str) -> str:
    """Text as a code span in a table cell, or escaped text when a code span cannot hold it."""
    if text.isprintable() and not any(c in text for c in "`|\\"):
        return f"`{text}`"
    return _cell(text)


def report_markdown(report: ProbeReport, *, show_values: bool = False) -> str:
    """The `--markdown` report: a summary, then a table per operation, evidence beside outcome."""
    counts = {o: sum(r.outcome == o for r in report.operations) for o in OUTCOMES}
    lines = [
        "# cubicasa probe",
        "",
        f"- Base URL: `{report.base_url}`",
        f"- Spec sha256: `{report.spec_sha256}`",
        f"- Date: {report.date}",
        "- Outcomes: " + ", ".join(f"{n} {o}" for o, n in counts.items()),
        "",
        "| Operation | Evidence | Outcome | Status | Findings |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in report.operations:
        status = "" if r.status is None else r.status
        lines.append(
            f"| `{r.operation_id}` | {r.evidence} | {r.outcome} | {status} | {len(r.findings)} |"
        )
    raising = [f for r in report.operations for f in _breaking_first(r.findings) if breaking(f)]
    if raising:
        lines += ["", "## Breaking: reading these fields raises", ""]
        lines += [
            "| Operation | Field | Kind | Expected | Seen |",
            "| --- | --- | --- | --- | --- |",
        ]
        for f in raising:
            where = _code(safe_pointer(f.location, show=show_values) or "/")
            lines.append(
                f"| `{f.operation_id}` | {where} | {f.kind} | {_cell(f.detail)} | {_cell(f.seen)} |"
            )
    for r in report.operations:
        lines += ["", f"## `{r.operation_id}`: {r.outcome} (evidence: {r.evidence})", ""]
        lines.append(f"`{r.method} {r.path}`" + (f": {_cell(r.reason)}" if r.reason else ""))
        lines += ["", "| Outcome | Evidence | Status |", "| --- | --- | --- |"]
        lines.append(f"| {r.outcome} | {r.evidence} | {'' if r.status is None else r.status} |")
        if r.findings:
            header = "| Kind | Where | Expected | Seen | Breaking |"
            if show_values:
                header += " Value |"
            lines += [
                "",
                header,
                "| --- | --- | --- | --- | --- |" + (" --- |" if show_values else ""),
            ]
            for f in _breaking_first(r.findings):
                where = _code(safe_pointer(f.where, show=show_values) or "/")
                row = f"| {f.kind} | {where} | {_cell(f.detail)} | {_cell(f.seen)} |"
                row += " yes |" if breaking(f) else " |"
                if show_values:
                    row += f" {_cell(json.dumps(f.value))} |"
                lines.append(row)
    if report.write_cycle is not None:
        lines += ["", "## Write cycle", "", _cell(write_cycle_summary(report.write_cycle))]
    return "\n".join(lines) + "\n"
