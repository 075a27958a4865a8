"""The probe's reports: the `--json` document, the `--markdown` page, the write cycle's line and
the exit status, rendered from a `ProbeReport` without the account's values unless asked."""

from __future__ import annotations

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
    "exit_status",
    "report_json",
    "report_markdown",
    "write_cycle_summary",
]

OUTCOMES: Final = ("conforms", "deviates", "unreachable", "skipped")
# The JSON report's finding kinds (an unreachable path is an outcome there, not a finding).
REPORT_KINDS: Final = tuple(kind for kind in KINDS if kind != "unreachable_path")


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
                    _finding_json(f, show_values) for f in r.findings if f.kind in REPORT_KINDS
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
    for r in report.operations:
        lines += ["", f"## `{r.operation_id}`: {r.outcome} (evidence: {r.evidence})", ""]
        lines.append(f"`{r.method} {r.path}`" + (f": {_cell(r.reason)}" if r.reason else ""))
        lines += ["", "| Outcome | Evidence | Status |", "| --- | --- | --- |"]
        lines.append(f"| {r.outcome} | {r.evidence} | {'' if r.status is None else r.status} |")
        if r.findings:
            header = "| Kind | Where | Expected | Seen |"
            if show_values:
                header += " Value |"
            lines += ["", header, "| --- | --- | --- | --- |" + (" --- |" if show_values else "")]
            for f in r.findings:
                where = _code(safe_pointer(f.where, show=show_values) or "/")
                row = f"| {f.kind} | {where} | {_cell(f.detail)} | {_cell(f.seen)} |"
                if show_values:
                    row += f" {_cell(json.dumps(f.value))} |"
                lines.append(row)
    if report.write_cycle is not None:
        lines += ["", "## Write cycle", "", _cell(write_cycle_summary(report.write_cycle))]
    return "\n".join(lines) + "\n"
