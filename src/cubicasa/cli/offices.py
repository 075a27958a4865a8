"""`cubicasa offices ...`: list, create."""

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

OFFICE_COLUMNS: list[Column] = [("ID", "id"), ("Name", "name")]

offices = api_group("offices", "List and add offices.", "cubicasa offices list")


@api_command(offices, "list")
@list_options
@pass_session
def list_offices(session: Session, max_items: int | None, page_size: int | None) -> None:
    """List the company's offices.

    \b
    Example:
        cubicasa offices list
    """
    show_items(
        session,
        lambda client: client.offices.list(page_size=page_size, max_items=max_items),
        OFFICE_COLUMNS,
        "offices",
    )


@api_command(offices, "create")
@click.option("--name", required=True, metavar="TEXT")
@pass_session
def create(session: Session, name: str) -> None:
    """Add an office. Shows it.

    \b
    Example:
        cubicasa offices create --name "Helsinki office"
    """
    show_result(session, lambda client: client.offices.create(name=name))
