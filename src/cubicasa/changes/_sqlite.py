"""The default change store: one SQLite file (the standard library's `sqlite3`) in WAL mode,
shared safely by several processes on one machine: every write takes the database's write lock
first (`BEGIN IMMEDIATE`), so two passes never both record or claim the same change."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ._store import ChangeStore
from ._values import ChangeStoreError

BUSY_TIMEOUT_S = 60.0


class SQLiteStore(ChangeStore):
    """A change store in the SQLite file at `path` (created if missing).

    Raises:
        ChangeStoreError: the file is not SQLite (or is damaged), holds another program's tables,
            or was made by a newer version of this library; its folder does not exist.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise ChangeStoreError(f"change store {self.path} is a directory, not a file")
        if not self.path.parent.is_dir():
            raise ChangeStoreError(
                f"change store {self.path}: folder {self.path.parent} does not exist"
            )
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise ChangeStoreError(f"cannot open change store {self.path}: {exc}") from None
        try:
            # Read the tables before anything is written (WAL mode changes the file's header):
            # another program's file is refused as it was.
            self._tables()
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            with self._transaction() as cursor:
                tables = self._tables(cursor)
                self._migrate(cursor, tables, "INTEGER PRIMARY KEY AUTOINCREMENT", str(self.path))
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise ChangeStoreError(
                f"{self.path} is not a change store (SQLite says: {exc}); refusing to reset it"
            ) from None
        except BaseException:
            self._db.close()
            raise

    def _tables(self, cursor: Any = None) -> set[str]:
        """The file's tables (in `cursor`'s transaction, else a read of its own).

        Raises:
            ChangeStoreError: a table that is not the change feed's.
        """
        rows = (
            (cursor or self._db)
            .execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetchall()
        )
        tables = {row[0] for row in rows} - {"sqlite_sequence"}
        foreign = sorted(t for t in tables if not t.startswith("cubicasa_"))
        if foreign:
            raise ChangeStoreError(
                f"{self.path} is another program's SQLite database (it has tables "
                f"{', '.join(foreign[:5])}): give a change feed its own file"
            )
        return tables

    @contextmanager
    def _transaction(self, *, lock: bool = False) -> Iterator[Any]:
        with self._lock:
            cursor = self._db.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                self._db.rollback()
                raise
            else:
                cursor.execute("COMMIT")
            finally:
                cursor.close()

    def _insert_change(self, cursor: Any, row: tuple[Any, ...]) -> int:
        cursor.execute(
            "INSERT INTO cubicasa_changes (order_id, previous, current, source, observed_at, "
            "order_json) VALUES (?, ?, ?, ?, ?, ?)",
            row,
        )
        return int(cursor.lastrowid)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"
