"""`cubicasa users ...`: list, get, create, update, delete, reset-password, change-password."""

from __future__ import annotations

import click

from ..models import UserRole
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

USER_COLUMNS: list[Column] = [
    ("E-mail", "email"),
    ("Role", "role"),
    ("ID", "id"),
    ("Name", "name"),
    ("Surname", "surname"),
]
ROLE = click.Choice([role.value for role in UserRole])

users = api_group(
    "users", "List, add, show, update and delete the company's users.", "cubicasa users list"
)


@api_command(users, "list")
@list_options
@pass_session
def list_users(session: Session, max_items: int | None, page_size: int | None) -> None:
    """List the company's users.

    \b
    Example:
        cubicasa users list --json | jq -r 'select(.role == "Manager") | .email'
    """
    show_items(
        session,
        lambda client: client.users.list(page_size=page_size, max_items=max_items),
        USER_COLUMNS,
        "users",
    )


@api_command(users, "get")
@click.argument("email", type=ID)
@pass_session
def get(session: Session, email: str) -> None:
    """Show one user, by e-mail address.

    \b
    Example:
        cubicasa users get manager@example.com
    """
    show_result(session, lambda client: client.users.get(email))


@api_command(users, "create")
@click.option("--email", required=True, metavar="EMAIL")
@click.option(
    "--role",
    required=True,
    type=ROLE,
    help="Manager (everything), User (own office's scans) or Collaborator (own orders only).",
)
@click.option("--office-id", type=ID, metavar="ID", help="The office to place the user in.")
@pass_session
def create(session: Session, email: str, role: str, office_id: str | None) -> None:
    """Add a user; CubiCasa e-mails them an invitation. Shows the new user.

    \b
    Example:
        cubicasa users create --email ann@example.com --role User
    """
    show_result(
        session, lambda client: client.users.create(email=email, role=role, office_id=office_id)
    )


@api_command(users, "update")
@click.argument("email", type=ID)
@click.option("--name", metavar="TEXT")
@click.option("--surname", metavar="TEXT")
@click.option("--role", type=ROLE)
@click.option("--office-id", type=ID, metavar="ID")
@pass_session
def update(
    session: Session,
    email: str,
    name: str | None,
    surname: str | None,
    role: str | None,
    office_id: str | None,
) -> None:
    """Change a user's name, role or office; only the options given are sent.

    \b
    Example:
        cubicasa users update ann@example.com --role Manager
    """
    show_result(
        session,
        lambda client: client.users.update(
            email, name=name, surname=surname, role=role, office_id=office_id
        ),
    )


@api_command(users, "delete")
@click.argument("user_id", type=ID)
@pass_session
def delete(session: Session, user_id: str) -> None:
    """Delete a user (their orders stay). Shows CubiCasa's message.

    \b
    Example:
        cubicasa users delete 497f6eca-6276-4993-bfeb-53cbbbba6f08
    """
    show_result(session, lambda client: client.users.delete(user_id))


@api_command(users, "reset-password")
@click.argument("email", type=ID)
@pass_session
def reset_password(session: Session, email: str) -> None:
    """E-mail a user a password-reset link.

    \b
    Example:
        cubicasa users reset-password ann@example.com
    """
    show_result(session, lambda client: client.users.send_password_reset(email))


@api_command(users, "change-password")
@click.argument("email", type=ID)
@click.option(
    "--old-password",
    prompt=True,
    hide_input=True,
    metavar="TEXT",
    help="Asked for when not given (better than typing it here).",
)
@click.option(
    "--new-password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    metavar="TEXT",
    help="Asked for, twice, when not given.",
)
@pass_session
def change_password(session: Session, email: str, old_password: str, new_password: str) -> None:
    """Change a user's password; both passwords are asked for without echo.

    \b
    Example:
        cubicasa users change-password ann@example.com
    """
    show_result(
        session, lambda client: client.users.change_password(email, old_password, new_password)
    )
