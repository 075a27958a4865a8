"""`AsyncChangeFeed`: the change feed for an `AsyncCubiCasa`, its store calls in a worker thread."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from ..errors import APIConnectionError, InternalServerError, RateLimitError
from ._feed_base import (
    BATCH,
    CLAIM_BATCH,
    WALKS,
    AsyncHandler,
    Outcome,
    _Feed,
    _positive,
    _result,
    logger,
    retry_after,
)
from ._values import IngestResult, Observed, OrderChange, RunSummary, SyncSummary


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
        self._skipped = set()
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
        event, previous, outcome = await asyncio.to_thread(self._ingest_record, event)
        if outcome == "duplicate" or outcome == "known":
            return IngestResult(outcome)
        change = OrderChange(event.id, previous, event.current_status, "webhook",
                             self._clock(), None, outcome)  # fmt: skip
        if chosen is None:
            return IngestResult("pending", change)
        done = await self._deliver(chosen, uuid.uuid4().hex, SyncSummary(), event.id)
        return _result(done, change)
