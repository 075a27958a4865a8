"""Users: list, create, get, update, delete, and their passwords."""

from __future__ import annotations

from .._http import Call, FakeResponse, Invalid, Missing, json_response, message
from .._paging import page
from .._store import Handler, Store
from .._validate import failure, read_body

INVITATION = "Invitation email was sent to user email and needs to be finished before first login."


def list_users(store: Store, call: Call) -> FakeResponse:
    return page(call, list(store.users.values()), docs_offsets=store.docs_offsets)


def create_user(store: Store, call: Call) -> FakeResponse:
    data = read_body(call)
    if any(u["email"] == data["email"] for u in store.users.values()):
        raise Invalid("body_params", [failure(["email"], "user already exists", "value_error")])
    office = data.get("office_id")
    store.require_office(office)
    password = data.get("password")
    user = store.add_user(
        data["email"], role=data["role"], password=password, email_confirmed=bool(password)
    )
    if office is not None:
        store.user_offices[user["id"]] = office
    text = "User created." if password else INVITATION
    answer = {"email": user["email"], "id": user["id"], "message": text, "role": user["role"]}
    return json_response(200, answer)


def get_user(store: Store, call: Call) -> FakeResponse:
    return json_response(200, store.user_by_email(call.params["user_id"]))


def update_user(store: Store, call: Call) -> FakeResponse:
    user = store.user_by_email(call.params["user_id"])
    data = read_body(call)
    office = data.pop("office_id", None)
    store.require_office(office)
    if office is not None:
        store.user_offices[user["id"]] = office
    user.update(data)
    return json_response(200, user)


def delete_user(store: Store, call: Call) -> FakeResponse:
    user = store.users.pop(call.params["user_id"], None)
    if user is None:
        raise Missing(f"User {call.params['user_id']}")
    store.passwords.pop(user["email"], None)
    return message(200, "User deleted successfully")


def change_user_password(store: Store, call: Call) -> FakeResponse:
    data = read_body(call)
    user = store.user_by_email(data["email"])
    if store.passwords.get(user["email"]) != data["old_password"]:
        raise Invalid("body_params", [failure(["old_password"], "wrong password", "value_error")])
    store.passwords[user["email"]] = data["new_password"]
    return message(200, "Your password has been changed.")


def send_password_reset(store: Store, call: Call) -> FakeResponse:
    data = read_body(call)
    store.user_by_email(data["email"])
    store.password_resets.append(data["email"])
    return message(200, "Send reset password email successfully.")


HANDLERS: dict[str, Handler] = {
    "listUsers": list_users,
    "createUser": create_user,
    "getUser": get_user,
    "updateUser": update_user,
    "deleteUser": delete_user,
    "changeUserPassword": change_user_password,
    "sendPasswordReset": send_password_reset,
}
