"""`cubicasa change-requests ...`: create, list, get."""

from __future__ import annotations

import click

from ._commands import (
    api_command,
    api_group,
    list_options,
    show_items,
    show_result,
)
from ._output import Column
from ._session import Session, pass_session
from ._types import ID

CHANGE_REQUEST_COLUMNS: list[Column] = [
    ("ID", "id"),
    ("Sent", "sent_at"),
    ("Text", "text"),
    ("Images", "img_urls"),
]

change_requests = api_group(
    "change-requests",
    "Ask for a fix of a delivered order; list and show the requests.",
    "cubicasa change-requests list ORDER_ID",
)


@api_command(change_requests, "create")
@click.argument("order_id", type=ID)
@click.option("--text", required=True, metavar="TEXT", help="What to fix.")
@click.option(
    "--img-url",
    "img_urls",
    multiple=True,
    metavar="URL",
    help="An image showing what to fix; repeatable.",
)
@pass_session
def create(session: Session, order_id: str, text: str, img_urls: tuple[str, ...]) -> None:
    """Send an order back to production with a fix request (it moves to Fixing; never retried
    after a timeout). Shows the change request.

    \b
    Example:
        cubicasa change-requests create ORDER_ID --text "Kitchen is missing" \\
            --img-url https://example.com/kitchen.jpg
    """
    show_result(
        session,
        lambda client: client.orders.change_requests.create(
            order_id, text=text, img_urls=list(img_urls) or None
        ),
    )


@api_command(change_requests, "list")
@click.argument("order_id", type=ID)
@list_options
@pass_session
def list_change_requests(
    session: Session, order_id: str, max_items: int | None, page_size: int | None
) -> None:
    """List an order's change requests.

    \b
    Example:
        cubicasa change-requests list ORDER_ID --json | jq -r .text
    """
    show_items(
        session,
        lambda client: client.orders.change_requests.list(
            order_id, page_size=page_size, max_items=max_items
        ),
        CHANGE_REQUEST_COLUMNS,
        "change requests",
    )


@api_command(change_requests, "get")
@click.argument("order_id", type=ID)
@click.argument("change_request_id", type=ID)
@pass_session
def get(session: Session, order_id: str, change_request_id: str) -> None:
    """Show one change request of an order.

    \b
    Example:
        cubicasa change-requests get ORDER_ID CHANGE_REQUEST_ID
    """
    show_result(
        session, lambda client: client.orders.change_requests.get(order_id, change_request_id)
    )
