"""The address and owner options that `drafts` and `gotoscan` share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def address_options(function: F) -> F:
    """--street, --city, --country, --owner-email (required), --suite, --state, --postal-code,
    --external-id."""
    options = [
        click.option("--street", required=True, metavar="TEXT", help="Street and number."),
        click.option("--city", required=True, metavar="TEXT"),
        click.option(
            "--country", required=True, metavar="TEXT", help='In full, e.g. "United States".'
        ),
        click.option(
            "--owner-email",
            required=True,
            metavar="EMAIL",
            help="The user who owns the order (a user of the company).",
        ),
        click.option("--suite", metavar="TEXT", help="Apartment, suite, ..."),
        click.option("--state", metavar="TEXT"),
        click.option("--postal-code", metavar="TEXT"),
        click.option(
            "--external-id", metavar="TEXT", help="Your own reference, shown on the order."
        ),
    ]
    for add in reversed(options):
        function = add(function)
    return function
