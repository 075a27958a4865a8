"""pytest fixtures for testing code that uses CubiCasa (registered through `pytest11`).

- `cubicasa_fake`: a fresh `FakeCubiCasa` (seeded with the documented examples).
- `cubicasa_fake_server`: that fake served over HTTP on 127.0.0.1 (a `FakeServer`).
- `cubicasa_client`: a `CubiCasa` bound to `cubicasa_fake` in-process.
- `cubicasa_async_client`: an `AsyncCubiCasa` bound to `cubicasa_fake` in-process.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ._fake import FakeCubiCasa
from ._server import FakeServer


@pytest.fixture
def cubicasa_fake() -> FakeCubiCasa:
    """A fresh `FakeCubiCasa` for each test, holding the seed data (the documented examples and
    older orders in every status); change it with `add_order`, `set_status`, `fail`, ..."""
    return FakeCubiCasa()


@pytest.fixture
def cubicasa_fake_server(cubicasa_fake: FakeCubiCasa) -> Iterator[FakeServer]:
    """`cubicasa_fake` served over HTTP on 127.0.0.1 and a free port (`.base_url`, `.url`),
    stopped after the test: for code that makes its own client, or another process."""
    with cubicasa_fake.serve() as server:
        yield server


@pytest.fixture
def cubicasa_client(cubicasa_fake: FakeCubiCasa) -> Iterator[Any]:
    """A `CubiCasa` bound to `cubicasa_fake` in-process (no socket), closed after the test."""
    with cubicasa_fake.client() as client:
        yield client


@pytest.fixture
def cubicasa_async_client(cubicasa_fake: FakeCubiCasa) -> Iterator[Any]:
    """An `AsyncCubiCasa` bound to `cubicasa_fake` in-process, closed after the test. Mark the
    async test `@pytest.mark.anyio` (anyio's pytest plugin comes with httpx)."""
    client = cubicasa_fake.async_client()
    yield client
    import asyncio  # closed after the test, in a loop of its own (the test's may be gone)

    asyncio.run(client.close())
