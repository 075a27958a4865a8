"""Response desync: a server (or a proxy) that sends a body after a bodiless answer (204, 304)
leaves bytes on the connection that the next request on it would read as its answer. The client
closes such a connection; a get-by-ID answer about another object is a finding (strict: an
error)."""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import socket
from typing import Any

import httpx
import pytest

from cubicasa import APIStatusError, ResponseValidationError
from cubicasa.conformance import _mode as conformance_mode
from cubicasa.testing import FakeCubiCasa
from tests.hostile import KEY, MODES, call
from tests.hostile.server import Request, head, serve

_ORDERS = FakeCubiCasa().orders
REAL_ID, OTHER_ID = list(_ORDERS)[:2]
REAL = json.dumps(_ORDERS[REAL_ID]).encode()
SMUGGLED = json.dumps({**_ORDERS[OTHER_ID], "id": "SMUGGLED-ORDER"}).encode()


def _ok(body: bytes) -> bytes:
    return head(200, {"Content-Type": "application/json", "Content-Length": len(body)}) + body


def smuggler(status: int) -> Any:
    """The first request gets `status` followed by a whole 200 answer (the smuggled order) as its
    "body"; every later one, the real order."""
    served = itertools.count()

    def script(conn: socket.socket, request: Request) -> None:
        if next(served) == 0:
            bodiless = head(status, {"Content-Type": "application/json", "Content-Length": 0})
            conn.sendall(bodiless + _ok(SMUGGLED))
        else:
            conn.sendall(_ok(REAL))

    return script


def _then_get(status: int, mode: str) -> Any:
    """A raw request that gets the bodiless answer (a 304 is an APIStatusError), then a get."""

    def sync(client: Any) -> Any:
        with contextlib.suppress(APIStatusError):
            assert client.request("DELETE", "/orders/draft/d-1").status_code == status
        return client.orders.get(REAL_ID)

    async def async_(client: Any) -> Any:
        with contextlib.suppress(APIStatusError):
            assert (await client.request("DELETE", "/orders/draft/d-1")).status_code == status
        return await client.orders.get(REAL_ID)

    return sync if mode == "sync" else async_


@pytest.mark.parametrize("status", [204, 304])
@pytest.mark.parametrize("mode", MODES)
def test_a_bodiless_answer_with_a_body_does_not_answer_the_next_request(
    mode: str, status: int
) -> None:
    with serve(smuggler(status)) as server:
        order = call(mode, server.base_url, _then_get(status, mode))
        assert order.id == REAL_ID
        assert server.count == 2
        assert len(server._threads) == 2  # the bodiless answer's connection was not used again


def _serve_other(conn: socket.socket, request: Request) -> None:
    conn.sendall(_ok(SMUGGLED))


@pytest.mark.parametrize("mode", MODES)
def test_an_order_answered_for_another_id_is_a_finding(
    mode: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conformance_mode, "_logged", set())  # logged once a process: again here
    seen: list[Any] = []

    def get(client: Any) -> Any:
        seen.append(client)
        return client.orders.get(REAL_ID)

    async def aget(client: Any) -> Any:
        seen.append(client)
        return await client.orders.get(REAL_ID)

    with serve(_serve_other) as server, caplog.at_level(logging.WARNING, "cubicasa"):
        order = call(mode, server.base_url, get if mode == "sync" else aget)
    assert order.id == "SMUGGLED-ORDER"  # forgiving by default: the answer, and a finding
    [finding] = [f for f in seen[0].conformance if f.kind == "wrong_id"]
    assert (finding.operation_id, finding.where) == ("getOrder", "/id")
    assert "SMUGGLED" not in repr(finding)  # no value from the response
    assert "getOrder: wrong_id at /id" in caplog.text
    assert KEY not in caplog.text


@pytest.mark.parametrize("mode", MODES)
def test_strict_mode_refuses_an_answer_about_another_object(mode: str) -> None:
    cr = json.dumps({"id": "cr-other", "img_urls": [], "sent_at": 1.0, "text": "x"}).encode()

    def script(conn: socket.socket, request: Request) -> None:
        conn.sendall(_ok(SMUGGLED if "/change-requests/" not in request.path else cr))

    def get(client: Any) -> Any:
        return client.orders.get(REAL_ID)

    async def aget(client: Any) -> Any:
        return await client.orders.get(REAL_ID)

    def get_cr(client: Any) -> Any:
        return client.orders.change_requests.get(REAL_ID, "cr-1")

    async def aget_cr(client: Any) -> Any:
        return await client.orders.change_requests.get(REAL_ID, "cr-1")

    with serve(script) as server:
        for action in (get, get_cr) if mode == "sync" else (aget, aget_cr):
            with pytest.raises(ResponseValidationError, match="wrong_id at /id") as caught:
                call(mode, server.base_url, action, conformance="strict")
            assert KEY not in str(caught.value)


def test_the_probe_reports_an_order_answered_for_another_id() -> None:
    from cubicasa.probe import report_json, run_probe

    fake = FakeCubiCasa()
    fake.deviate("getOrder", replace={"/id": "SMUGGLED-ORDER"})
    with httpx.Client(transport=fake.transport) as http:
        report = run_probe(api_key=fake.api_key, base_url=fake.base_url, http_client=http)
    ops = {op["operation_id"]: op for op in report_json(report)["operations"]}
    assert ops["getOrder"]["outcome"] == "deviates"
    assert [(f["kind"], f["where"]) for f in ops["getOrder"]["findings"]] == [("wrong_id", "/id")]
    assert "SMUGGLED" not in json.dumps(report_json(report))
