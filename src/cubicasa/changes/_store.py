"""What a change store keeps and the statements both stores share: each order's last known
state, the changes found (pending until a handler returns, leased while one runs) and the keys
of recent webhook calls. The schema is versioned and migrated here."""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal

from ._values import READY, ChangeStoreError, Observed

SCHEMA_NAME = "cubicasa.changes"
SCHEMA_VERSION = 1
PREFIX = "cubicasa_"
# Each version's statements, in order; `{id}` is the store's auto-increment key type.
MIGRATIONS: dict[int, Sequence[str]] = {
    1: (
        """CREATE TABLE cubicasa_order_state (
            order_id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            assets TEXT,
            updated_at DOUBLE PRECISION NOT NULL)""",
        """CREATE TABLE cubicasa_changes (
            id {id},
            order_id TEXT NOT NULL,
            previous TEXT,
            current TEXT NOT NULL,
            source TEXT NOT NULL,
            observed_at DOUBLE PRECISION NOT NULL,
            order_json TEXT,
            delivered_at DOUBLE PRECISION,
            lease_owner TEXT,
            lease_until DOUBLE PRECISION NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            skip_pass TEXT,
            last_error TEXT)""",
        """CREATE INDEX cubicasa_changes_pending ON cubicasa_changes (order_id, id)
            WHERE delivered_at IS NULL""",
        "CREATE INDEX cubicasa_changes_delivered ON cubicasa_changes (delivered_at)",
        """CREATE TABLE cubicasa_webhooks (
            dedupe_key TEXT PRIMARY KEY,
            received_at DOUBLE PRECISION NOT NULL)""",
    ),
}
CLAIM = """
    SELECT c.id, c.order_id, c.previous, c.current, c.source, c.observed_at, c.order_json,
           c.attempts
    FROM cubicasa_changes c
    WHERE c.delivered_at IS NULL AND c.lease_until <= ?
      AND (c.skip_pass IS NULL OR c.skip_pass <> ?)
      AND NOT EXISTS (SELECT 1 FROM cubicasa_changes d
                      WHERE d.order_id = c.order_id AND d.delivered_at IS NULL AND d.id < c.id)
      {only}
    ORDER BY c.id LIMIT ?"""
MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class Pending:
    """A change claimed for delivery (leased to this worker)."""

    change_id: int
    order_id: str
    previous: str | None
    current: str
    source: str
    observed_at: float
    order_json: str | None
    attempt: int


def _pending(row: Sequence[Any]) -> Pending:
    change_id, order_id, previous, current, source, observed_at, order_json, attempts = row
    return Pending(
        change_id, order_id, previous, current, source, observed_at, order_json, attempts + 1
    )


def diff(observed: Observed, stored: tuple[str, str | None] | None) -> tuple[bool, bool]:
    """(is it a change, must the stored state be written) for an order read by a pass."""
    if stored is None:
        return True, True
    status, assets = stored
    if status != observed.status:
        return True, True
    if observed.assets is None or observed.assets == assets:
        return False, False
    if assets is None:  # not known yet (a webhook moved it, or the listing lacked the files)
        return False, True
    return observed.status == READY, True


class ChangeStore(abc.ABC):
    """A database a change feed keeps its state in. `SQLiteStore` and `PostgresStore`."""

    placeholder = "?"

    @abc.abstractmethod
    def _transaction(self, *, lock: bool = False) -> AbstractContextManager[Any]:
        """A cursor in one transaction; `lock` serialises writers of the order states."""

    @abc.abstractmethod
    def _insert_change(self, cursor: Any, row: tuple[Any, ...]) -> int:
        """Insert a change row; its ID."""

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> ChangeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _sql(self, text: str) -> str:
        return text if self.placeholder == "?" else text.replace("?", self.placeholder)

    # ----- schema ------------------------------------------------------------------------

    def _migrate(self, cursor: Any, tables: set[str], id_type: str, where: str) -> None:
        """Create or bring the schema up to date, or refuse a store that is not ours."""
        ours = {t for t in tables if t.startswith(PREFIX)}
        if "cubicasa_meta" not in ours:
            if ours:
                raise ChangeStoreError(
                    f"{where} has tables named cubicasa_* but no schema record: not a change "
                    "feed's store (or a damaged one); refusing to change it"
                )
            cursor.execute("CREATE TABLE cubicasa_meta (name TEXT PRIMARY KEY, value TEXT)")
            cursor.execute(
                self._sql("INSERT INTO cubicasa_meta VALUES ('schema', ?), ('version', '0')"),
                (SCHEMA_NAME,),
            )
        cursor.execute("SELECT name, value FROM cubicasa_meta")
        meta = dict(cursor.fetchall())
        if meta.get("schema") != SCHEMA_NAME or not str(meta.get("version", "")).isdigit():
            raise ChangeStoreError(
                f"{where} holds a cubicasa_meta table that is not a change feed's"
            )
        version = int(meta["version"])
        if version > SCHEMA_VERSION:
            raise ChangeStoreError(
                f"{where} has schema version {version}, made by a newer cubicasa-integrate "
                f"(this one knows up to {SCHEMA_VERSION}): upgrade the library"
            )
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[step]:
                cursor.execute(statement.format(id=id_type))
            cursor.execute(
                self._sql("UPDATE cubicasa_meta SET value = ? WHERE name = 'version'"), (str(step),)
            )

    # ----- a pass ------------------------------------------------------------------------

    def record(self, batch: Sequence[Observed], now: float) -> int:
        """Compare a batch of orders read by a pass with their stored states; write the states
        that moved and a pending change for each change. Returns how many changes."""
        if not batch:
            return 0
        changes = 0
        with self._transaction(lock=True) as cursor:
            marks = ",".join("?" * len(batch))
            cursor.execute(
                self._sql(
                    "SELECT order_id, status, assets FROM cubicasa_order_state "  # noqa: S608
                    f"WHERE order_id IN ({marks})"
                ),
                [o.order_id for o in batch],
            )
            stored = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
            for observed in batch:
                before = stored.get(observed.order_id)
                changed, write = diff(observed, before)
                if write:
                    self._write_state(
                        cursor, observed.order_id, observed.status, observed.assets, now
                    )
                    stored[observed.order_id] = (observed.status, observed.assets)
                if changed:
                    previous = before[0] if before is not None else None
                    row = (observed.order_id, previous, observed.status, "poll", now,
                           observed.order_json())  # fmt: skip
                    self._insert_change(cursor, row)
                    changes += 1
        return changes

    def _write_state(
        self, cursor: Any, order_id: str, status: str, assets: str | None, now: float
    ) -> None:
        cursor.execute(
            self._sql(
                "INSERT INTO cubicasa_order_state (order_id, status, assets, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (order_id) DO UPDATE SET "
                "status = excluded.status, assets = excluded.assets, "
                "updated_at = excluded.updated_at"
            ),
            (order_id, status, assets, now),
        )

    def record_webhook(
        self,
        order_id: str,
        previous: str | None,
        current: str,
        dedupe_key: str,
        now: float,
        window: float,
    ) -> int | Literal["duplicate", "known"]:
        """Record a webhook call: "duplicate" (its key was seen within `window` seconds),
        "known" (the stored status is already `current`, and it is not a re-delivery), or the
        ID of the pending change it became."""
        with self._transaction(lock=True) as cursor:
            cursor.execute(
                self._sql("DELETE FROM cubicasa_webhooks WHERE received_at < ?"), (now - window,)
            )
            cursor.execute(
                self._sql("SELECT 1 FROM cubicasa_webhooks WHERE dedupe_key = ?"), (dedupe_key,)
            )
            if cursor.fetchone() is not None:
                return "duplicate"
            cursor.execute(
                self._sql("INSERT INTO cubicasa_webhooks (dedupe_key, received_at) VALUES (?, ?)"),
                (dedupe_key, now),
            )
            cursor.execute(
                self._sql("SELECT status FROM cubicasa_order_state WHERE order_id = ?"),
                (order_id,),
            )
            row = cursor.fetchone()
            if row is not None and row[0] == current and not previous == current == READY:
                return "known"
            # The files' fingerprint is unknown now: the next pass takes what it reads silently.
            self._write_state(cursor, order_id, current, None, now)
            return self._insert_change(cursor, (order_id, previous, current, "webhook", now, None))

    # ----- delivery ----------------------------------------------------------------------

    def claim(
        self,
        owner: str,
        pass_token: str,
        now: float,
        lease: float,
        limit: int,
        order_id: str | None = None,
    ) -> list[Pending]:
        """Lease up to `limit` pending changes to `owner` until `now + lease`: the oldest
        undelivered change of each order (so an order's changes go out in order), none
        leased to another worker, none that failed in pass `pass_token`; only `order_id`'s
        when given."""
        only = "AND c.order_id = ?" if order_id is not None else ""
        params = (now, pass_token, order_id, limit) if order_id else (now, pass_token, limit)
        with self._transaction() as cursor:
            cursor.execute(self._sql(CLAIM.format(only=only) + self._claim_suffix()), params)
            rows = cursor.fetchall()
            if not rows:
                return []
            marks = ",".join("?" * len(rows))
            cursor.execute(
                self._sql(
                    "UPDATE cubicasa_changes SET lease_owner = ?, lease_until = ?, "  # noqa: S608
                    f"attempts = attempts + 1 WHERE id IN ({marks})"
                ),
                [owner, now + lease, *(row[0] for row in rows)],
            )
        return [_pending(row) for row in rows]

    def _claim_suffix(self) -> str:
        return ""

    def delivered(self, change_id: int, now: float) -> None:
        """The handler returned: the change is done (and its copy of the order dropped)."""
        with self._transaction() as cursor:
            cursor.execute(
                self._sql(
                    "UPDATE cubicasa_changes SET delivered_at = ?, order_json = NULL, "
                    "lease_owner = NULL, lease_until = 0, last_error = NULL WHERE id = ?"
                ),
                (now, change_id),
            )

    def failed(self, change_id: int, owner: str, pass_token: str | None, error: str) -> None:
        """The handler raised (or was interrupted): pending again at once, for any pass but
        `pass_token`."""
        with self._transaction() as cursor:
            cursor.execute(
                self._sql(
                    "UPDATE cubicasa_changes SET lease_owner = NULL, lease_until = 0, "
                    "skip_pass = ?, last_error = ? WHERE id = ? AND lease_owner = ?"
                ),
                (pass_token, error[:MAX_ERROR_CHARS], change_id, owner),
            )

    def prune(self, before: float) -> int:
        """Forget delivered changes older than `before`; how many."""
        with self._transaction() as cursor:
            cursor.execute(
                self._sql("DELETE FROM cubicasa_changes WHERE delivered_at < ?"), (before,)
            )
            return int(cursor.rowcount or 0)

    def pending(self) -> int:
        """How many changes wait for delivery (leased ones included)."""
        with self._transaction() as cursor:
            cursor.execute("SELECT COUNT(*) FROM cubicasa_changes WHERE delivered_at IS NULL")
            return int(cursor.fetchone()[0])

    def states(self) -> Iterator[tuple[str, str]]:
        """Every order's last known status (order_id, status), for inspection and tests."""
        with self._transaction() as cursor:
            cursor.execute("SELECT order_id, status FROM cubicasa_order_state ORDER BY order_id")
            rows = cursor.fetchall()
        yield from ((r[0], r[1]) for r in rows)
