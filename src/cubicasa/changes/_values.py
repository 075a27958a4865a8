"""The values a change feed hands out: `OrderChange`, the summaries of a pass, a run and a
webhook, and how an order's state is read from what the API returns."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from ..errors import CubiCasaError

Source = Literal["poll", "webhook"]
READY = "Ready"
IN_PROGRESS = ("New", "Draft", "Pending", "Fixing")
"""The documented statuses an order moves on from; `Ready` is where it rests (until a fix or a
Quick Edit). Walked first in a pass."""
MAX_ID_CHARS = 200
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")


class ChangeStoreError(CubiCasaError):
    """The change store cannot be used: not a database, a database of something else, a schema
    made by a newer version of this library, or a URL that names no store we know."""


@dataclass(frozen=True)
class OrderChange:
    """One change of an order's state, as a feed delivers it.

    Attributes:
        order_id: the order.
        previous: its status before (None the first time the feed sees the order).
        current: its status now. `previous == current == "Ready"` is a re-delivery (a Quick
            Edit changed the delivered files).
        source: "poll" (found by a pass over the orders) or "webhook" (from `ingest`).
        observed_at: when the feed noticed it, in epoch seconds.
        order: the order as listed (an `OrderListItem`) for a polled change; None for a webhook.
        change_id: the change's number in the store (increasing).
        attempt: 1 on the first delivery, 2 after a handler failed once, ...
    """

    order_id: str
    previous: str | None
    current: str
    source: Source
    observed_at: float
    order: Any = field(default=None, repr=False, compare=False)
    change_id: int = 0
    attempt: int = 1

    @property
    def is_redelivery(self) -> bool:
        """Ready again while Ready: a Quick Edit (or re-delivery) changed the files."""
        return self.previous == self.current == READY

    def to_dict(self) -> dict[str, Any]:
        """The change as JSON data, without the order."""
        return {
            "change_id": self.change_id,
            "order_id": self.order_id,
            "previous": self.previous,
            "current": self.current,
            "source": self.source,
            "observed_at": self.observed_at,
            "attempt": self.attempt,
        }


@dataclass
class SyncSummary:
    """What one pass did: orders `seen`, changes found (`changed`), and of the changes handed
    to the handler (new ones and ones pending from before), how many were `delivered` and how
    many `failed` (they stay pending for the next pass)."""

    seen: int = 0
    changed: int = 0
    delivered: int = 0
    failed: int = 0

    def add(self, other: SyncSummary) -> None:
        self.seen += other.seen
        self.changed += other.changed
        self.delivered += other.delivered
        self.failed += other.failed


@dataclass
class RunSummary(SyncSummary):
    """What `run()` did until it stopped: the sums of its passes, and how many passes ran,
    how many were cut short by a rate limit (429) or a failed connection."""

    passes: int = 0
    rate_limited: int = 0
    errors: int = 0


@dataclass(frozen=True)
class IngestResult:
    """What `ingest()` made of one webhook call.

    `outcome` is "delivered" (the handler took it), "failed" (the handler raised: the change is
    pending and the next pass delivers it), "pending" (no handler given: a pass delivers it),
    "duplicate" (CubiCasa's retry of a call already ingested) or "known" (a pass had already
    reported this status). `change` is None for "duplicate" and "known".
    """

    outcome: Literal["delivered", "failed", "pending", "duplicate", "known"]
    change: OrderChange | None = None
    error: BaseException | None = field(default=None, repr=False)

    @property
    def duplicate(self) -> bool:
        return self.outcome == "duplicate"


@dataclass(frozen=True)
class Observed:
    """An order's state as a pass read it: status and a fingerprint of its delivered files
    (None when the listing did not include them), and the listed order itself."""

    order_id: str
    status: str
    assets: str | None
    order: Any = field(default=None, repr=False, compare=False)

    def order_json(self) -> str | None:
        """The order's JSON, kept with a change until it is delivered."""
        if self.order is None:
            return None
        data = self.order.to_dict() if hasattr(self.order, "to_dict") else self.order
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def check_id(value: object, name: str = "order_id") -> str:
    """An order ID as the rest of the client takes it, and short and plain enough to store."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name} is required (a non-empty string), got {value!r}")
    if len(value) > MAX_ID_CHARS or not _ID.fullmatch(value):
        raise ValueError(
            f"{name} must be at most {MAX_ID_CHARS} letters, digits, '.', '_', ':' or '-' "
            f"(an order's UUID), got {value[:60]!r}"
        )
    return value


def _urls(value: Any, found: list[str]) -> None:
    if isinstance(value, str):
        if value.startswith(("http://", "https://")):
            parts = urlsplit(value)
            # Signed download links change their query on every read; the file is the path.
            found.append(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))
    elif isinstance(value, dict):
        for inner in value.values():
            _urls(inner, found)
    elif isinstance(value, list):
        for inner in value:
            _urls(inner, found)


def assets_fingerprint(assets: Any) -> str | None:
    """A short hash of the delivered files' links (without their query strings), or None when
    the order came without `delivery_assets`."""
    if assets is None:
        return None
    found: list[str] = []
    _urls(assets, found)
    digest = hashlib.sha256("\n".join(sorted(found)).encode("utf-8")).hexdigest()
    return digest[:32]


def _listed_assets(order: Any) -> Any:
    """An order's `delivery_assets` as JSON, or None when the listing did not include them or
    they came as something else than the spec says (the files are then not compared)."""
    try:
        assets = order.delivery_assets
    except (AttributeError, CubiCasaError):
        return None
    to_dict = getattr(assets, "to_dict", None)
    return to_dict() if callable(to_dict) else None  # UNSET: not in the listing


def observe(order: Any) -> Observed:
    """The state of a listed order (an `OrderListItem`, or its JSON as a dict).

    A model decoded from an answer that deviates from the spec raises on reading its odd field
    (`MissingFieldError`, `FieldTypeError`); such an order has no usable ID or status here.

    Raises:
        ValueError: the order has no usable ID or status (the message names the field, never
            a value that is not a plain ID).
    """
    try:
        if isinstance(order, dict):
            order_id, info = order.get("id"), order.get("info")
            assets = order.get("delivery_assets")
            status = info.get("status") if isinstance(info, dict) else None
        else:
            order_id, status = order.id, order.info.status
            assets = _listed_assets(order)
        order_id = check_id(order_id, "a listed order's id")
    except (TypeError, AttributeError, CubiCasaError) as exc:
        # A wrong-typed or missing id, info or status, or an item that is not an object.
        raise ValueError(str(exc)) from None
    if not isinstance(status, str) or not status:
        raise ValueError(f"order {order_id} was listed without a status")
    return Observed(order_id, status, assets_fingerprint(assets), order)
