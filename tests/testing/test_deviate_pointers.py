"""`fake.deviate` refuses a JSON pointer that matches nothing in the operation's answer (it would
silently do nothing), naming the pointer; pointers that do match keep working."""

from __future__ import annotations

import re

import pytest

from cubicasa.testing import FakeCubiCasa


@pytest.mark.parametrize(
    ("operation_id", "kind", "pointer"),
    [
        ("listUsers", "replace", "/0/role"),  # the answer is {items: [...]}, not a list
        ("listUsers", "remove", "/items/*/rol"),
        ("getOrder", "add", "/infos/rush"),  # no parent `infos`
        ("getOrder", "replace", "/info/0"),
    ],
)
def test_a_pointer_matching_nothing_is_a_value_error_naming_it(
    operation_id: str, kind: str, pointer: str
) -> None:
    fake = FakeCubiCasa()
    members = [pointer] if kind == "remove" else {pointer: "Owner"}
    with pytest.raises(
        ValueError, match=re.escape(f"{kind}: '{pointer}' matches nothing in {operation_id}")
    ):
        fake.deviate(operation_id, **{kind: members})


def test_matching_pointers_still_deviate() -> None:
    fake = FakeCubiCasa()
    fake.deviate("listUsers", replace={"/items/*/role": "Owner", "/items/0/name": "X"})
    fake.deviate("getOrder", add={"/info/brand_new": 1})
    fake.deviate("getCompanyInfo", add={"/profile/extra": True})
    with fake.client(conformance="off") as client:
        roles = {user.role for user in client.users.list()}
        order = client.orders.get("312babc6-e742-4d54-ac49-e0f7b16ec15a")
    assert roles == {"Owner"}
    assert order.info["brand_new"] == 1
