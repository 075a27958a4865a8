"""The fake sends the order-status webhook to matching registered URLs, tried up to 3 times."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx

from cubicasa.testing import FakeCubiCasa

DRAFT = {"street": "1 Main St", "city": "Springfield", "country": "United States",
         "owner_email": "linus@computer.com"}  # fmt: skip


def receiver(local_server: Any, answers: list[int]) -> tuple[str, list[dict[str, Any]]]:
    """A webhook receiver on 127.0.0.1 answering `answers` in turn (then 200)."""
    got: list[dict[str, Any]] = []

    def handle(request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        got.append(json.loads(request.rfile.read(length)))
        status = answers.pop(0) if answers else 200
        request.send_response(status)
        request.send_header("Content-Length", "0")
        request.end_headers()

    return local_server(handle) + "/hooks/cubicasa", got


def test_a_status_change_is_posted_to_matching_urls(local_server: Any) -> None:
    url, got = receiver(local_server, [])
    fake = FakeCubiCasa()
    with fake.client() as client:
        client.webhooks.update([url], ["moved_to_ready", "moved_to_draft"])
        draft = client.drafts.create(**DRAFT)
        fake.set_status(draft.id, "Pending")  # no trigger registered: nothing sent
        fake.set_status(draft.id, "Ready")
    deliveries = fake.webhooks.wait()
    assert [d.payload["current_status"] for d in deliveries] == ["Draft", "Ready"]
    ready = got[-1]
    assert ready["id"] == draft.id
    assert ready["previous_status"] == "Pending"
    assert set(ready) == {"id", "current_status", "previous_status", "model_id", "product_type",
                          "delivery_type"}  # fmt: skip
    assert all(d.delivered and d.tries == ["200"] for d in deliveries)


def test_a_failing_receiver_gets_three_tries(local_server: Any) -> None:
    url, got = receiver(local_server, [500, 503])
    fake = FakeCubiCasa(webhook_retry_delay=0.01)
    order = fake.add_order(status="Pending")
    fake.webhook_config = {"webhook_urls": [url], "webhook_triggers": ["moved_to_ready"]}
    fake.set_status(order["id"], "Ready")
    (delivery,) = fake.webhooks.wait()
    assert delivery.tries == ["500", "503", "200"]
    assert delivery.delivered
    assert len(got) == 3


def test_the_fake_gives_up_after_three_tries(local_server: Any) -> None:
    url, got = receiver(local_server, [500, 500, 500, 500])
    fake = FakeCubiCasa(webhook_retry_delay=0.01)
    order = fake.add_order(status="Pending")
    fake.webhook_config = {"webhook_urls": [url], "webhook_triggers": ["moved_to_ready"]}
    fake.set_status(order["id"], "Ready")
    (delivery,) = fake.webhooks.wait()
    assert delivery.tries == ["500", "500", "500"]
    assert not delivery.delivered
    assert len(got) == 3


def test_a_change_request_fires_moved_to_fixing(local_server: Any) -> None:
    url, got = receiver(local_server, [])
    fake = FakeCubiCasa()
    with fake.client() as client:
        client.webhooks.update([url], ["moved_to_fixing"])
        client.orders.change_requests.create("312babc6-e742-4d54-ac49-e0f7b16ec15a", text="fix")
    fake.webhooks.wait()
    assert got[0]["current_status"] == "Fixing"
    assert got[0]["previous_status"] == "Ready"


def test_non_loopback_urls_are_never_called() -> None:
    fake = FakeCubiCasa()
    order = fake.add_order(status="Pending")
    fake.webhook_config = {
        "webhook_urls": ["https://domain.com/webhook"],
        "webhook_triggers": ["moved_to_ready"],
    }
    fake.set_status(order["id"], "Ready")
    (delivery,) = fake.webhooks.wait()
    assert delivery.skipped
    assert "loopback" in delivery.skipped
    assert delivery.tries == []


def test_a_transport_delivers_in_process_to_any_url() -> None:
    seen: list[httpx.Request] = []

    def app(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    fake = FakeCubiCasa(webhook_transport=httpx.MockTransport(app))
    order = fake.add_order(status="Pending")
    fake.webhook_config = {
        "webhook_urls": ["https://hooks.example/x"],
        "webhook_triggers": ["moved_to_ready"],
    }
    fake.set_status(order["id"], "Ready")
    fake.webhooks.wait()
    assert json.loads(seen[0].content)["current_status"] == "Ready"
