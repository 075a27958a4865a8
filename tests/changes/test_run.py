"""`feed.run`: passes no faster than the interval, 429s and Retry-After respected, stopped by an
event or Ctrl-C. The clock is the test's: nothing really sleeps."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from cubicasa.changes import AsyncChangeFeed, ChangeFeed, OrderChange
from cubicasa.errors import AuthenticationError
from cubicasa.testing import FakeCubiCasa


class Clock:
    """Epoch seconds that move only when the feed sleeps (or a pass costs `per_call`)."""

    def __init__(self, per_call: float = 0.0) -> None:
        self.now = 1_700_000_000.0
        self.per_call = per_call
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        self.now += self.per_call
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def test_passes_are_an_interval_apart(fake: FakeCubiCasa, sqlite_path: Path) -> None:
    clock = Clock(per_call=0.5)  # each look at the clock costs half a second
    with fake.client() as client:
        feed = ChangeFeed(client, store=sqlite_path, clock=clock, sleep=clock.sleep)
        totals = feed.run(lambda change: None, interval=60, max_passes=3)
    assert totals.passes == 3
    assert totals.changed == 3
    assert totals.delivered == 3
    assert len(clock.sleeps) == 2
    assert all(0 < s < 60 for s in clock.sleeps)  # the pass's own time counts
    feed.close()


class FailingUntilSleep(Clock):
    """Every list call answers 429 (or `status`) until the feed first sleeps."""

    def __init__(self, fake: FakeCubiCasa, retry_after: float = 1, status: int = 429) -> None:
        super().__init__()
        self.fake = fake
        if status == 429:
            fake.rate_limit(retry_after=retry_after, times=None, route="listOrders")
        else:
            fake.fail(status, times=None, route="listOrders")

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        self.fake.clear_faults()


def test_a_429_waits_for_retry_after_then_goes_on(fake: FakeCubiCasa, sqlite_path: Path) -> None:
    clock = FailingUntilSleep(fake, retry_after=300)
    got: list[OrderChange] = []
    with fake.client(max_retries=0) as client:
        feed = ChangeFeed(client, store=sqlite_path, clock=clock, sleep=clock.sleep)
        totals = feed.run(got.append, interval=60, max_passes=2)
    assert clock.sleeps == [300.0]
    assert (totals.passes, totals.rate_limited, totals.delivered) == (2, 1, 3)
    assert len(got) == 3
    feed.close()


def test_a_short_retry_after_still_waits_the_interval(
    fake: FakeCubiCasa, sqlite_path: Path
) -> None:
    clock = FailingUntilSleep(fake, retry_after=5)
    with fake.client(max_retries=0) as client:
        feed = ChangeFeed(client, store=sqlite_path, clock=clock, sleep=clock.sleep)
        feed.run(lambda change: None, interval=60, max_passes=2)
    assert clock.sleeps == [60.0]
    feed.close()


def test_server_errors_are_survived_and_a_wrong_key_is_raised(
    fake: FakeCubiCasa, sqlite_path: Path
) -> None:
    clock = FailingUntilSleep(fake, status=503)
    with fake.client(max_retries=0) as client:
        feed = ChangeFeed(client, store=sqlite_path, clock=clock, sleep=clock.sleep)
        totals = feed.run(lambda change: None, interval=10, max_passes=2)
        assert (totals.errors, totals.delivered) == (1, 3)
        feed.close()
    with fake.client(max_retries=0) as client:
        fake.api_key = "another-key-0000"  # the client's key was revoked
        feed = ChangeFeed(client, store=sqlite_path, clock=clock, sleep=clock.sleep)
        with pytest.raises(AuthenticationError):
            feed.run(lambda change: None, interval=10, max_passes=5)
        feed.close()


def test_a_stop_event_ends_the_run(fake: FakeCubiCasa, sqlite_path: Path) -> None:
    stop = threading.Event()
    clock = Clock()

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        if len(clock.sleeps) == 2:
            stop.set()

    with fake.client() as client:
        feed = ChangeFeed(client, store=sqlite_path, clock=clock, sleep=sleep)
        totals = feed.run(lambda change: None, interval=30, stop=stop)
    assert totals.passes == 2
    feed.close()


def test_ctrl_c_in_a_handler_stops_the_run_and_loses_nothing(
    fake: FakeCubiCasa, sqlite_path: Path
) -> None:
    clock = Clock()
    calls: list[str] = []

    def interrupted(change: OrderChange) -> None:
        calls.append(change.order_id)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with fake.client() as client:
        with ChangeFeed(client, store=sqlite_path, clock=clock, sleep=clock.sleep) as feed:
            totals = feed.run(interrupted, interval=30)
            assert totals.delivered == 0
            assert totals.passes == 0
            assert feed.store.pending() == 1  # the interrupted one, free again
        got: list[OrderChange] = []
        with ChangeFeed(client, store=sqlite_path, clock=clock, sleep=clock.sleep) as feed:
            feed.sync(got.append)  # at once: Ctrl-C gave the leases back
        assert sorted(c.order_id for c in got) == sorted(
            calls[1:] + list(set(fake.orders) - set(calls))
        )


def test_the_async_run_stops_on_its_event(fake: FakeCubiCasa, sqlite_path: Path) -> None:
    clock = Clock()

    async def main() -> int:
        stop = asyncio.Event()
        delivered: list[OrderChange] = []

        async def sleep(seconds: float) -> None:
            clock.sleep(seconds)
            stop.set()

        async def handler(change: OrderChange) -> None:
            delivered.append(change)

        client = fake.async_client()
        try:
            async with AsyncChangeFeed(client, store=sqlite_path, clock=clock, sleep=sleep) as feed:
                totals = await feed.run(handler, interval=45, stop=stop)
                assert totals.passes == 1
        finally:
            await client.close()
        return len(delivered)

    assert asyncio.run(main()) == 3
    assert clock.sleeps == [45.0]
