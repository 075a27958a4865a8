"""The command line against the served fake, driven through its control API (`/_fake/...`) as
a test suite in another process would drive it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cubicasa.cli import main
from cubicasa.cli._exit import ExitCode
from cubicasa.testing import FakeCubiCasa, FakeServer

PENDING_ORDER = "2109a900-cd75-4964-91e4-9389f06c4b05"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    with FakeCubiCasa().serve() as server:
        monkeypatch.setenv("CUBICASA_API_KEY", server.fake.api_key)
        monkeypatch.setenv("CUBICASA_BASE_URL", server.base_url)
        monkeypatch.delenv("CUBICASA_LOG", raising=False)
        yield server


def drive(
    server: FakeServer, path: str, body: object = None, key: str | None = None
) -> httpx.Response:
    return httpx.post(
        f"{server.url}/_fake/{path}",
        json=body,
        headers={"api-key": server.fake.api_key if key is None else key},
        timeout=10,
    )


def statuses(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["orders", *args, "--json"])
    out = capsys.readouterr().out
    items = [json.loads(line) for line in out.splitlines()] if "list" in args else [json.loads(out)]
    return code, [item["info"]["status"] for item in items]


def test_set_status_then_the_command_line_sees_it(
    served: FakeServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert drive(served, f"orders/{PENDING_ORDER}/status", {"status": "Ready"}).json() == {
        "ok": True
    }
    code, seen = statuses(capsys, "get", PENDING_ORDER)
    assert (code, seen) == (0, ["Ready"])
    pdf = tmp_path / "plan.pdf"
    assert main(["orders", "pdf", PENDING_ORDER, "--output", str(pdf), "--quiet"]) == 0
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_fail_deviate_and_reset(served: FakeServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        drive(served, "fail", {"status": 500, "times": 3, "route": "listOrders"}).status_code == 200
    )
    assert main(["orders", "list", "--json"]) == ExitCode.SERVER
    assert "500" in capsys.readouterr().err

    drive(served, "deviate", {"operation_id": "getOrder", "replace": {"/info/status": "Archived"}})
    assert statuses(capsys, "get", PENDING_ORDER) == (0, ["Archived"])

    drive(served, f"orders/{PENDING_ORDER}/status", {"status": "Fixing"})
    assert drive(served, "reset").status_code == 200
    assert statuses(capsys, "get", PENDING_ORDER) == (0, ["Pending"])
    assert served.fake.requests_to("getOrder")[-1].status == 200


def test_the_control_api_refuses_what_it_cannot_do(served: FakeServer) -> None:
    assert drive(served, "reset", key="wrong").status_code == 401
    assert drive(served, "orders/no-such-order/status", {"status": "Ready"}).status_code == 404
    refused = drive(served, "deviate", {"operation_id": "getOrder", "add": {"nope": 1}})
    assert refused.status_code == 400
    assert "pointer" in refused.json()["message"].lower()
    assert drive(served, "status", {"status": "Ready"}).status_code == 404
    assert drive(served, f"orders/{PENDING_ORDER}/status", {}).status_code == 400
    answer = httpx.get(f"{served.url}/_fake/reset", headers={"api-key": served.fake.api_key})
    assert answer.status_code == 405
