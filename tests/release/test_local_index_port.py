"""The local index of another checkout on the same port is named, not silently reused (this
checkout would seed and upload into a folder that index does not serve)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.servers import Handle

sys.path.insert(0, str(ROOT / "scripts"))
import local_index


def _simple(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def test_an_index_this_checkout_did_not_start_is_refused(
    local_server: Callable[[Handle], str], tmp_path: Path
) -> None:
    port = httpx.URL(local_server(_simple)).port
    assert port is not None
    with pytest.raises(local_index.IndexFailed, match="did not start") as caught:
        local_index.start(tmp_path, port)
    assert "INDEX_PORT" in str(caught.value)
