"""`cubicasa orders changes`: the change feed (`cubicasa.changes`) from a shell."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from datetime import datetime
from typing import TYPE_CHECKING

import click

from ._commands import CONTEXT
from ._exit import ExitCode
from ._output import Output, cell, short_id
from ._session import Session, global_options
from ._types import Seconds

if TYPE_CHECKING:
    from ..changes import OrderChange, SyncSummary

INTERVAL_FLOOR = 5.0
EXEC_TIMEOUT_S = 3600.0


class ExecFailed(Exception):
    """The --exec command exited non-zero: the change is not delivered."""


def _run(argv: list[str], change: OrderChange) -> None:
    data = json.dumps(change.to_dict()).encode("utf-8")
    try:
        done = subprocess.run(  # noqa: S603 - the user's own command, without a shell
            argv, input=data, stdout=subprocess.PIPE, check=False, timeout=EXEC_TIMEOUT_S
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ExecFailed(f"--exec could not run: {exc}") from None
    if done.stdout:  # stdout carries the changes' JSON Lines: the command's output goes to stderr
        sys.stderr.write(done.stdout.decode("utf-8", "replace"))
        sys.stderr.flush()
    if done.returncode != 0:
        raise ExecFailed(f"--exec exited with status {done.returncode}")


def _table(out: Output, changes: list[OrderChange]) -> None:
    """The changes as a table. The statuses are the server's text: shown through `cell`, as in
    every other view (a control or bidi character is an escape), and never read as markup."""
    from rich.table import Table
    from rich.text import Text

    wide = out.session.wide  # IDs whole (they may then wrap), else shortened as in every table
    table = Table("Time", "Order", "Previous", "Current", "Source", highlight=False)
    if wide:
        table.columns[1].overflow = "fold"
    for change in changes:
        when = datetime.fromtimestamp(change.observed_at).strftime("%H:%M:%S")
        previous = "(new)" if change.previous is None else cell("previous", change.previous)
        order = cell("order_id", change.order_id)
        table.add_row(
            Text(when), Text(order if wide else short_id(order)), Text(previous),
            Text(cell("current", change.current)), Text(cell("source", change.source)),
        )  # fmt: skip
    out._console().print(table)


@click.command("changes", context_settings=CONTEXT)
@click.option(
    "--store",
    required=True,
    metavar="PATH_OR_URL",
    help="Where the feed remembers orders: a SQLite file (created) or a postgresql:// URL.",
)
@click.option("--follow", is_flag=True, help="Keep polling every --interval seconds, until Ctrl-C.")
@click.option(
    "--interval",
    type=Seconds(INTERVAL_FLOOR),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help=f"Seconds between passes with --follow (at least {INTERVAL_FLOOR:g}).",
)
@click.option(
    "--exec",
    "command",
    metavar="CMD",
    help="Run CMD (no shell) for each change with its JSON on stdin; a non-zero exit leaves the "
    "change pending, to be given again next pass.",
)
@click.option("--max", "max_items", type=click.IntRange(min=1), metavar="N",
              help="Read at most N orders per pass (in-progress ones first).")  # fmt: skip
@global_options
@click.pass_context
def changes(
    ctx: click.Context,
    store: str,
    follow: bool,
    interval: float,
    command: str | None,
    max_items: int | None,
) -> None:
    """Print each order change since the last run: one JSON line per change (change_id,
    order_id, previous, current, source, observed_at, attempt), or a table on a terminal. The
    first run reports every order once, with previous null.

    Exit status 1 when a change could not be delivered (--exec failed); it stays pending.

    \b
    Example:
        cubicasa orders changes --store changes.sqlite3 --follow --exec ./on-change.sh
    """
    from ..changes import ChangeFeed

    session = ctx.ensure_object(Session)
    out = Output(session)
    argv = shlex.split(command) if command else None
    if command is not None and not argv:
        raise click.BadParameter("give a command to run", param_hint="--exec")
    if argv is not None and shutil.which(argv[0]) is None:
        raise click.BadParameter(f"no such command: {argv[0]!r}", param_hint="--exec")
    shown: list[OrderChange] = []

    def handler(change: OrderChange) -> None:
        if argv is not None:
            try:
                _run(argv, change)
            except ExecFailed as exc:
                out.note(f"change {change.change_id} (order {change.order_id}): {exc}; "
                         "it stays pending")  # fmt: skip
                raise
        if out.json:
            out.write_json(change.to_dict(), lines=True)
        else:
            shown.append(change)

    def flush(summary: SyncSummary) -> None:
        if shown:
            _table(out, shown)
            shown.clear()
        out.note(f"{summary.seen} orders, {summary.changed} changed, "
                 f"{summary.delivered} delivered, {summary.failed} failed")  # fmt: skip

    with session.connect() as client, ChangeFeed(client, store=store) as feed:
        if follow:
            feed.run(handler, interval=interval, on_pass=flush)
            out.note("stopped")
            return
        try:
            summary = feed.sync(handler, max_items=max_items)
        finally:
            # What was delivered is shown even when the pass failed, and only once.
            if shown:
                _table(out, shown)
                shown.clear()
        flush(summary)
    if summary.failed:
        ctx.exit(int(ExitCode.FAILURE))
