"""`cubicasa orders changes`: JSON Lines (or a table) of the changes since the last run, and
--exec to hand each change to a command."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from cubicasa.testing import FakeCubiCasa
from tests.cli.conftest import Cli, cli  # noqa: F401 - the fixture

FIELDS = {"change_id", "order_id", "previous", "current", "source", "observed_at", "attempt"}


def test_each_run_prints_the_changes_since_the_last(
    cli: Cli,  # noqa: F811
    fake: FakeCubiCasa,
    tmp_path: Path,
) -> None:
    store = str(tmp_path / "changes.sqlite3")
    first = cli("orders", "changes", "--store", store)
    assert first.code == 0, first.err
    lines = first.lines()
    assert {line["order_id"] for line in lines} == set(fake.orders)
    assert all(set(line) == FIELDS and line["previous"] is None for line in lines)
    assert "3 orders, 3 changed, 3 delivered, 0 failed" in first.err
    assert cli("orders", "changes", "--store", store).out == ""
    order_id = next(iter(fake.orders))
    fake.set_status(order_id, "Fixing")
    third = cli("orders", "changes", "--store", store).lines()
    assert [(c["order_id"], c["current"], c["source"]) for c in third] == [
        (order_id, "Fixing", "poll")
    ]


def test_on_a_terminal_the_changes_are_a_table(
    cli: Cli,  # noqa: F811
    fake: FakeCubiCasa,
    tmp_path: Path,
) -> None:
    result = cli("orders", "changes", "--store", str(tmp_path / "c.sqlite3"), terminal=True)
    assert result.code == 0
    for order_id in fake.orders:  # shortened, as in every table
        assert order_id[:8] + "…" in result.text
    assert "(new)" in result.text
    assert "Previous" in result.text


def test_wide_shows_the_changes_order_ids_whole(
    cli: Cli,  # noqa: F811
    fake: FakeCubiCasa,
    tmp_path: Path,
) -> None:
    store = str(tmp_path / "c.sqlite3")
    cli("orders", "changes", "--store", store)  # the first pass: every order is new
    order_id = next(iter(fake.orders))
    fake.set_status(order_id, "Fixing")
    result = cli("--wide", "orders", "changes", "--store", store, terminal=True)
    assert result.code == 0
    assert order_id in "".join(line.strip("│ ") for line in result.text.splitlines())


def test_a_store_that_is_not_one_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n" * 200)
    result = cli("orders", "changes", "--store", str(notes))
    assert result.code == 1
    assert "not a change store" in result.err
    assert notes.read_text() == "my notes\n" * 200


def test_exec_must_name_a_command(cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    result = cli("orders", "changes", "--store", str(tmp_path / "c"), "--exec", "no-such-cmd-x")
    assert result.code == 2
    assert "no such command: 'no-such-cmd-x'" in result.err


@pytest.mark.slow
def test_exec_gets_each_change_and_a_failure_stays_pending(
    cli: Cli,  # noqa: F811
    fake: FakeCubiCasa,
    tmp_path: Path,
) -> None:
    store, seen = str(tmp_path / "changes.sqlite3"), tmp_path / "seen.jsonl"
    refused = next(i for i, o in fake.orders.items() if o["info"]["status"] == "Ready")
    script = tmp_path / "hook.py"
    script.write_text(
        "import json, sys\n"
        "change = json.load(sys.stdin)\n"
        f"if change['order_id'] == {refused!r} and change['attempt'] == 1:\n"
        "    sys.exit(3)\n"
        f"open({str(seen)!r}, 'a').write(json.dumps(change) + '\\n')\n"
        "print('hook ran')\n"
    )
    command = f"{sys.executable} {script}"
    first = cli("orders", "changes", "--store", store, "--exec", command)
    assert first.code == 1
    assert "exited with status 3; it stays pending" in first.err
    assert "hook ran" in first.err  # the command's output is not mixed into the JSON Lines
    printed = first.lines()
    assert len(printed) == 2
    assert refused not in {c["order_id"] for c in printed}
    second = cli("orders", "changes", "--store", store, "--exec", command)
    assert second.code == 0
    assert [(c["order_id"], c["attempt"]) for c in second.lines()] == [(refused, 2)]
    handled = [json.loads(line)["order_id"] for line in seen.read_text().splitlines()]
    assert sorted(handled) == sorted(fake.orders)


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ("\x1b]0;PWNED\x07\x1b[2J", "\\x1b]0;PWNED\\x07\\x1b[2J"),
        ("Ready\r\nFAKE", "Ready\\x0d\\x0aFAKE"),
        ("\u202eydaeR", "\\u202eydaeR"),
        ("Rea\x00dy", "Rea\\x00dy"),
        ("[bold]Ready[/bold]", "[bold]Ready[/bold]"),  # text, not markup
    ],
)
def test_the_table_shows_a_servers_control_characters_as_escapes(
    cli: Cli,  # noqa: F811
    fake: FakeCubiCasa,
    tmp_path: Path,
    status: str,
    shown: str,
) -> None:
    fake.deviate("listOrders", replace={"/items/*/info/status": status})
    store = str(tmp_path / "c.sqlite3")
    result = cli("orders", "changes", "--store", store, terminal=True)
    assert result.code == 0, result.err
    for raw in ("\x1b]", "\x07", "\x1b[2J", "\r", "\u202e", "\x00"):
        assert raw not in result.out
    assert result.out.count(shown) == len(fake.orders)
    # And as the previous status on the next change.
    fake.clear_deviations()
    again = cli("orders", "changes", "--store", store, terminal=True)
    assert again.out.count(shown) == len(fake.orders)


def test_an_odd_listed_order_does_not_stop_the_others(
    cli: Cli,  # noqa: F811
    fake: FakeCubiCasa,
    tmp_path: Path,
) -> None:
    listed = sorted(fake.orders)
    items = [dict(fake.orders[order_id]) for order_id in listed]
    items[0]["info"] = "s"
    fake.deviate("listOrders", replace={"/items": [None, *items]})
    result = cli("orders", "changes", "--store", str(tmp_path / "c.sqlite3"))
    assert result.code == 0, result.err
    assert {line["order_id"] for line in result.lines()} == set(listed[1:])
