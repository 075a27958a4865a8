"""Fixtures for the change-feed tests: a fake with orders, SQLite stores in tmp_path, and a
real PostgreSQL server on 127.0.0.1 (one per test session, a fresh database per test)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from cubicasa.testing import FakeCubiCasa
from tests.changes.postgres import fresh_database, postgres_server


@pytest.fixture
def fake() -> FakeCubiCasa:
    """An empty fake with three orders: Pending, Ready, Draft."""
    fake = FakeCubiCasa(seed=False)
    fake.add_user("manager@cubicasa.com", role="Manager")
    for status in ("Pending", "Ready", "Draft"):
        fake.add_order(status=status)
    return fake


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "changes.sqlite3"


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server_url: str, request: pytest.FixtureRequest) -> str:
    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:50]
    return fresh_database(postgres_server_url, name)


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store kind in turn: a SQLite file path, then a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "changes.sqlite3")
    return str(request.getfixturevalue("postgres_url"))
