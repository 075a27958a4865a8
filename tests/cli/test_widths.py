"""Every command that shows data, rendered on an 80- and a 140-column terminal (rich's console
width): no value of the fake's seed data is cut. Views wrap long values (a URL stays whole, on a
line of its own); tables drop their least useful columns first and shorten IDs, which `--wide`
shows whole."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from cubicasa.testing import FakeCubiCasa
from tests.cli.conftest import Cli

WIDTHS = (80, 140)


def leaves(data: Any) -> Iterator[str]:
    """Every non-empty string value in JSON data."""
    if isinstance(data, dict):
        for value in data.values():
            yield from leaves(value)
    elif isinstance(data, list):
        for value in data:
            yield from leaves(value)
    elif isinstance(data, str) and data.strip():
        yield data


def flat(text: str) -> str:
    return " ".join(text.split())


def views(fake: FakeCubiCasa) -> list[tuple[str, ...]]:
    """Commands that show one object, for every object of the seed."""
    shown: list[tuple[str, ...]] = [("company", "get"), ("company", "package")]
    shown += [("orders", "get", order_id) for order_id in fake.orders]
    shown += [("users", "get", str(user["email"])) for user in fake.users.values()]
    for order_id, requests in fake.change_requests.items():
        shown += [("change-requests", "get", order_id, str(r["id"])) for r in requests]
    return shown


def tables(fake: FakeCubiCasa) -> list[tuple[str, ...]]:
    listed: list[tuple[str, ...]] = [("orders", "list"), ("users", "list"), ("offices", "list")]
    for status in ("New", "Draft", "Pending", "Ready", "Fixing"):
        listed.append(("orders", "list", "--status", status))
    listed += [
        ("change-requests", "list", order_id) for order_id, r in fake.change_requests.items() if r
    ]
    return listed


@pytest.fixture
def at_width(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Any:
    def run(width: int, *args: str) -> str:
        monkeypatch.setenv("COLUMNS", str(width))
        done = cli(*args, terminal=True)
        assert done.code == 0, done.err
        return done.text

    return run


@pytest.mark.parametrize("width", WIDTHS)
def test_views_show_every_value_whole(
    cli: Cli, fake: FakeCubiCasa, at_width: Any, width: int
) -> None:
    commands = views(fake)
    assert len(commands) >= 15
    for command in commands:
        data = cli(*command, "--json").json()
        text = at_width(width, *command)
        for value in leaves(data):
            assert flat(value) in flat(text), (command, width, value)
        for line in text.splitlines():
            # Only a single unbreakable value (a URL) may be longer: the terminal wraps it, and
            # it stays one line to select.
            assert len(line) <= width or " " not in line.strip(), (command, line)
        assert "…" not in text


@pytest.mark.parametrize("width", WIDTHS)
def test_tables_fit_and_cut_no_value(
    cli: Cli, fake: FakeCubiCasa, at_width: Any, width: int
) -> None:
    for command in tables(fake):
        items = cli(*command, "--json").lines()
        assert items, command
        text = at_width(width, *command)
        assert max(len(line) for line in text.splitlines()) <= width, (command, text)
        wide = at_width(width, *command, "--wide")
        shortened = [v for item in items for v in (item["id"],)]
        for identifier in shortened:
            assert identifier[:8] + "…" in text, (command, identifier)
            assert identifier in wide, (command, identifier)
        cells = re.findall(r"│ ([^│]*?) +(?=│)", text)
        for content in cells:
            if content.endswith("…"):  # only IDs are shortened, and they are from the seed
                assert any(i.startswith(content[:-1]) for i in shortened), (command, content)
        # Every value of a shown column is there whole (wrapped cells joined again).
        headers = flat(text.split("┡", 1)[0].replace("┃", " "))
        for item in items:
            for key in ("email", "role", "name", "text"):
                if key in item and item[key] and key.title() in headers.title():
                    rows = " ".join(re.sub(r"[│┃]", " ", line) for line in text.splitlines())
                    assert all(word in rows for word in str(item[key]).split()), (command, key)


@pytest.mark.parametrize("width", WIDTHS)
def test_order_rows_are_one_line_each_at_80_columns(
    fake: FakeCubiCasa, at_width: Any, width: int
) -> None:
    text = at_width(width, "orders", "list")
    body = text.split("┡", 1)[1].splitlines()[1:-1]
    assert len(body) == len(fake.orders)
    for order in fake.orders.values():
        assert str(order["address"]["full_address"]) in text


@pytest.mark.parametrize("width", WIDTHS)
def test_the_tokened_webhook_url_is_whole(cli: Cli, at_width: Any, width: int) -> None:
    secret = "s3cret-token-of-forty-three-characters-long"
    text = at_width(width, "webhooks", "url", "https://hooks.example.com/a/rather/long/path/cubicasa",
                    "--secret", secret)  # fmt: skip
    url = f"https://hooks.example.com/a/rather/long/path/cubicasa?token={secret}"
    assert any(line.split()[-1] == url for line in text.splitlines())  # one line, whole


def test_ids_that_would_read_the_same_shortened_stay_whole(
    fake: FakeCubiCasa, at_width: Any
) -> None:
    twins = ["feedbeef-0000-4000-8000-000000000001", "feedbeef-0000-4000-8000-000000000002"]
    for twin in twins:
        fake.add_order(order_id=twin, status="New")
    text = at_width(140, "orders", "list", "--status", "New")
    for twin in twins:
        assert twin in text


WRITES: list[tuple[str, ...]] = [
    ("drafts", "create", "--street", "1600 Amphitheatre Parkway", "--city", "Mountain View",
     "--country", "United States", "--owner-email", "linus@computer.com"),
    ("users", "create", "--email", "a.rather.long.address.for.a.new.user@agency.example.com",
     "--role", "Collaborator"),
    ("offices", "create", "--name", "The office with a long name in the north of the city"),
    ("webhooks", "set", "--url", "https://hooks.example.com/a/long/path/cubicasa?token=0123456789"
     "abcdefghijklmnopqrstuvwxyzABCDEFG", "--trigger", "moved_to_ready"),
    ("change-requests", "create", "312babc6-e742-4d54-ac49-e0f7b16ec15a", "--text",
     "The kitchen is missing, and the stairs to the basement face the wrong way"),
]  # fmt: skip


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("command", WRITES, ids=lambda command: " ".join(command[:2]))
def test_what_a_write_shows_is_whole(
    cli: Cli, fake: FakeCubiCasa, at_width: Any, width: int, command: tuple[str, ...]
) -> None:
    data = cli(*command, "--json").json()
    fake.reset()  # the same write again, on the terminal
    text = at_width(width, *command)
    for key, value in data.items() if isinstance(data, dict) else []:
        if key == "id" or key.endswith("_at"):
            continue  # the second run made another object
        for leaf in leaves(value):
            assert flat(leaf) in flat(text), (command, width, leaf)
    assert "…" not in text
