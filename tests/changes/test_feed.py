"""A change feed against the fake CubiCasa, on each real store: what a pass reports, what it
does not report twice, and what a failing handler gets again."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from cubicasa.changes import AsyncChangeFeed, ChangeFeed, OrderChange
from cubicasa.testing import FakeCubiCasa


def ids_by_status(fake: FakeCubiCasa) -> dict[str, str]:
    return {order["info"]["status"]: order_id for order_id, order in fake.orders.items()}


def webhook_body(order_id: str, previous: str, current: str, product: str = "products_2d") -> str:
    return json.dumps({
        "id": order_id, "current_status": current, "previous_status": previous,
        "model_id": "cb2aba10-979f-461c-bdb7-906f5047d111", "product_type": product,
        "delivery_type": "new",
    })  # fmt: skip


def test_first_pass_reports_every_order_once_then_nothing(
    fake: FakeCubiCasa, store_url: str
) -> None:
    got: list[OrderChange] = []
    with fake.client() as client, ChangeFeed(client, store=store_url) as feed:
        first = feed.sync(got.append)
        assert sorted((c.order_id, c.previous, c.current) for c in got) == sorted(
            (order_id, None, order["info"]["status"]) for order_id, order in fake.orders.items()
        )
        assert {c.source for c in got} == {"poll"}
        assert all(c.order is not None and c.order.id == c.order_id for c in got)
        assert (first.seen, first.changed, first.delivered, first.failed) == (3, 3, 3, 0)
        # In-progress orders come first.
        assert [c.current for c in got][-1] == "Ready"
        got.clear()
        second = feed.sync(got.append)
        assert got == []
        assert (second.changed, second.delivered) == (0, 0)


def test_a_status_change_is_one_change_on_the_next_pass(fake: FakeCubiCasa, store_url: str) -> None:
    pending = ids_by_status(fake)["Pending"]
    got: list[OrderChange] = []
    with fake.client() as client, ChangeFeed(client, store=store_url) as feed:
        feed.sync(lambda change: None)
        fake.set_status(pending, "Fixing")
        feed.sync(got.append)
        assert [(c.order_id, c.previous, c.current) for c in got] == [
            (pending, "Pending", "Fixing")
        ]
        assert got[0].order.info.status == "Fixing"
        got.clear()
        feed.sync(got.append)
        assert got == []


def test_the_feed_remembers_across_restarts(fake: FakeCubiCasa, store_url: str) -> None:
    draft = ids_by_status(fake)["Draft"]
    with fake.client() as client:
        with ChangeFeed(client, store=store_url) as feed:
            feed.sync(lambda change: None)
        fake.set_status(draft, "Pending")
        got: list[OrderChange] = []
        with ChangeFeed(client, store=store_url) as feed:
            feed.sync(got.append)
        assert [(c.previous, c.current) for c in got] == [("Draft", "Pending")]


def test_a_quick_edit_while_ready_is_a_change(store_url: str) -> None:
    # The fake lists orders without their files, as the live API may; this listing carries
    # them (as the spec allows), and the Quick Edit changes them.
    fake = FakeCubiCasa(seed=False)
    ready = fake.add_order(status="Ready")["id"]

    def list_files(url: str) -> None:
        fake.clear_deviations()
        files = {"listing_floorplans": {"pdf_urls": [url]}}
        fake.deviate("listOrders", add={"/items/*/delivery_assets": files})

    got: list[OrderChange] = []
    with fake.client() as client, ChangeFeed(client, store=store_url) as feed:
        list_files("https://files.test/v1/plan.pdf?X-Amz-Signature=one")
        feed.sync(lambda change: None)
        list_files("https://files.test/v1/plan.pdf?X-Amz-Signature=two")  # a new signature only
        feed.sync(got.append)
        assert got == []
        list_files("https://files.test/v2/plan.pdf?X-Amz-Signature=three")
        feed.sync(got.append)
        assert [(c.order_id, c.previous, c.current) for c in got] == [(ready, "Ready", "Ready")]
        assert got[0].is_redelivery
        fake.clear_deviations()  # a listing without the files says nothing about them
        feed.sync(got.append)
        assert len(got) == 1


def test_a_handler_that_raises_gets_only_that_change_again(
    fake: FakeCubiCasa, store_url: str
) -> None:
    by_status = ids_by_status(fake)
    calls: list[tuple[str, int]] = []

    def handler(change: OrderChange) -> None:
        calls.append((change.order_id, change.attempt))
        if change.order_id == by_status["Pending"] and change.attempt == 1:
            raise RuntimeError("the CRM is down")

    with fake.client() as client, ChangeFeed(client, store=store_url) as feed:
        summary = feed.sync(handler)
        assert (summary.changed, summary.delivered, summary.failed) == (3, 2, 1)
        assert len(calls) == 3  # tried once in this pass, not again straight away
        assert feed.store.pending() == 1
        calls.clear()
        summary = feed.sync(handler)
        assert calls == [(by_status["Pending"], 2)]
        assert (summary.changed, summary.delivered, summary.failed) == (0, 1, 0)
        calls.clear()
        feed.sync(handler)
        assert calls == []


def test_an_orders_changes_are_delivered_in_order_behind_a_failure(
    fake: FakeCubiCasa, sqlite_path: Any
) -> None:
    draft = ids_by_status(fake)["Draft"]
    seen: list[tuple[str | None, str]] = []
    failing = True

    def handler(change: OrderChange) -> None:
        if change.order_id != draft:
            return
        if failing:
            raise RuntimeError("not yet")
        seen.append((change.previous, change.current))

    with fake.client() as client, ChangeFeed(client, store=sqlite_path) as feed:
        feed.sync(handler)  # Draft's first change fails
        fake.set_status(draft, "Pending")
        summary = feed.sync(handler)  # fails again; Draft -> Pending waits behind it
        assert summary.failed == 1
        assert summary.changed == 1
        failing = False
        feed.sync(handler)
        assert seen == [(None, "Draft"), ("Draft", "Pending")]


def test_a_change_ingested_from_a_webhook_is_not_reported_by_the_poll(
    fake: FakeCubiCasa, store_url: str
) -> None:
    pending = ids_by_status(fake)["Pending"]
    got: list[OrderChange] = []
    with fake.client() as client, ChangeFeed(client, store=store_url) as feed:
        feed.sync(lambda change: None)
        fake.set_status(pending, "Ready")
        result = feed.ingest(webhook_body(pending, "Pending", "Ready"), got.append)
        assert result.outcome == "delivered"
        assert [(c.order_id, c.previous, c.current, c.source) for c in got] == [
            (pending, "Pending", "Ready", "webhook")
        ]
        got.clear()
        summary = feed.sync(got.append)
        assert got == []
        assert summary.changed == 0
        # CubiCasa's retry of the same call.
        again = feed.ingest(webhook_body(pending, "Pending", "Ready"), got.append)
        assert again.duplicate
        assert again.outcome == "duplicate"
        assert got == []


def test_a_webhook_for_a_change_the_poll_reported_is_known(
    fake: FakeCubiCasa, store_url: str
) -> None:
    from cubicasa.webhooks import parse_order_status

    pending = ids_by_status(fake)["Pending"]
    got: list[OrderChange] = []
    with fake.client() as client, ChangeFeed(client, store=store_url) as feed:
        feed.sync(lambda change: None)
        fake.set_status(pending, "Ready")
        feed.sync(got.append)
        assert len(got) == 1
        event = parse_order_status(webhook_body(pending, "Pending", "Ready"))
        assert feed.ingest(event, got.append).outcome == "known"
        assert len(got) == 1


def test_a_quick_edit_webhook_is_a_change_and_not_reported_again(store_url: str) -> None:
    fake = FakeCubiCasa(seed=False)
    ready = fake.add_order(status="Ready")["id"]
    files = {"listing_floorplans": {"pdf_urls": ["https://files.test/v1/plan.pdf"]}}
    fake.deviate("listOrders", add={"/items/*/delivery_assets": files})
    got: list[OrderChange] = []
    with fake.client() as client, ChangeFeed(client, store=store_url) as feed:
        feed.sync(lambda change: None)
        fake.clear_deviations()
        files = {"listing_floorplans": {"pdf_urls": ["https://files.test/v2/plan.pdf"]}}
        fake.deviate("listOrders", add={"/items/*/delivery_assets": files})
        result = feed.ingest(webhook_body(ready, "Ready", "Ready"), got.append)
        assert result.outcome == "delivered"
        assert result.change is not None
        assert result.change.is_redelivery
        feed.sync(got.append)  # the new files are taken silently: the webhook reported them
        assert [(c.previous, c.current, c.source) for c in got] == [("Ready", "Ready", "webhook")]


def test_a_webhook_without_a_handler_waits_for_the_next_pass(
    fake: FakeCubiCasa, sqlite_path: Any
) -> None:
    draft = ids_by_status(fake)["Draft"]
    got: list[OrderChange] = []
    with fake.client() as client, ChangeFeed(client, store=sqlite_path) as feed:
        feed.sync(lambda change: None)
        fake.set_status(draft, "Pending")
        assert feed.ingest(webhook_body(draft, "Draft", "Pending")).outcome == "pending"
        feed.sync(got.append)
        assert [(c.previous, c.current, c.source) for c in got] == [("Draft", "Pending", "webhook")]


def test_a_failing_handler_on_a_webhook_leaves_it_for_the_next_pass(
    fake: FakeCubiCasa, sqlite_path: Any
) -> None:
    draft = ids_by_status(fake)["Draft"]

    def broken(change: OrderChange) -> None:
        raise ConnectionError("queue unreachable")

    got: list[OrderChange] = []
    with fake.client() as client, ChangeFeed(client, store=sqlite_path) as feed:
        feed.sync(lambda change: None)
        fake.set_status(draft, "Pending")
        result = feed.ingest(webhook_body(draft, "Draft", "Pending"), broken)
        assert result.outcome == "failed"
        assert isinstance(result.error, ConnectionError)
        feed.sync(got.append)
        assert [(c.current, c.attempt) for c in got] == [("Pending", 2)]


def test_max_items_bounds_a_pass_and_walks_in_progress_orders_first(
    fake: FakeCubiCasa, sqlite_path: Any
) -> None:
    got: list[OrderChange] = []
    with fake.client() as client, ChangeFeed(client, store=sqlite_path) as feed:
        summary = feed.sync(got.append, max_items=2)
        assert summary.seen == 2
        assert sorted(c.current for c in got) == ["Draft", "Pending"]
        feed.sync(got.append, max_items=3)
        assert sorted(c.current for c in got) == ["Draft", "Pending", "Ready"]


def test_the_async_feed_reports_the_same(fake: FakeCubiCasa, store_url: str) -> None:
    pending = ids_by_status(fake)["Pending"]

    async def main() -> list[tuple[str | None, str]]:
        got: list[tuple[str | None, str]] = []

        async def handler(change: OrderChange) -> None:
            got.append((change.previous, change.current))

        client = fake.async_client()
        try:
            async with AsyncChangeFeed(client, store=store_url) as feed:
                first = await feed.sync(handler)
                assert first.changed == 3
                fake.set_status(pending, "Fixing")
                await feed.sync(handler)
                result = await feed.ingest(webhook_body(pending, "Fixing", "Ready"), handler)
                assert result.outcome == "delivered"
                again = await feed.ingest(webhook_body(pending, "Fixing", "Ready"), handler)
                assert again.duplicate
        finally:
            await client.close()
        return got

    got = asyncio.run(main())
    assert got[3:] == [("Pending", "Fixing"), ("Fixing", "Ready")]
    assert sorted(str(p) for p, _ in got[:3]) == ["None"] * 3
