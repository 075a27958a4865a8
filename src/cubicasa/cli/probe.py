"""`cubicasa probe`: the options of the probe; the work is done by `cubicasa.probe` (no click)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import click

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
    except _probe.ProbeError as exc:
        click.echo(f"cubicasa probe: {exc}", err=True)
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

        text = spec.read_bytes()
        if hashlib.sha256(text).hexdigest() != report.spec_sha256 and not session.quiet:
            click.echo(f"cubicasa probe: note: {spec} is not the spec this client "
                       "was generated from (run `make generate`); the patch is against the "
                       "file", err=True)  # fmt: skip
        _write(spec_patch, make_patch(report, text.decode("utf-8"), show_values=show_values))
    to_stdout = "-" in (str(json_path), str(markdown), str(spec_patch))
    for result in report.operations:
        line = f"{result.outcome:<12} {result.operation_id:<26} {result.evidence:<10}"
        if result.findings:
            line += f" {len(result.findings)} finding(s)"
        elif result.reason:
            line += f" {result.reason}"
        click.echo(line.rstrip(), err=to_stdout)  # stdout holds only the document asked for
    if report.write_cycle is not None:
        click.echo(_probe.write_cycle_summary(report.write_cycle), err=to_stdout)
    ctx.exit(_probe.exit_status(report))
