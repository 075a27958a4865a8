"""httpx2 (pydantic's continuation of httpx, which openai-python 3.x installs) beside httpx:
the client keeps working on httpx, and says plainly that an httpx2 client is not one it takes."""

from __future__ import annotations

import httpx
import httpx2
import pytest

from cubicasa import AsyncCubiCasa, CubiCasa
from cubicasa.testing import FakeCubiCasa


def test_client_works_with_httpx2_installed_beside() -> None:
    assert httpx2.__name__ != httpx.__name__
    fake = FakeCubiCasa()
    order = fake.add_order()
    with fake.serve() as server, CubiCasa(fake.api_key, base_url=server.base_url) as client:
        assert order["id"] in [found.id for found in client.orders.list()]


def test_an_httpx2_client_is_refused_by_name() -> None:
    with httpx2.Client() as foreign, pytest.raises(TypeError, match=r"httpx\.Client, got Client"):
        CubiCasa("k", http_client=foreign)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"httpx\.AsyncClient, got AsyncClient"):
        AsyncCubiCasa("k", http_client=httpx2.AsyncClient())  # type: ignore[arg-type]
