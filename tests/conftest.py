"""Shared fixtures: the spec as data, a throwaway HTTP server on 127.0.0.1, and retry waits
recorded instead of slept."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from cubicasa import _retry
from tests.servers import Handle, LocalServer

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "openapi" / "cubicasa-integrate-v3.yaml"


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return document


@pytest.fixture(autouse=True)
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The retry back-off waits the client asked for, in order, recorded and not slept (a case
    that retries twice would otherwise sleep 0.5 s and 1 s). Sync and async clients alike; a
    client in a subprocess still sleeps."""
    waited: list[float] = []

    async def asleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(_retry, "sleep", waited.append)
    monkeypatch.setattr(_retry, "asleep", asleep)
    return waited


@pytest.fixture
def local_server() -> Iterator[Callable[[Handle], str]]:
    """Start an HTTP server on 127.0.0.1 (free port) that answers every request with `handle`.

    Returns a function taking the handler and returning the base URL; the server stops after
    the test.
    """
    servers: list[LocalServer] = []

    def start(handle: Handle) -> str:
        servers.append(LocalServer(handle))
        return servers[-1].url

    yield start
    for server in servers:
        server.stop()


def order_json(order_id: str = "o1", status: str = "Ready", **info: Any) -> dict[str, Any]:
    """An order as listOrders sends it: every field the spec requires (the docs' upgradeOrder
    example and a third-party address), `info` keys overridable, no `delivery_assets`."""
    return {
        "id": order_id,
        "info": {
            "status": status,
            "created_by": "manager@cubicasa.com",
            "location": "121 North Washington Avenue Cubi suite Minneapolis",
            "order_type": "vbim",
            "first_delivered_at": None,
            "created_at": 1716238626.904049,
            "is_scan_order": True,
            "total_scanned_area": 0,
            "go2scan": None,
            "external_id": "EXT10005",
            "add_info": "",
            "style_template": None,
            "product": {
                "add_ons": ["gla"],
                "over_limits": [],
                "package_type": "plus",
                "purchasable_add_ons": ["3d_cad_files"],
            },
            **info,
        },
        "address": {
            "full_address": "521 Brightfield Road, Lutherville Timonium, MD 21093",
            "street": "Brightfield Road",
            "city": "Lutherville Timonium",
            "state": "Maryland",
            "postalCode": "21093",
            "country": "United States",
        },
    }
