"""`cubicasa orders ...`: list, get, pdf, upgrade, redeliver, redraw, watch, changes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from time import sleep
from typing import TYPE_CHECKING, Any

import click

from .._printable import printable
from ._commands import (
    PREFERENCES_HELP,
    api_command,
    api_group,
    checked_arguments,
    json_object,
    list_options,
    show_items,
    show_result,
)
from ._exit import CommandError, ExitCode
from ._output import Column, Output, as_json
from ._session import Session, pass_session
from ._types import ID, Seconds
from .changes import changes

if TYPE_CHECKING:
    from .. import CubiCasa

ORDER_COLUMNS: list[Column] = [
    ("ID", "id"),
    ("Status", "info.status"),
    ("Address", "address.full_address"),
    ("External ID", "info.external_id"),
    ("Created", "info.created_at"),
]
READY = "Ready"
STATUSES = ("New", "Draft", "Pending", "Ready", "Fixing")
"""The statuses CubiCasa documents (the list is open: others are sent as given)."""
WATCH_FLOOR = 5.0
"""Seconds: `orders watch` polls no faster than this (statuses change in minutes, not seconds)."""

orders = api_group(
    "orders",
    "List, show, download, upgrade, re-deliver, redraw, watch orders; follow changes.",
    "cubicasa orders list --status Ready --max 5",
)


@api_command(orders, "list")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    metavar="STATUS",
    help="Only orders in this status; repeat for several (New, Draft, Pending, Ready, Fixing).",
    shell_complete=lambda ctx, param, incomplete: [
        status for status in STATUSES if status.lower().startswith(incomplete.lower())
    ],
)
@list_options
@pass_session
def list_orders(
    session: Session, statuses: tuple[str, ...], max_items: int | None, page_size: int | None
) -> None:
    """List orders, newest first: every order unless --max is given. Each JSON line is the
    list item as the API sends it (use `orders get` for download links).

    \b
    Example:
        cubicasa orders list --status Ready --status Fixing --max 20
    """
    show_items(
        session,
        lambda client: client.orders.list(
            status=list(statuses) or None, page_size=page_size, max_items=max_items
        ),
        ORDER_COLUMNS,
        "orders",
    )


@api_command(orders, "get")
@click.argument("order_id", type=ID)
@pass_session
def get_order(session: Session, order_id: str) -> None:
    """Show one order, with its download links under delivery_assets.

    \b
    Example:
        cubicasa orders get 312babc6-e742-4d54-ac49-e0f7b16ec15a --json | jq .info.status
    """
    show_result(session, lambda client: client.orders.get(order_id))


def _writable_file(path: Path) -> Path:
    if path.is_dir():
        raise click.BadParameter(
            f"{path} is a directory: give the file to write", param_hint="--output"
        )
    if not path.parent.is_dir():
        raise click.BadParameter(f"{path.parent} does not exist", param_hint="--output")
    return path


@api_command(orders, "pdf")
@click.argument("order_id", type=ID)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(path_type=Path),
    help="The file to write; it appears only once the whole PDF has arrived.",
)
@pass_session
def pdf(session: Session, order_id: str, output: Path) -> None:
    """Download an order's deliverables as one PDF, with a progress bar on a terminal.

    \b
    Example:
        cubicasa orders pdf 312babc6-e742-4d54-ac49-e0f7b16ec15a --output plan.pdf
    """
    from ..errors import NotFoundError

    target = _writable_file(output)
    out = Output(session)
    with session.connect() as client, out.download(order_id) as progress, checked_arguments():
        try:
            saved = client.orders.download_combined_pdf(order_id, target, progress=progress)
        except NotFoundError:
            _undelivered(client, order_id)
            raise
    size = saved.stat().st_size
    if out.json:
        out.write_json({"order_id": order_id, "path": str(saved), "bytes": size})
    else:
        click.echo(str(saved))
        out.note(f"saved {size} bytes")


def _undelivered(client: CubiCasa, order_id: str) -> None:
    """After a 404 for the PDF: when the order itself exists, say that it is not delivered
    yet (checking the ID would not help)."""
    from .. import NotFoundError

    try:
        status = client.orders.get(order_id).info.status
    except NotFoundError:
        return  # the order is unknown: the 404's own hint (check the ID) is right
    raise CommandError(
        ExitCode.NOT_FOUND,
        f"order {order_id} has no combined PDF yet: its status is {status}, and the PDF comes "
        "with its first delivery (status Ready); `cubicasa orders watch ID` waits for it",
    )


@api_command(orders, "upgrade")
@click.argument("order_id", type=ID)
@click.option("--package-type", metavar="PACKAGE", help="The new package, e.g. plus.")
@click.option(
    "--add-on", "add_ons", multiple=True, metavar="ADD_ON", help="An add-on to buy; repeatable."
)
@pass_session
def upgrade(
    session: Session, order_id: str, package_type: str | None, add_ons: tuple[str, ...]
) -> None:
    """Upgrade an order's package and/or buy add-ons (this bills; never retried after a
    timeout). Shows the updated order.

    \b
    Example:
        cubicasa orders upgrade ORDER_ID --add-on gla --add-on 3d_cad_files
    """
    if package_type is None and not add_ons:
        raise click.UsageError("nothing to upgrade: give --package-type and/or --add-on")
    show_result(
        session, lambda client: client.orders.upgrade(order_id, package_type, list(add_ons))
    )


@api_command(orders, "redeliver")
@click.argument("order_id", type=ID)
@click.option("--preferences", metavar="JSON", help=PREFERENCES_HELP)
@pass_session
def redeliver(session: Session, order_id: str, preferences: str | None) -> None:
    """Re-deliver an order, optionally with other styling. Shows the order.

    \b
    Example:
        cubicasa orders redeliver ORDER_ID --preferences '{"style_2d": {"theme": "blue"}}'
    """
    prefs = json_object(preferences, "--preferences")
    show_result(session, lambda client: client.orders.redeliver(order_id, order_preferences=prefs))


@api_command(orders, "redraw")
@click.argument("order_id", type=ID)
@click.option("--info", metavar="TEXT", help="What to redraw, for the production team.")
@click.option("--preferences", metavar="JSON", help=PREFERENCES_HELP)
@pass_session
def redraw(session: Session, order_id: str, info: str | None, preferences: str | None) -> None:
    """Create a redraw order from an existing one. Shows the new order.

    \b
    Example:
        cubicasa orders redraw ORDER_ID --info "The garage is missing"
    """
    prefs = json_object(preferences, "--preferences")
    show_result(
        session, lambda client: client.orders.redraw(order_id, info=info, order_preferences=prefs)
    )


def _status(order: Any) -> str:
    status = as_json(order).get("info", {}).get("status")
    return str(status) if status is not None else "?"


def _poll(client: CubiCasa, order_id: str) -> tuple[Any, str]:
    with checked_arguments():
        order = client.orders.get(order_id)
    return order, _status(order)


@api_command(orders, "watch")
@click.argument("order_ids", metavar="ORDER_ID...", nargs=-1, required=True, type=ID)
@click.option(
    "--interval",
    type=Seconds(WATCH_FLOOR),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help=f"Seconds between polls (at least {WATCH_FLOOR:g}).",
)
@click.pass_context
def watch(ctx: click.Context, order_ids: tuple[str, ...], interval: float) -> None:
    """Poll orders and print each status change, until every one is Ready (or Ctrl-C).

    On a terminal each line reads `TIME ORDER_ID: OLD -> NEW`; in JSON mode each line is the
    order's JSON whenever its status is first seen or changes.

    \b
    Example:
        cubicasa orders watch ORDER_ID OTHER_ORDER_ID --interval 60
    """
    session = ctx.ensure_object(Session)
    out = Output(session)
    seen: dict[str, str] = {}

    def show(order: Any, order_id: str, status: str) -> None:
        if out.json:
            out.write_json(as_json(order), lines=True)
        else:
            change = f"{seen[order_id]} -> {status}" if order_id in seen else status
            click.echo(printable(f"{datetime.now():%H:%M:%S} {order_id}: {change}"))
        seen[order_id] = status

    waiting = list(dict.fromkeys(order_ids))
    with session.connect() as client:
        try:
            for order_id in waiting:
                order, status = _poll(client, order_id)
                show(order, order_id, status)
            waiting = [i for i in waiting if seen[i] != READY]
            while waiting:
                sleep(interval)
                for order_id in list(waiting):
                    order, status = _poll(client, order_id)
                    if status != seen[order_id]:
                        show(order, order_id, status)
                    if status == READY:
                        waiting.remove(order_id)
        except KeyboardInterrupt:
            out.note(f"stopped; not Ready yet: {', '.join(waiting)}")
            ctx.exit(130)


orders.add_command(changes)  # `orders changes`: the change feed (cli/changes.py)
