"""`cubicasa company ...`: get, package, merge-request."""

from __future__ import annotations

import click

from ._commands import api_command, api_group, show_result
from ._session import Session, pass_session

company = api_group(
    "company",
    "The company the key belongs to, its package, merge requests.",
    "cubicasa company get",
)


@api_command(company, "get")
@pass_session
def get(session: Session) -> None:
    """Show the company the API key belongs to.

    \b
    Example:
        cubicasa company get
    """
    show_result(session, lambda client: client.company.get())


@api_command(company, "package")
@pass_session
def package(session: Session) -> None:
    """Show the company's default package and add-ons.

    \b
    Example:
        cubicasa company package --json | jq .package_type
    """
    show_result(session, lambda client: client.company.get_package())


@api_command(company, "merge-request")
@click.option("--email", required=True, metavar="EMAIL", help="The other company's manager.")
@pass_session
def merge_request(session: Session, email: str) -> None:
    """Ask another company, named by its manager's e-mail, to merge with this one.

    \b
    Example:
        cubicasa company merge-request --email manager@other.example.com
    """
    show_result(session, lambda client: client.company.send_merge_request(email=email))
