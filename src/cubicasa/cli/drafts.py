"""`cubicasa drafts ...`: create, update, delete draft orders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from ._address import address_options
from ._commands import (
    PREFERENCES_HELP,
    api_command,
    api_group,
    json_object,
    show_result,
)
from ._session import Session, pass_session
from ._types import ID

F = TypeVar("F", bound=Callable[..., Any])

drafts = api_group(
    "drafts", "Create, update and delete draft orders.", "cubicasa drafts delete ORDER_ID"
)


def draft_options(function: F) -> F:
    """The address options plus what only a draft has."""
    options = [
        click.option("--info", metavar="TEXT", help="Free text for the production team."),
        click.option("--latitude", type=click.FloatRange(-90, 90), metavar="DEGREES"),
        click.option("--longitude", type=click.FloatRange(-180, 180), metavar="DEGREES"),
        click.option("--package-type", metavar="PACKAGE", help="e.g. base, plus."),
        click.option("--add-on", "add_ons", multiple=True, metavar="ADD_ON", help="Repeatable."),
        click.option("--preferences", metavar="JSON", help=PREFERENCES_HELP),
    ]
    for add in reversed(options):
        function = add(function)
    return address_options(function)


def _fields(options: dict[str, Any]) -> dict[str, Any]:
    fields = dict(options)
    fields["add_ons"] = list(fields["add_ons"]) or None
    fields["order_preferences"] = json_object(fields.pop("preferences"), "--preferences")
    return fields


@api_command(drafts, "create")
@draft_options
@pass_session
def create(session: Session, /, **options: Any) -> None:
    """Create a draft order that a scan can be attached to (never retried after a timeout: a
    second try could make a second order). Shows the order.

    \b
    Example:
        cubicasa drafts create --street "1 Main St" --city Springfield \\
            --country "United States" --owner-email manager@example.com --external-id R-17
    """
    fields = _fields(options)
    show_result(session, lambda client: client.drafts.create(**fields))


@api_command(drafts, "update")
@click.argument("order_id", type=ID)
@draft_options
@pass_session
def update(session: Session, /, order_id: str, **options: Any) -> None:
    """Replace a draft's address, owner and product (the API wants street, city, country and
    owner e-mail each time). Shows the order.

    \b
    Example:
        cubicasa drafts update ORDER_ID --street "2 Main St" --city Springfield \\
            --country "United States" --owner-email manager@example.com
    """
    fields = _fields(options)
    show_result(session, lambda client: client.drafts.update(order_id, **fields))


@api_command(drafts, "delete")
@click.argument("order_id", type=ID)
@pass_session
def delete(session: Session, order_id: str) -> None:
    """Delete a draft order. Shows CubiCasa's message.

    \b
    Example:
        cubicasa drafts delete ORDER_ID
    """
    show_result(session, lambda client: client.drafts.delete(order_id))
