"""`cubicasa probe`: the options of the probe; the work is done by `cubicasa.probe` (no click)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import click

from .._printable import printable
from ._commands import CONTEXT
from ._session import API_KEY_ENV, Session, connection_options
from ._types import ID

PROBE_EXIT_CANNOT_RUN = 2


def _write(path: Path, text: str) -> None:
    if str(path) == "-":  # standard output
        click.echo(text, nl=False)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _find_spec(given: Path | None) -> Path | None:
    """The spec to patch: --spec, else the repository's spec in this folder or one above it."""
    from ..probe import SPEC_PATH

    if given is not None:
        return given if given.is_file() else None
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / SPEC_PATH).is_file():
            return folder / SPEC_PATH
    return None


def _known_spec(spec: Path) -> bool:
    """Whether `spec` is the spec this client was generated from (its sha256 matches)."""
    from ..conformance._spec import checker

    return hashlib.sha256(spec.read_bytes()).hexdigest() == checker().spec_sha256


@click.command("probe", context_settings=CONTEXT)
@connection_options
@click.option("--write", is_flag=True, help="Also create a draft order, update it, delete it.")
@click.option("--allow-production", is_flag=True, help="Let --write run against production.")
@click.option("--json", "json_path", metavar="PATH",
              type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Write the report as JSON (- for stdout).")  # fmt: skip
@click.option("--markdown", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
              help="Write the report as markdown (a table per operation).")  # fmt: skip
@click.option("--spec-patch", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
              help="Write a spec patch for `git apply` (of --spec).")  # fmt: skip
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False, path_type=Path),
              metavar="PATH", help="The spec the patch is against [default: "
              "openapi/cubicasa-integrate-v3.yaml here or in a folder above].")  # fmt: skip
@click.option("--order-id", type=ID, metavar="ID",
              help="The order to look at [default: from listOrders].")  # fmt: skip
@click.option("--change-request-id", type=ID, metavar="ID",
              help="The change request to look at (of --order-id).")  # fmt: skip
@click.option(
    "--user-email", type=ID, metavar="E", help="The user to look at [default: from listUsers]."
)
@click.option("--show-values", is_flag=True,
              help="Put the account's values in the reports, not their types.")  # fmt: skip
@click.pass_context
def probe(
    ctx: click.Context,
    write: bool,
    allow_production: bool,
    json_path: Path | None,
    markdown: Path | None,
    spec_patch: Path | None,
    spec_path: Path | None,
    order_id: str | None,
    change_request_id: str | None,
    user_email: str | None,
    show_values: bool,
) -> None:
    """Check the live API against the spec: call every read-only operation (IDs discovered as
    a person would), check each answer, and report each operation as conforms, deviates,
    unreachable or skipped. Exit status 0 when everything that ran conforms, 1 when something
    deviates or is unreachable, 2 when the probe could not run.

    \b
    Example:
        export CUBICASA_API_KEY=...
        cubicasa probe --json probe.json --markdown probe.md --spec-patch probe.patch
        git apply probe.patch && make generate
    """
    from .. import probe as _probe
    from . import _session

    session = ctx.ensure_object(Session)
    key = session.api_key or os.environ.get(API_KEY_ENV)
    if not key:
        click.echo(f"cubicasa probe: no API key: set {API_KEY_ENV} (or --api-key)", err=True)
        ctx.exit(PROBE_EXIT_CANNOT_RUN)
    spec = _find_spec(spec_path) if spec_patch is not None else None
    if spec_patch is not None and spec is None:  # before any call is made
        from ..probe import SPEC_PATH

        wanted = spec_path or f"{SPEC_PATH} (here or in a folder above)"
        click.echo(f"cubicasa probe: --spec-patch needs the spec: {wanted} not found; run it in "
                   "the repository or pass --spec PATH", err=True)  # fmt: skip
        ctx.exit(PROBE_EXIT_CANNOT_RUN)
    if spec is not None and not _known_spec(spec):  # before any call is made
        click.echo(f"cubicasa probe: --spec-patch refused: {spec} is not the spec this client was "
                   "generated from, so a patch could re-add what the file already has. Run the "
                   "probe that comes with that spec (in the repository: `make probe`, or "
                   "`.venv/bin/cubicasa probe` after `make install`; after editing the spec, "
                   "`make generate` first)", err=True)  # fmt: skip
        ctx.exit(PROBE_EXIT_CANNOT_RUN)
    factory = _session._http_client_factory
    http = factory() if factory is not None else None
    try:
        report = _probe.run_probe(
            api_key=key,
            base_url=session.base_url,
            timeout=session.timeout,
            write=write,
            allow_production=allow_production,
            order_id=order_id,
            change_request_id=change_request_id,
            user_email=user_email,
            http_client=http,
        )
    except (_probe.ProbeError, ValueError) as exc:  # ValueError: an ID that cannot be sent
        click.echo(printable(f"cubicasa probe: {exc}"), err=True)
        ctx.exit(PROBE_EXIT_CANNOT_RUN)
    finally:
        if http is not None:
            http.close()
    if json_path is not None:
        document = _probe.report_json(report, show_values=show_values)
        _write(json_path, json.dumps(document, indent=2) + "\n")
    if markdown is not None:
        _write(markdown, _probe.report_markdown(report, show_values=show_values))
    if spec_patch is not None and spec is not None:
        from ..probe import spec_patch as make_patch
        from ..probe._spec_patch import left_out

        text = spec.read_bytes()
        _write(spec_patch, make_patch(report, text.decode("utf-8"), show_values=show_values))
        dropped = left_out(report, text.decode("utf-8"), show_values=show_values)
        if dropped and not session.quiet:
            note = f"the spec patch leaves out {len(dropped)} field(s) or value(s) that would "
            click.echo(f"cubicasa probe: note: {note}break generation (see its header)", err=True)
    to_stdout = "-" in (str(json_path), str(markdown), str(spec_patch))
    for line in _probe.breaking_summary(report):  # what breaks a caller, first
        click.echo(line, err=to_stdout)
    for result in report.operations:
        line = f"{result.outcome:<12} {result.operation_id:<26} {result.evidence:<10}"
        if result.findings:
            line += f" {len(result.findings)} finding(s)"
        elif result.reason:
            line += f" {result.reason}"
        # stdout holds only the document asked for; a reason may quote the server (its status)
        click.echo(printable(line.rstrip()), err=to_stdout)
    if report.write_cycle is not None:
        click.echo(_probe.write_cycle_summary(report.write_cycle), err=to_stdout)
    written = [(label, path) for label, path in (("JSON", json_path), ("markdown", markdown),
               ("spec patch", spec_patch)) if path is not None and str(path) != "-"]  # fmt: skip
    status = _probe.exit_status(report)
    for line in summary(report, written, status, key=key):
        click.echo(line, err=to_stdout)
    ctx.exit(status)


BREAKING = frozenset(
    {"missing_required", "wrong_type", "invalid_json", "undocumented_content_type",
     "undocumented_status", "unreachable_path"}
)  # fmt: skip
"""Finding kinds that break a client built from the spec (a field it needs, a type it decodes);
the others (an unknown field or value) are additions the client already tolerates."""
EXIT_MEANINGS = {
    0: "every operation that ran conforms",
    1: "something deviates or is unreachable, or the write cycle left something behind",
    2: "the probe could not run",
}


def summary(report: Any, written: list[tuple[str, Path]], status: int, *, key: str) -> list[str]:
    """The end of the probe's terminal output: the deviating operations, breaking ones first,
    each with what deviated; where the reports are; what the exit status says."""
    from .._redact import safe_pointer

    rows: list[tuple[bool, str, str]] = []
    for result in report.operations:
        if result.outcome == "unreachable":
            rows.append((True, result.operation_id, f"unreachable: {result.reason}"))
        elif result.outcome == "deviates":
            places: dict[str, None] = {}
            for finding in result.findings:
                where = safe_pointer(finding.location, secret=key) or "/"
                places[f"{finding.kind} {where}"] = None
            breaking = any(f.kind in BREAKING for f in result.findings)
            rows.append((breaking, result.operation_id, "; ".join(places)))
    rows.sort(key=lambda row: (not row[0], row[1]))
    counted = dict.fromkeys(("conforms", "deviates", "unreachable", "skipped"), 0)
    for result in report.operations:
        counted[result.outcome] = counted.get(result.outcome, 0) + 1
    lines = ["", "summary: " + ", ".join(f"{n} {outcome}" for outcome, n in counted.items())]
    if rows:
        broken = sum(row[0] for row in rows)
        lines.append(f"deviations by operation ({broken} breaking, {len(rows) - broken} "
                     "additive: a client built from the spec tolerates those):")  # fmt: skip
        width = max(len(row[1]) for row in rows)
        for is_breaking, operation_id, what in rows:
            kind = "breaking" if is_breaking else "additive"
            lines.append(f"  {kind:<9}{operation_id:<{width}}  {what}")
    if written:
        lines.append("reports: " + ", ".join(f"{label} {path}" for label, path in written))
    elif rows:
        lines.append("reports: none written (--json, --markdown and --spec-patch write them)")
    lines.append(f"exit status {status}: {EXIT_MEANINGS.get(status, 'see --help')}")
    return lines
