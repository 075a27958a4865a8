"""What a feed does with input that differs from the spec: a listed order it cannot read is
skipped with one warning and the others are delivered; an unusable webhook is a
`WebhookPayloadError`; another program's SQLite file is refused untouched."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cubicasa.changes import AsyncChangeFeed, ChangeFeed, ChangeStoreError, OrderChange
from cubicasa.testing import FakeCubiCasa
from cubicasa.webhooks import WebhookPayloadError

ODD: dict[str, Callable[[dict[str, Any]], Any]] = {
    "id missing": lambda order: order.pop("id"),
    "id a number": lambda order: order.update(id=5),
    "info missing": lambda order: order.pop("info"),
    "info a string": lambda order: order.update(info="s"),
    "status null": lambda order: order["info"].update(status=None),
    "status a number": lambda order: order["info"].update(status=7),
}
ODD_ITEMS: list[Any] = [None, 5, "s", {"info": {"status": "New"}}]


def odd_listing(fake: FakeCubiCasa, case: str) -> set[str]:
    """List the orders with the first one made odd (or after items that are not orders), as an
    API that changed would; the IDs of the orders that stay readable."""
    listed = sorted(fake.orders)
    items: list[Any] = [copy.deepcopy(fake.orders[order_id]) for order_id in listed]
    if case == "items not orders":
        fake.deviate("listOrders", replace={"/items": ODD_ITEMS + items})
        return set(listed)
    ODD[case](items[0])
    fake.deviate("listOrders", replace={"/items": items})
    return set(listed[1:])


def skipped(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records
        if r.name == "cubicasa.changes" and "skipping a listed order" in r.getMessage()
    ]  # fmt: skip


@pytest.mark.parametrize("case", [*ODD, "items not orders"])
def test_an_odd_listed_order_is_skipped_and_the_others_delivered(
    fake: FakeCubiCasa, sqlite_path: Path, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    readable = odd_listing(fake, case)
    got: list[OrderChange] = []
    with fake.client() as client, ChangeFeed(client, store=sqlite_path) as feed:
        caplog.set_level(logging.WARNING, "cubicasa.changes")
        feed.sync(got.append)
        assert {c.order_id for c in got} == readable
        odd = 4 if case == "items not orders" else 1
        assert len(skipped(caplog)) == odd, "one warning a pass for each odd order"
        caplog.clear()
        got.clear()
        # The next pass goes on too: nothing new, and the same warning once.
        assert feed.sync(got.append).failed == 0
        assert got == []
        assert len(skipped(caplog)) == odd


def test_run_goes_on_past_an_odd_order(fake: FakeCubiCasa, sqlite_path: Path) -> None:
    readable = odd_listing(fake, "info a string")
    got: list[OrderChange] = []
    waits: list[float] = []
    with fake.client() as client, ChangeFeed(client, sqlite_path, sleep=waits.append) as feed:
        totals = feed.run(got.append, interval=60, max_passes=2)
    assert {c.order_id for c in got} == readable
    assert (totals.passes, totals.errors, totals.delivered) == (2, 0, len(readable))


@pytest.mark.parametrize("case", ["id a number", "status null", "items not orders"])
def test_the_async_feed_skips_an_odd_order_too(
    fake: FakeCubiCasa, sqlite_path: Path, case: str
) -> None:
    readable = odd_listing(fake, case)

    async def main() -> set[str]:
        got: list[OrderChange] = []
        async with (
            fake.async_client() as client,
            AsyncChangeFeed(client, store=sqlite_path) as feed,
        ):
            await feed.sync(got.append)
        return {c.order_id for c in got}

    assert asyncio.run(main()) == readable


def test_odd_delivered_files_leave_the_status_compared(
    fake: FakeCubiCasa, sqlite_path: Path
) -> None:
    fake.deviate("listOrders", add={"/items/*/delivery_assets": "s"})
    got: list[OrderChange] = []
    with fake.client() as client, ChangeFeed(client, store=sqlite_path) as feed:
        feed.sync(got.append)
        assert {c.order_id for c in got} == set(fake.orders)
        order_id = next(iter(fake.orders))
        fake.set_status(order_id, "Fixing")
        got.clear()
        feed.sync(got.append)
        assert [(c.order_id, c.current) for c in got] == [(order_id, "Fixing")]


def event(**fields: Any) -> str:
    body: dict[str, Any] = {
        "id": "o-1", "current_status": "Ready", "previous_status": "Pending",
        "model_id": "cb2aba10-979f-461c-bdb7-906f5047d111", "product_type": "products_2d",
        "delivery_type": "new",
    }  # fmt: skip
    body.update(fields)
    return json.dumps({k: v for k, v in body.items() if v is not ...})


UNUSABLE_IDS = [".", "a/b", "", " ", "x" * 5000, "\uff21\uff11", "o\x1b[2J", 5, None, ...]


@pytest.mark.parametrize("order_id", UNUSABLE_IDS)
def test_a_webhook_with_an_unusable_id_is_a_payload_error(
    fake: FakeCubiCasa, sqlite_path: Path, order_id: Any
) -> None:
    with fake.client() as client, ChangeFeed(client, store=sqlite_path) as feed:
        with pytest.raises(WebhookPayloadError, match=r"\bid\b") as caught:
            feed.ingest(event(id=order_id))
        assert feed.sync().changed == len(fake.orders), "nothing was recorded for it"
    if isinstance(order_id, str) and len(order_id) > 1:  # (one character: in the rules)
        assert order_id not in str(caught.value)


@pytest.mark.parametrize("status", ["", "x" * 5000, "Ready\r\nFAKE", "\u202eydaeR", 5, None, ...])
def test_a_webhook_with_an_unusable_current_status_is_a_payload_error(
    fake: FakeCubiCasa, sqlite_path: Path, status: Any
) -> None:
    with (
        fake.client() as client,
        ChangeFeed(client, store=sqlite_path) as feed,
        pytest.raises(WebhookPayloadError, match="current_status") as caught,
    ):
        feed.ingest(event(current_status=status))
    if isinstance(status, str) and status:
        assert status not in str(caught.value)


@pytest.mark.parametrize("previous", [5, ["Pending"], {"a": 1}, None, ..., "Pending\x1b[2J"])
def test_a_webhook_with_an_odd_previous_status_is_ingested_as_new(
    fake: FakeCubiCasa, sqlite_path: Path, previous: Any
) -> None:
    got: list[OrderChange] = []
    with fake.client() as client, ChangeFeed(client, store=sqlite_path) as feed:
        result = feed.ingest(event(previous_status=previous), got.append)
        assert result.outcome == "delivered"
        assert [(c.order_id, c.previous, c.current) for c in got] == [("o-1", None, "Ready")]
        # The status is recorded: the same call again is a duplicate.
        assert feed.ingest(event(previous_status=previous)).outcome == "duplicate"


def test_the_async_feed_refuses_an_unusable_webhook_and_takes_an_odd_previous(
    fake: FakeCubiCasa, sqlite_path: Path
) -> None:
    async def main() -> list[OrderChange]:
        got: list[OrderChange] = []
        async with fake.async_client() as client, AsyncChangeFeed(client, sqlite_path) as feed:
            with pytest.raises(WebhookPayloadError, match=r"\bid\b"):
                await feed.ingest(event(id="a/b"))
            await feed.ingest(event(previous_status=5), got.append)
        return got

    assert [(c.previous, c.current) for c in asyncio.run(main())] == [(None, "Ready")]


def test_another_programs_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    db.execute("INSERT INTO invoices (total) VALUES (12.5)")
    db.commit()
    db.close()
    before = path.read_bytes()
    with (
        FakeCubiCasa(seed=False).client() as client,
        pytest.raises(ChangeStoreError, match="another program"),
    ):
        ChangeFeed(client, store=path)
    assert path.read_bytes() == before, "not switched to WAL, nothing written"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.sqlite3"]
