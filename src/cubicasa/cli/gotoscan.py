"""`cubicasa gotoscan create`: an order someone else scans with the GoToScan app."""

from __future__ import annotations

from typing import Any

import click

from ._address import address_options
from ._commands import api_command, api_group, show_result
from ._session import Session, pass_session

gotoscan = api_group(
    "gotoscan",
    "Create an order that someone else scans with GoToScan.",
    'cubicasa gotoscan create --street "1 Main St" --city Springfield --country "United States" '
    "--owner-email manager@example.com",
)


@api_command(gotoscan, "create")
@address_options
@click.option("--client-name", metavar="TEXT", help="The name shown to the person who scans.")
@click.option("--priority", metavar="TEXT", help="Turnaround, e.g. regular, fast, ultrafast.")
@pass_session
def create(session: Session, /, **options: Any) -> None:
    """Create a GoToScan order (its scan link is valid for 7 days; never retried after a
    timeout). Shows the order.

    \b
    Example:
        cubicasa gotoscan create --street "1 Main St" --city Springfield \\
            --country "United States" --owner-email manager@example.com --client-name "Ann"
    """
    show_result(session, lambda client: client.gotoscan.create(**options))
