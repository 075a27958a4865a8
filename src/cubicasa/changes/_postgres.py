"""The change store for several workers on several machines: PostgreSQL through psycopg 3 (the
`[postgres]` extra). Claims use `SELECT ... FOR UPDATE SKIP LOCKED`, so each pending change is
leased to exactly one worker at a time; a worker that dies leaves a lease that expires."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from ._store import ChangeStore
from ._values import ChangeStoreError


def _where(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"postgresql://{host}{port}{parts.path}"


class PostgresStore(ChangeStore):
    """A change store in a PostgreSQL database (`postgresql://user:password@host/dbname`).
    Its tables are named `cubicasa_*`; the database may hold others.

    Raises:
        ChangeStoreError: psycopg is not installed, the server cannot be reached, or its
            `cubicasa_*` tables are not a change feed's (or are newer than this library).
    """

    placeholder = "%s"

    def __init__(self, url: str, *, connect_timeout: float = 10.0) -> None:
        try:
            import psycopg
        except ImportError:
            raise ChangeStoreError(
                "a postgresql:// store needs psycopg: pip install 'cubicasa-integrate[postgres]'"
            ) from None
        self.where = _where(url)
        self._lock = threading.RLock()
        try:
            self._db: Any = psycopg.connect(
                url, connect_timeout=max(1, int(connect_timeout)), autocommit=True
            )
        except psycopg.Error as exc:
            # psycopg's message names host and port, never the password.
            raise ChangeStoreError(f"cannot connect to {self.where}: {exc}") from None
        try:
            with self._transaction() as cursor:
                # One migrator at a time, across every worker.
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('cubicasa.changes'))")
                cursor.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema()"
                )
                tables = {row[0] for row in cursor.fetchall()}
                self._migrate(cursor, tables, "BIGSERIAL PRIMARY KEY", self.where)
        except psycopg.Error as exc:
            self._db.close()
            raise ChangeStoreError(
                f"cannot set up the change store in {self.where}: {exc}"
            ) from None
        except BaseException:
            self._db.close()
            raise

    @contextmanager
    def _transaction(self, *, lock: bool = False) -> Iterator[Any]:
        with self._lock, self._db.transaction(), self._db.cursor() as cursor:
            if lock:  # writers of order states one at a time; readers and claims go on
                cursor.execute("LOCK TABLE cubicasa_order_state IN SHARE ROW EXCLUSIVE MODE")
            yield cursor

    def _claim_suffix(self) -> str:
        return " FOR UPDATE OF c SKIP LOCKED"

    def _insert_change(self, cursor: Any, row: tuple[Any, ...]) -> int:
        cursor.execute(
            "INSERT INTO cubicasa_changes (order_id, previous, current, source, observed_at, "
            "order_json) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
            row,
        )
        return int(cursor.fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __repr__(self) -> str:
        return f"PostgresStore({self.where!r})"
