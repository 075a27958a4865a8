# Generated from src/cubicasa/resources/users.py by scripts/unasync.py: do not edit.
# `make generate` writes it; `make check-generated` fails when it differs.
"""Users of the company account (`client.users`)."""

from __future__ import annotations

from cubicasa_api.api.users import (
    change_user_password,
    create_user,
    delete_user,
    get_user,
    list_users,
    send_password_reset,
    update_user,
)
from cubicasa_api.models import (
    ChangePasswordInput,
    Message,
    PasswordResetInput,
    User,
    UserCreated,
    UserInput,
    UserList,
    UserRole,
    UserUpdateInput,
)

from ...pagination import Pager
from ...resources._common import nonempty, opt, optional_text
from .._base_client import SyncAPIResource

ROLES = ", ".join(role.value for role in UserRole)


def _role(role: str | UserRole | None) -> UserRole | None:
    if role is None:
        return None
    if not isinstance(role, str):  # a UserRole is a str too
        raise TypeError(f"role must be a str or UserRole, got {type(role).__name__} {role!r}")
    try:
        return UserRole(role)
    except ValueError:
        raise ValueError(f"role must be one of {ROLES}, got {role!r}") from None


def _new_user(
    email: str, role: str | UserRole, office_id: str | None, password: str | None
) -> UserInput:
    checked = _role(role)
    if checked is None:
        raise ValueError(f"role is required: one of {ROLES}")
    return UserInput(
        email=nonempty("email", email),
        role=checked,
        office_id=optional_text("office_id", office_id),
        password=optional_text("password", password),
    )


def _update(
    name: str | None,
    surname: str | None,
    role: str | UserRole | None,
    office_id: str | None,
) -> UserUpdateInput:
    if name is None and surname is None and role is None and office_id is None:
        raise ValueError("nothing to update: give name, surname, role or office_id")
    return UserUpdateInput(
        name=optional_text("name", name),
        surname=optional_text("surname", surname),
        role=opt(_role(role)),
        office_id=optional_text("office_id", office_id),
    )


def _password(email: str, old_password: str, new_password: str) -> ChangePasswordInput:
    return ChangePasswordInput(
        email=nonempty("email", email),
        old_password=nonempty("old_password", old_password),
        new_password=nonempty("new_password", new_password),
    )


class Users(SyncAPIResource):
    """`client.users`: list, add, look up, update and delete users."""

    def list(
        self,
        page_size: int | None = None,
        max_items: int | None = None,
        concurrency: int | None = None,
    ) -> Pager[User]:
        """Every user of the company, page by page. `GET /users` (listUsers)."""

        return self._client._pager(
            UserList, list_users._get_kwargs, page_size, max_items, concurrency, "users.list"
        )

    def create(
        self,
        *,
        email: str,
        role: str | UserRole,
        office_id: str | None = None,
        password: str | None = None,
    ) -> UserCreated:
        """Add a user. Without `password`, CubiCasa e-mails an invitation to finish first.

        `POST /users` (createUser).

        Args:
            role: "Manager" (everything), "User" (own office's scans, no company settings) or
                "Collaborator" (own orders only, no order e-mails).
            office_id: the office to place the user in.

        Raises:
            ValueError: an unknown role (checked before sending).
        """
        body = _new_user(email, role, office_id, password)
        return self._client._call(UserCreated, create_user._get_kwargs, body=body)

    def get(self, email: str) -> User:
        """One user, by e-mail address. `GET /users/{email}` (getUser; path INFERRED)."""
        email = nonempty("email", email)
        return self._client._call(User, get_user._get_kwargs, user_id=email)

    def update(
        self,
        email: str,
        *,
        name: str | None = None,
        surname: str | None = None,
        role: str | UserRole | None = None,
        office_id: str | None = None,
    ) -> User:
        """Update a user's details; only the given fields are sent.

        `PATCH /users/{email}` (updateUser; path and body INFERRED).
        """
        body = _update(name, surname, role, office_id)
        email = nonempty("email", email)
        return self._client._call(User, update_user._get_kwargs, user_id=email, body=body)

    def change_password(self, email: str, old_password: str, new_password: str) -> Message:
        """Change a user's password. `POST /users/change-password` (changeUserPassword)."""
        body = _password(email, old_password, new_password)
        return self._client._call(Message, change_user_password._get_kwargs, body=body)

    def send_password_reset(self, email: str) -> Message:
        """E-mail the user a password-reset link. `POST /users/reset-password`
        (sendPasswordReset)."""
        body = PasswordResetInput(email=nonempty("email", email))
        return self._client._call(Message, send_password_reset._get_kwargs, body=body)

    def delete(self, user_id: str) -> Message:
        """Delete a user (their orders stay, unassigned). `DELETE /users/{user_id}`
        (deleteUser)."""
        user_id = nonempty("user_id", user_id)
        return self._client._call(Message, delete_user._get_kwargs, user_id=user_id)
