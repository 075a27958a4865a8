"""The README's quick start runs as written, against a local server standing in for CubiCasa."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from tests.conftest import ROOT, order_json


def _quick_start() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "the quick start has a python block"
    return str(blocks[0])


@pytest.mark.slow
def test_the_quick_start_runs(local_server: Any) -> None:
    seen: list[tuple[str, str, str]] = []

    def handle(request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        seen.append((request.command, request.path, request.headers.get("api-key", "")))
        if request.command == "GET" and request.path.startswith("/api/integrate/v3/orders?"):
            items = [order_json(f"order-{n}") for n in range(5)]
            answer: Any = {
                "pagination": {"has_more": True, "limit": 20, "next_offset": 21},
                "items": items,
            }
        elif request.command == "POST" and request.path == "/api/integrate/v3/orders/draft":
            sent = json.loads(body)
            answer = order_json("draft-1", "Draft", external_id=sent["external_id"])
        else:
            answer = {"message": "not found"}
        data = json.dumps(answer).encode()
        request.send_response(200 if "message" not in answer else 404)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    base = local_server(handle)
    env = {
        **os.environ,
        "CUBICASA_API_KEY": "quick-start-key",
        "CUBICASA_BASE_URL": base + "/api/integrate/v3",
    }
    done = subprocess.run(
        [sys.executable, "-c", _quick_start()],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "order-0 Ready",
        "order-1 Ready",
        "order-2 Ready",
        "draft draft-1",
    ]
    assert [(method, key) for method, _, key in seen] == [
        ("GET", "quick-start-key"),
        ("POST", "quick-start-key"),
    ]
