"""What both change feeds share: opening a store, the settings, the two walks of a pass, turning
a stored change back into an `OrderChange`, webhook intake, and the waits between passes."""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal

from .._printable import printable
from ..errors import CubiCasaError, RateLimitError
from ._postgres import PostgresStore
from ._sqlite import SQLiteStore
from ._store import ChangeStore, Pending
from ._values import (
    IN_PROGRESS,
    MAX_ID_CHARS,
    ChangeStoreError,
    IngestResult,
    Observed,
    OrderChange,
    Source,
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
    from ..webhooks import OrderStatusEvent, WebhookPayloadError, parse_order_status

    if isinstance(event, bytes | bytearray | memoryview | str):
        event = parse_order_status(event if isinstance(event, str) else bytes(event))
    elif not isinstance(event, OrderStatusEvent):
        raise TypeError(
            "ingest() takes an OrderStatusEvent (from cubicasa.webhooks) or a webhook's raw "
            f"body, got {type(event).__name__}"
        )
    # Parsing forgives a field that deviates from the spec; the feed cannot record a change
    # without the order's ID and status, so such an event is refused (a receiver answers 400).
    unusable = [name for name in ("id", "current_status") if name in event.deviations]
    if unusable:
        raise WebhookPayloadError(
            f"the event cannot be fed: {', '.join(unusable)} missing or not as the spec says"
        )
    try:
        check_id(event.id)
    except (TypeError, ValueError):
        raise WebhookPayloadError(
            f"the event cannot be fed: id is not an order ID (at most {MAX_ID_CHARS} letters, "
            "digits, '.', '_', ':' or '-')"
        ) from None
    if _status(event.current_status) is None:
        raise WebhookPayloadError(
            f"the event cannot be fed: current_status is not a status (a non-empty text of at "
            f"most {MAX_ID_CHARS} printable characters)"
        )
    return event


def _status(value: object) -> str | None:
    """A status as the feed stores it, or None: empty, too long, or with control characters."""
    if isinstance(value, str) and value and len(value) <= MAX_ID_CHARS and value.isprintable():
        return value
    return None


def _previous(event: Any) -> str | None:
    """The event's previous status; None when it is missing, null or not a status (the change
    is still recorded: only the current status is needed)."""
    try:
        return _status(event.previous_status)
    except (AttributeError, CubiCasaError):  # missing or of another type: the event says so
        return None


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
        self._skipped: set[str] = set()  # the pass's unusable orders, warned about once

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
                from ..models import OrderListItem

                order = OrderListItem.from_dict(json.loads(pending.order_json))
        source: Source = "webhook" if pending.source == "webhook" else "poll"
        return OrderChange(
            pending.order_id, pending.previous, pending.current, source,
            pending.observed_at, order, pending.change_id, pending.attempt,
        )  # fmt: skip

    def _observe(self, orders: Iterable[Any], skip: tuple[str, ...]) -> Iterator[Observed]:
        """The listed orders' states; an order without a usable ID or status (one that differs
        from the spec) is skipped, with one warning a pass, and the others go on."""
        for order in orders:
            try:
                observed = observe(order)
            except ValueError as exc:
                self._skipped_warning(order, exc)
                continue
            if observed.status not in skip:
                yield observed

    def _skipped_warning(self, order: Any, exc: ValueError) -> None:
        # Both walks of a pass may list the order (its status cannot tell it was compared).
        to_dict = getattr(order, "to_dict", None)
        try:
            data = to_dict() if callable(to_dict) else order
            key = json.dumps(data, sort_keys=True, default=repr)
        except (TypeError, ValueError):  # not JSON data: warn for each
            key = None
        if key is not None and key in self._skipped:
            return
        if key is not None:
            self._skipped.add(key)
        logger.warning("skipping a listed order: %s", printable(str(exc)))

    def _remember(self, batch: list[Observed]) -> None:
        self._orders = {o.order_id: o.order for o in batch}

    def _failed(self, pending: Pending, token: str | None, exc: BaseException) -> None:
        logger.warning(
            "handler failed on change %s (order %s, %s -> %s): %s",
            pending.change_id, pending.order_id, pending.previous, pending.current,
            type(exc).__name__,
        )  # fmt: skip
        self.store.failed(pending.change_id, self.worker, token, f"{type(exc).__name__}: {exc}")

    def _ingest_record(
        self, event: Any
    ) -> tuple[Any, str | None, int | Literal["duplicate", "known"]]:
        """The event, its previous status as recorded, and the store's outcome."""
        event = _parse_event(event)
        previous = _previous(event)
        outcome = self.store.record_webhook(
            event.id, previous, event.current_status, event.dedupe_key,
            self._clock(), self.webhook_window,
        )  # fmt: skip
        if outcome == "duplicate":
            event._duplicate = True
        return event, previous, outcome

    def _next_wait(self, interval: float, started: float, asked: float | None) -> float:
        """Seconds until the next pass: the interval from the last pass's start, and at least
        what a 429 asked for from now."""
        wait = interval - (self._clock() - started)
        return max(wait, asked or 0.0, 0.0)
