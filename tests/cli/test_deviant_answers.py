"""The command line prints what came: an answer that lacks a required field, or holds one of
another JSON type, is printed as it came (`--json`), or with the missing field empty (tables and
key/value views); the command exits 0."""

from __future__ import annotations

from cubicasa.testing import FakeCubiCasa
from tests.cli.conftest import Cli

ORDER = "312babc6-e742-4d54-ac49-e0f7b16ec15a"  # a seeded order of the fake


def test_users_list_without_a_required_field_prints_every_user(
    cli: Cli, fake: FakeCubiCasa
) -> None:
    served = cli("users", "list", "--json").lines()
    fake.deviate("listUsers", remove=["/items/*/role"])

    lines = cli("users", "list", "--json")
    assert lines.code == 0
    assert lines.lines() == [{k: v for k, v in u.items() if k != "role"} for u in served]

    table = cli("users", "list", terminal=True)
    assert table.code == 0, table.err
    for user in served:
        row = next(line for line in table.text.splitlines() if user["email"] in line)
        assert user["role"] not in row
        assert " - " in row  # the role's cell is empty
    assert f"{len(served)} users" in table.err


def test_orders_with_odd_fields_print_as_they_came(cli: Cli, fake: FakeCubiCasa) -> None:
    fake.deviate(
        "listOrders",
        remove=["/items/0/address"],
        replace={"/items/*/info/created_at": "2024-05-20T12:00:00Z"},
    )
    lines = cli("orders", "list", "--json")
    assert lines.code == 0, lines.err
    orders = lines.lines()
    assert "address" not in orders[0]
    assert all(o["info"]["created_at"] == "2024-05-20T12:00:00Z" for o in orders)

    table = cli("--wide", "orders", "list", terminal=True)  # IDs whole
    assert table.code == 0, table.err
    assert "2024-05-20T12:00:00Z" in table.text
    assert orders[0]["id"] in table.text


def test_get_shows_a_missing_field_as_absent(cli: Cli, fake: FakeCubiCasa) -> None:
    fake.deviate("getOrder", remove=["/info"])
    shown = cli("orders", "get", ORDER, terminal=True)
    assert shown.code == 0, shown.err
    assert "info." not in shown.text
    assert ORDER in shown.text
    as_json = cli("orders", "get", ORDER, "--json")
    assert as_json.code == 0
    assert "info" not in as_json.json()
    assert as_json.json()["id"] == ORDER
