"""`ChangeFeed` and `AsyncChangeFeed`: walk the orders, diff them against a store, hand each
change to a handler and record it only once the handler returns; take webhooks the same way.

Both feeds use the public client only (`client.orders.list`); the store does the remembering.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal

from ..errors import APIConnectionError, InternalServerError, RateLimitError
from ._postgres import PostgresStore
from ._sqlite import SQLiteStore
from ._store import ChangeStore, Pending
from ._values import (
    IN_PROGRESS,
    ChangeStoreError,
    IngestResult,
    Observed,
    OrderChange,
    RunSummary,
    Source,
    SyncSummary,
    check_id,
    observe,
)

logger = logging.getLogger("cubicasa.changes")

Handler = Callable[[OrderChange], Any]
AsyncHandler = Callable[[OrderChange], Awaitable[Any] | Any]
StoreLike = str | Path | ChangeStore
BATCH = 200  # orders compared per transaction: bounds memory and lock time
CLAIM_BATCH = 20  # changes leased at once
DEFAULT_LEASE = 300.0
WEBHOOK_WINDOW = 3600.0  # CubiCasa's 3 tries fall well within an hour
KEEP_DELIVERED = 7 * 86400.0


def open_store(store: StoreLike) -> ChangeStore:
    """A store from a path (SQLite) or a `postgresql://` URL; a `ChangeStore` as is.

    Raises:
        ChangeStoreError: an unknown URL scheme, or a store that cannot be used.
        TypeError: neither a str, a path nor a store.
    """
    if isinstance(store, ChangeStore):
        return store
    if isinstance(store, Path):
        return SQLiteStore(store)
    if not isinstance(store, str):
        raise TypeError(
            "store must be a path, a postgresql:// URL or a ChangeStore, "
            f"got {type(store).__name__}"
        )
    if not store.strip():
        raise ValueError("store is required: a file path or a postgresql:// URL")
    scheme = store.split("://", 1)[0].lower() if "://" in store else ""
    if scheme in ("postgresql", "postgres"):
        return PostgresStore(store)
    if scheme:
        raise ChangeStoreError(
            f"unknown change store scheme {scheme!r}: give a file path or a postgresql:// URL"
        )
    return SQLiteStore(store)


def retry_after(exc: RateLimitError, now: float) -> float | None:
    """Seconds a 429 asks to wait (`Retry-After`: seconds or an HTTP date), if it says."""
    value = exc.response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError):
        return None


def _positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds, got {type(value).__name__}")
    if not value > 0:
        raise ValueError(f"{name} must be > 0 seconds, got {value}")
    return float(value)


def _parse_event(event: Any) -> Any:
    if isinstance(event, bytes | bytearray | memoryview | str):
        from ..webhooks import parse_order_status

        return parse_order_status(event if isinstance(event, str) else bytes(event))
    if not all(hasattr(event, n) for n in ("id", "current_status", "dedupe_key")):
        raise TypeError(
            "ingest() takes an OrderStatusEvent (from cubicasa.webhooks) or a webhook's raw "
            f"body, got {type(event).__name__}"
        )
    return event


Outcome = tuple[Literal["delivered", "failed"], BaseException | None]


def _result(done: dict[int, Outcome], change: OrderChange) -> IngestResult:
    """The ingested change's outcome: pending when this call did not deliver it (another worker
    holds the order, or an earlier change of the order waits)."""
    if change.change_id not in done:
        return IngestResult("pending", change)
    outcome, error = done[change.change_id]
    return IngestResult(outcome, change, error)


WALKS: tuple[tuple[list[str] | None, tuple[str, ...]], ...] = (
    (list(IN_PROGRESS), ()),
    (None, IN_PROGRESS),
)
"""A pass's two walks, (statuses listed, statuses skipped): in-progress orders first, then all
of them, skipping the in-progress ones (compared already). `max_items` bounds the orders
compared, not the items listed."""


class _Feed:
    """What both feeds share: the store, the settings, and turning stored rows into changes."""

    def __init__(
        self,
        client: Any,
        store: StoreLike,
        *,
        handler: Callable[..., Any] | None = None,
        lease: float = DEFAULT_LEASE,
        page_size: int = 100,
        concurrency: int = 4,
        webhook_window: float = WEBHOOK_WINDOW,
        keep_delivered: float = KEEP_DELIVERED,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Any] | None = None,
    ) -> None:
        if not hasattr(client, "orders"):
            raise TypeError(f"client must be a CubiCasa client, got {type(client).__name__}")
        self.client = client
        self.lease = _positive("lease", lease)
        self.webhook_window = _positive("webhook_window", webhook_window)
        self.keep_delivered = _positive("keep_delivered", keep_delivered)
        self.page_size = page_size
        self.concurrency = concurrency
        self.handler = handler
        self.worker = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._clock = clock
        self._sleep = sleep
        self.store = open_store(store)
        self._owns_store = not isinstance(store, ChangeStore)
        self._orders: dict[str, Any] = {}  # the latest batch's listed orders, by ID

    def close(self) -> None:
        """Close the store the feed opened (not a `ChangeStore` given to it, nor the client)."""
        if self._owns_store:
            self.store.close()

    def _handler(self, handler: Callable[..., Any] | None) -> Callable[..., Any] | None:
        chosen = handler if handler is not None else self.handler
        if chosen is not None and not callable(chosen):
            raise TypeError(f"handler must be callable, got {type(chosen).__name__}")
        return chosen

    def _change(self, pending: Pending) -> OrderChange:
        order = None
        if pending.order_json is not None:
            order = self._orders.get(pending.order_id)
            if (
                order is None
                or getattr(getattr(order, "info", None), "status", None) != pending.current
            ):
                import json

                from ..models import OrderListItem

                order = OrderListItem.from_dict(json.loads(pending.order_json))
        source: Source = "webhook" if pending.source == "webhook" else "poll"
        return OrderChange(
            pending.order_id, pending.previous, pending.current, source,
            pending.observed_at, order, pending.change_id, pending.attempt,
        )  # fmt: skip

    def _observe(self, orders: Iterable[Any], skip: tuple[str, ...]) -> Iterator[Observed]:
        for order in orders:
            try:
                observed = observe(order)
            except ValueError as exc:
                logger.warning("skipping a listed order: %s", exc)
                continue
            if observed.status not in skip:
                yield observed

    def _remember(self, batch: list[Observed]) -> None:
        self._orders = {o.order_id: o.order for o in batch}

    def _failed(self, pending: Pending, token: str | None, exc: BaseException) -> None:
        logger.warning(
            "handler failed on change %s (order %s, %s -> %s): %s",
            pending.change_id, pending.order_id, pending.previous, pending.current,
            type(exc).__name__,
        )  # fmt: skip
        self.store.failed(pending.change_id, self.worker, token, f"{type(exc).__name__}: {exc}")

    def _ingest_record(self, event: Any) -> tuple[Any, int | Literal["duplicate", "known"]]:
        event = _parse_event(event)
        order_id = check_id(event.id)
        outcome = self.store.record_webhook(
            order_id, event.previous_status, event.current_status, event.dedupe_key,
            self._clock(), self.webhook_window,
        )  # fmt: skip
        if outcome == "duplicate":
            event._duplicate = True
        return event, outcome

    def _next_wait(self, interval: float, started: float, asked: float | None) -> float:
        """Seconds until the next pass: the interval from the last pass's start, and at least
        what a 429 asked for from now."""
        wait = interval - (self._clock() - started)
        return max(wait, asked or 0.0, 0.0)


class ChangeFeed(_Feed):
    """Turn order state into changes, delivered once each, that survive restarts, lost
    webhooks and several workers.

        with CubiCasa() as client:
            feed = ChangeFeed(client, store="changes.sqlite3")
            feed.run(lambda change: print(change.order_id, change.current), interval=60)

    Args:
        client: a `CubiCasa` (the feed never closes it).
        store: a SQLite file path (several processes on one machine), a
            `postgresql://user:password@host/db` URL (several machines; `[postgres]` extra), or a
            `ChangeStore`.
        handler: the default handler of `sync`, `run` and `ingest`.
        lease: seconds a worker may take to handle one change before another may take it over
            (a worker that dies mid-handler has its change delivered again after this).
        page_size, concurrency: how the orders are listed (see `client.orders.list`).
        webhook_window: seconds within which a repeated webhook call is a duplicate.
        keep_delivered: seconds delivered changes stay in the store.
        clock: epoch seconds now (`time.time`); sleep: how to wait (`time.sleep`, or the stop
            event's wait). Tests pass their own.

    Raises:
        ChangeStoreError: the store cannot be used (see `SQLiteStore`, `PostgresStore`).
    """

    def __enter__(self) -> ChangeFeed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _walk(self, max_items: int | None) -> Iterator[list[Observed]]:
        """The orders in batches: in-progress ones first, then the others (the in-progress
        ones that the second walk lists again were compared already, and are skipped)."""
        count = 0
        for status, skip in WALKS:
            if max_items is not None and count >= max_items:
                return
            pager = self.client.orders.list(
                status=status, page_size=self.page_size, max_items=max_items,
                concurrency=self.concurrency,
            )  # fmt: skip
            batch: list[Observed] = []
            for observed in self._observe(pager, skip):
                count += 1
                batch.append(observed)
                if len(batch) >= BATCH or count == max_items:
                    yield batch
                    batch = []
                if count == max_items:
                    break
            if batch:
                yield batch

    def sync(self, handler: Handler | None = None, *, max_items: int | None = None) -> SyncSummary:
        """One pass: read the orders, record what changed, deliver every pending change.

        A change is recorded as delivered only once `handler(change)` returns; one that raises
        stays pending (the next pass delivers it again) and the pass goes on with the others.

        Args:
            handler: called with each `OrderChange` (default: the feed's handler; with none,
                changes are only recorded, for another worker to deliver).
            max_items: read at most this many orders (in-progress ones first).

        Returns:
            A `SyncSummary`: seen, changed, delivered, failed.

        Raises:
            CubiCasaError: listing failed (a `RateLimitError` on 429, ...); changes recorded
                before that are kept.
        """
        chosen = self._handler(handler)
        token = uuid.uuid4().hex
        summary = SyncSummary()
        for batch in self._walk(max_items):
            summary.seen += len(batch)
            summary.changed += self.store.record(batch, self._clock())
            self._remember(batch)
            if chosen is not None:
                self._deliver(chosen, token, summary)
            self._orders = {}
        if chosen is not None:
            self._deliver(chosen, token, summary)
        self.store.prune(self._clock() - self.keep_delivered)
        return summary

    def _deliver(
        self, handler: Handler, token: str, summary: SyncSummary, order_id: str | None = None
    ) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        while True:
            claimed = self.store.claim(
                self.worker, token, self._clock(), self.lease, CLAIM_BATCH, order_id
            )
            if not claimed:
                return outcomes
            for index, pending in enumerate(claimed):
                try:
                    handler(self._change(pending))
                except Exception as exc:
                    self._failed(pending, token, exc)
                    summary.failed += 1
                    outcomes[pending.change_id] = ("failed", exc)
                    continue
                except BaseException as exc:  # Ctrl-C: give back what was not handled
                    for left in claimed[index:]:
                        self._failed(left, None, exc)
                    raise
                self.store.delivered(pending.change_id, self._clock())
                summary.delivered += 1
                outcomes[pending.change_id] = ("delivered", None)

    def run(
        self,
        handler: Handler | None = None,
        *,
        interval: float = 60.0,
        stop: threading.Event | None = None,
        max_passes: int | None = None,
        on_pass: Callable[[SyncSummary], Any] | None = None,
    ) -> RunSummary:
        """Run passes until `stop` is set, Ctrl-C, or `max_passes`; returns their sums.

        Passes start at least `interval` seconds apart. A 429 (`RateLimitError`) or a failed
        connection or 5xx ends a pass early; the next waits the interval, and at least as long
        as the 429's `Retry-After`. Other errors (a wrong API key, a store error) are raised.
        `on_pass(summary)` is called after each pass that completed.
        """
        interval = _positive("interval", interval)
        totals = RunSummary()
        try:
            while not (stop is not None and stop.is_set()):
                started, asked = self._clock(), None
                try:
                    summary = self.sync(handler)
                    totals.add(summary)
                    if on_pass is not None:
                        on_pass(summary)
                except RateLimitError as exc:
                    totals.rate_limited += 1
                    asked = retry_after(exc, self._clock())
                    logger.warning(
                        "rate limited (429); next pass in at least %ss", asked or interval
                    )
                except (APIConnectionError, InternalServerError) as exc:
                    totals.errors += 1
                    logger.warning(
                        "pass failed (%s); trying again next interval", type(exc).__name__
                    )
                totals.passes += 1
                if max_passes is not None and totals.passes >= max_passes:
                    break
                self._wait(self._next_wait(interval, started, asked), stop)
        except KeyboardInterrupt:
            logger.info("stopped by Ctrl-C after %d passes", totals.passes)
        return totals

    def _wait(self, seconds: float, stop: threading.Event | None) -> None:
        if self._sleep is not None:
            self._sleep(seconds)
        elif stop is not None:
            stop.wait(seconds)
        else:
            time.sleep(seconds)

    def ingest(self, event: Any, handler: Handler | None = None) -> IngestResult:
        """Take a webhook call: record it as a change and deliver it through the handler.

        Args:
            event: an `OrderStatusEvent` (`cubicasa.webhooks.handle` / `parse_order_status`)
                or the request's raw body.
            handler: as for `sync`; with none, a later pass (here or in a worker) delivers it.

        Returns:
            An `IngestResult`: "delivered", "failed" (pending: the next pass retries it),
            "pending", "duplicate" (a retry of a call already taken) or "known" (a pass reported
            this status already). Answer CubiCasa 200 for each: the feed owns the change now.

        Raises:
            WebhookPayloadError: a raw body that is not an order-status event.
            ValueError: an order ID that is not one.
        """
        chosen = self._handler(handler)
        event, outcome = self._ingest_record(event)
        if outcome == "duplicate" or outcome == "known":
            return IngestResult(outcome)
        change = OrderChange(event.id, event.previous_status, event.current_status, "webhook",
                             self._clock(), None, outcome)  # fmt: skip
        if chosen is None:
            return IngestResult("pending", change)
        done = self._deliver(chosen, uuid.uuid4().hex, SyncSummary(), event.id)
        return _result(done, change)


class AsyncChangeFeed(_Feed):
    """`ChangeFeed` for an `AsyncCubiCasa`: `await feed.sync(handler)`, `await feed.run(...)`,
    `await feed.ingest(event)`. The handler may be a coroutine function or a plain one. Store
    calls run in a worker thread, so the event loop never waits on the database."""

    async def __aenter__(self) -> AsyncChangeFeed:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.close)

    async def _walk(self, max_items: int | None) -> AsyncIterator[list[Observed]]:
        count = 0
        for status, skip in WALKS:
            if max_items is not None and count >= max_items:
                return
            pager = self.client.orders.list(
                status=status, page_size=self.page_size, max_items=max_items,
                concurrency=self.concurrency,
            )  # fmt: skip
            batch: list[Observed] = []
            async for order in pager:
                for observed in self._observe((order,), skip):
                    count += 1
                    batch.append(observed)
                if len(batch) >= BATCH or (batch and count == max_items):
                    yield batch
                    batch = []
                if count == max_items:
                    break
            if batch:
                yield batch

    async def sync(
        self, handler: AsyncHandler | None = None, *, max_items: int | None = None
    ) -> SyncSummary:
        """One pass, as `ChangeFeed.sync`."""
        chosen = self._handler(handler)
        token = uuid.uuid4().hex
        summary = SyncSummary()
        async for batch in self._walk(max_items):
            summary.seen += len(batch)
            summary.changed += await asyncio.to_thread(self.store.record, batch, self._clock())
            self._remember(batch)
            if chosen is not None:
                await self._deliver(chosen, token, summary)
            self._orders = {}
        if chosen is not None:
            await self._deliver(chosen, token, summary)
        await asyncio.to_thread(self.store.prune, self._clock() - self.keep_delivered)
        return summary

    async def _deliver(
        self, handler: AsyncHandler, token: str, summary: SyncSummary, order_id: str | None = None
    ) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        while True:
            claimed = await asyncio.to_thread(
                self.store.claim, self.worker, token, self._clock(), self.lease, CLAIM_BATCH,
                order_id,
            )  # fmt: skip
            if not claimed:
                return outcomes
            for index, pending in enumerate(claimed):
                try:
                    result = handler(self._change(pending))
                    if inspect.isawaitable(result):
                        await result
                except Exception as exc:
                    await asyncio.to_thread(self._failed, pending, token, exc)
                    summary.failed += 1
                    outcomes[pending.change_id] = ("failed", exc)
                    continue
                except BaseException as exc:  # cancelled or Ctrl-C: give back the rest
                    for left in claimed[index:]:
                        self._failed(left, None, exc)
                    raise
                await asyncio.to_thread(self.store.delivered, pending.change_id, self._clock())
                summary.delivered += 1
                outcomes[pending.change_id] = ("delivered", None)

    async def run(
        self,
        handler: AsyncHandler | None = None,
        *,
        interval: float = 60.0,
        stop: asyncio.Event | None = None,
        max_passes: int | None = None,
        on_pass: Callable[[SyncSummary], Any] | None = None,
    ) -> RunSummary:
        """Passes until `stop` is set, the task is cancelled, or `max_passes`, as
        `ChangeFeed.run`."""
        interval = _positive("interval", interval)
        totals = RunSummary()
        while not (stop is not None and stop.is_set()):
            started, asked = self._clock(), None
            try:
                summary = await self.sync(handler)
                totals.add(summary)
                if on_pass is not None:
                    on_pass(summary)
            except RateLimitError as exc:
                totals.rate_limited += 1
                asked = retry_after(exc, self._clock())
            except (APIConnectionError, InternalServerError) as exc:
                totals.errors += 1
                logger.warning("pass failed (%s); trying again next interval", type(exc).__name__)
            totals.passes += 1
            if max_passes is not None and totals.passes >= max_passes:
                break
            await self._wait(self._next_wait(interval, started, asked), stop)
        return totals

    async def _wait(self, seconds: float, stop: asyncio.Event | None) -> None:
        if self._sleep is not None:
            result = self._sleep(seconds)
            if inspect.isawaitable(result):
                await result
        elif stop is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds)
        else:
            await asyncio.sleep(seconds)

    async def ingest(self, event: Any, handler: AsyncHandler | None = None) -> IngestResult:
        """Take a webhook call, as `ChangeFeed.ingest`."""
        chosen = self._handler(handler)
        event, outcome = await asyncio.to_thread(self._ingest_record, event)
        if outcome == "duplicate" or outcome == "known":
            return IngestResult(outcome)
        change = OrderChange(event.id, event.previous_status, event.current_status, "webhook",
                             self._clock(), None, outcome)  # fmt: skip
        if chosen is None:
            return IngestResult("pending", change)
        done = await self._deliver(chosen, uuid.uuid4().hex, SyncSummary(), event.id)
        return _result(done, change)


__all__ = ["AsyncChangeFeed", "ChangeFeed", "open_store"]
