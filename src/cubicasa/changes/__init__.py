"""A change feed: never miss an order's status change, across lost webhooks, restarts and
several workers. Webhooks for speed, the feed for certainty.

    from cubicasa import CubiCasa
    from cubicasa.changes import ChangeFeed

    with CubiCasa() as client, ChangeFeed(client, store="changes.sqlite3") as feed:
        feed.run(lambda change: print(change.order_id, change.previous, "->", change.current))

CubiCasa has no events endpoint, and tries a webhook 3 times only. The feed remembers each
order's last known state in a store (a SQLite file, or PostgreSQL for workers on several
machines), turns differences into `OrderChange`s, and records each as delivered only once your
handler has returned. Guide: docs/guides/change-feed.md.
"""

from ._async_feed import AsyncChangeFeed
from ._feed import ChangeFeed
from ._feed_base import open_store
from ._postgres import PostgresStore
from ._sqlite import SQLiteStore
from ._store import SCHEMA_VERSION, ChangeStore
from ._values import (
    ChangeStoreError,
    IngestResult,
    OrderChange,
    RunSummary,
    SyncSummary,
    assets_fingerprint,
)

__all__ = [
    "SCHEMA_VERSION",
    "AsyncChangeFeed",
    "ChangeFeed",
    "ChangeStore",
    "ChangeStoreError",
    "IngestResult",
    "OrderChange",
    "PostgresStore",
    "RunSummary",
    "SQLiteStore",
    "SyncSummary",
    "assets_fingerprint",
    "open_store",
]
