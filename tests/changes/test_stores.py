"""The stores themselves: created and versioned by the feed, refusing what is not theirs, never
holding the API key, and checking IDs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cubicasa.changes import (
    SCHEMA_VERSION,
    ChangeFeed,
    ChangeStoreError,
    OrderChange,
    PostgresStore,
    SQLiteStore,
    open_store,
)
from cubicasa.errors import CubiCasaError
from cubicasa.testing import FakeCubiCasa
from cubicasa.webhooks import WebhookPayloadError


def test_a_new_sqlite_store_is_created_in_wal_mode_and_versioned(sqlite_path: Path) -> None:
    SQLiteStore(sqlite_path).close()
    with sqlite3.connect(sqlite_path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        meta = dict(db.execute("SELECT name, value FROM cubicasa_meta").fetchall())
    assert meta == {"schema": "cubicasa.changes", "version": str(SCHEMA_VERSION)}
    SQLiteStore(sqlite_path).close()  # opening again changes nothing


def test_a_file_that_is_not_sqlite_is_a_clear_error_and_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"these are my notes, not a database\n" * 100)
    with pytest.raises(ChangeStoreError, match="not a change store") as caught:
        SQLiteStore(path)
    assert isinstance(caught.value, CubiCasaError)
    assert path.read_bytes() == b"these are my notes, not a database\n" * 100


def test_a_damaged_store_is_a_clear_error(sqlite_path: Path) -> None:
    SQLiteStore(sqlite_path).close()
    data = bytearray(sqlite_path.read_bytes())
    data[:16] = b"garbage garbage!"  # the SQLite header
    sqlite_path.write_bytes(bytes(data))
    with pytest.raises(ChangeStoreError, match="not a change store"):
        SQLiteStore(sqlite_path)


def test_another_programs_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    with pytest.raises(ChangeStoreError, match="another program's SQLite database"):
        SQLiteStore(path)
    with sqlite3.connect(path) as db:
        assert [r[0] for r in db.execute("SELECT name FROM sqlite_master")] == ["invoices"]


def test_a_store_from_a_newer_version_is_refused(store_url: str) -> None:
    open_store(store_url).close()
    if store_url.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(store_url, autocommit=True) as db:
            db.execute("UPDATE cubicasa_meta SET value = '99' WHERE name = 'version'")
    else:
        with sqlite3.connect(store_url) as db:
            db.execute("UPDATE cubicasa_meta SET value = '99' WHERE name = 'version'")
    with pytest.raises(ChangeStoreError, match="schema version 99, made by a newer"):
        open_store(store_url)


def test_cubicasa_tables_without_a_schema_record_are_refused(store_url: str) -> None:
    open_store(store_url).close()
    if store_url.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(store_url, autocommit=True) as db:
            db.execute("DROP TABLE cubicasa_meta")
    else:
        with sqlite3.connect(store_url) as db:
            db.execute("DROP TABLE cubicasa_meta")
    with pytest.raises(ChangeStoreError, match="no schema record"):
        open_store(store_url)


def test_a_postgres_database_may_hold_other_tables(postgres_url: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    store = open_store(postgres_url)
    assert isinstance(store, PostgresStore)
    store.close()
    with psycopg.connect(postgres_url) as db:
        tables = {
            r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
    assert {"invoices", "cubicasa_meta", "cubicasa_changes"} <= tables


def test_unreachable_postgres_is_a_clear_error_without_the_password() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ChangeStoreError, match="cannot connect") as caught:
        PostgresStore(f"postgresql://feed:s3cret-pw@127.0.0.1:{port}/feed", connect_timeout=2)
    assert "s3cret-pw" not in str(caught.value)


def test_store_arguments_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ChangeStoreError, match="unknown change store scheme 'mysql'"):
        open_store("mysql://host/db")
    with pytest.raises(ChangeStoreError, match="is a directory"):
        open_store(str(tmp_path))
    with pytest.raises(ChangeStoreError, match="does not exist"):
        open_store(str(tmp_path / "missing" / "changes.sqlite3"))
    with pytest.raises(TypeError, match="store must be"):
        open_store(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="store is required"):
        open_store(" ")


def test_the_store_never_holds_the_api_key(tmp_path: Path) -> None:
    key = "sk-live-feed-0123456789abcdef"
    fake = FakeCubiCasa(api_key=key)
    path = tmp_path / "changes.sqlite3"
    failures: list[OrderChange] = []

    def handler(change: OrderChange) -> None:
        failures.append(change)
        raise RuntimeError(f"boom {change.order_id}")

    with fake.client() as client, ChangeFeed(client, store=path) as feed:
        feed.sync(handler)
        feed.close()
    assert failures
    for file in tmp_path.iterdir():
        assert key.encode() not in file.read_bytes(), file.name


def test_webhook_order_ids_are_validated(fake: FakeCubiCasa, sqlite_path: Path) -> None:
    body = (
        '{"id": "../../etc/passwd", "current_status": "Ready", "previous_status": "Pending",'
        ' "model_id": "m", "product_type": "products_2d", "delivery_type": "new"}'
    )
    with fake.client() as client, ChangeFeed(client, store=sqlite_path) as feed:
        with pytest.raises(WebhookPayloadError, match="id is not an order ID"):
            feed.ingest(body)
        with pytest.raises(TypeError, match="ingest\\(\\) takes an OrderStatusEvent"):
            feed.ingest({"id": "x"})
        assert feed.store.pending() == 0


def test_feed_arguments_are_checked(fake: FakeCubiCasa, sqlite_path: Path) -> None:
    with fake.client() as client:
        with pytest.raises(ValueError, match="lease must be > 0"):
            ChangeFeed(client, store=sqlite_path, lease=0)
        with pytest.raises(TypeError, match="client must be a CubiCasa client"):
            ChangeFeed("not a client", store=sqlite_path)
        with ChangeFeed(client, store=sqlite_path) as feed:
            with pytest.raises(TypeError, match="handler must be callable"):
                feed.sync("print")  # type: ignore[arg-type]
            with pytest.raises(ValueError, match="interval must be > 0"):
                feed.run(print, interval=0)


def test_a_store_given_to_the_feed_stays_open_after_it(
    fake: FakeCubiCasa, sqlite_path: Path
) -> None:
    store = SQLiteStore(sqlite_path)
    with fake.client() as client, ChangeFeed(client, store=store) as feed:
        feed.sync(lambda change: None)
    assert store.pending() == 0  # still usable: the caller closes it
    assert dict(store.states()) == {i: o["info"]["status"] for i, o in fake.orders.items()}
    store.close()


def test_an_old_schema_is_migrated_in_place(sqlite_path: Path) -> None:
    with sqlite3.connect(sqlite_path) as db:  # a store as version 0 left it: the record only
        db.execute("CREATE TABLE cubicasa_meta (name TEXT PRIMARY KEY, value TEXT)")
        db.execute(
            "INSERT INTO cubicasa_meta VALUES ('schema', 'cubicasa.changes'), ('version', '0')"
        )
    SQLiteStore(sqlite_path).close()
    with sqlite3.connect(sqlite_path) as db:
        version = db.execute("SELECT value FROM cubicasa_meta WHERE name = 'version'").fetchone()
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert version == (str(SCHEMA_VERSION),)
    assert {"cubicasa_order_state", "cubicasa_changes", "cubicasa_webhooks"} <= tables


def test_a_listed_order_with_an_unusable_id_is_skipped_with_a_warning(
    fake: FakeCubiCasa, sqlite_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake.add_order(status="Pending", order_id="not an id\nat all")
    got: list[OrderChange] = []
    with fake.client() as client, ChangeFeed(client, store=sqlite_path) as feed:
        summary = feed.sync(got.append)
    assert summary.seen == 3
    assert "not an id" not in {c.order_id for c in got}
    assert "skipping a listed order" in caplog.text
