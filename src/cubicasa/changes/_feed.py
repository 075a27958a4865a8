"""`ChangeFeed`: walk the orders, diff them against a store, hand each change to a handler and
record it only once the handler returns; take webhooks the same way.

The feeds use the public client only (`client.orders.list`); the store does the remembering.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import APIConnectionError, InternalServerError, RateLimitError
from ._feed_base import (
    BATCH,
    CLAIM_BATCH,
    WALKS,
    Handler,
    Outcome,
    _Feed,
    _positive,
    _result,
    logger,
    retry_after,
)
from ._values import IngestResult, Observed, OrderChange, RunSummary, SyncSummary


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
        self._skipped = set()
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
            WebhookPayloadError: a raw body that is not an order-status event, or an event
                whose `id` or `current_status` is missing or unusable (the message names the
                field, never its value: answer 400). A missing or odd `previous_status` is
                taken as None.
        """
        chosen = self._handler(handler)
        event, previous, outcome = self._ingest_record(event)
        if outcome == "duplicate" or outcome == "known":
            return IngestResult(outcome)
        change = OrderChange(event.id, previous, event.current_status, "webhook",
                             self._clock(), None, outcome)  # fmt: skip
        if chosen is None:
            return IngestResult("pending", change)
        done = self._deliver(chosen, uuid.uuid4().hex, SyncSummary(), event.id)
        return _result(done, change)
