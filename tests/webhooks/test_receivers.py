"""The webhooks guide's receivers (FastAPI, Flask, Django) run as written, and the end-to-end loop:
the fake CubiCasa changes an order's status and a receiver started here gets, verifies and
parses the event."""

from __future__ import annotations

import asyncio
import json
import re
import sys
import types
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest

from cubicasa.testing import FakeCubiCasa
from cubicasa.webhooks import WebhookReceiver, webhook_url
from tests.conftest import ROOT

SECRET = "readme-secret-0123456789abcdef"
EVENT = {
    "id": "363c38cd-9682-4ff3-9100-9ef4e755f275",
    "current_status": "Ready",
    "previous_status": "Pending",
    "model_id": "cb2aba10-979f-461c-bdb7-906f5047d111",
    "product_type": "products_2d",
    "delivery_type": "new",
}


def readme_example(framework: str) -> dict[str, Any]:
    guide = (ROOT / "docs" / "guides" / "webhooks.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", guide, flags=re.S) if framework in b]
    assert len(blocks) == 1, framework
    namespace: dict[str, Any] = {"__name__": f"readme_{framework}"}
    exec(compile(blocks[0], f"README-{framework}", "exec"), namespace)  # noqa: S102
    return namespace


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUBICASA_WEBHOOK_SECRET", SECRET)


Post = Callable[[str, bytes], tuple[int, Any]]


def check_receiver(post: Post, capsys: pytest.CaptureFixture[str], event_id: str) -> None:
    payload = json.dumps({**EVENT, "id": event_id}).encode()
    good = f"/hooks/cubicasa?token={SECRET}"
    assert post(good, payload)[0] == 200
    assert post(good, payload)[0] == 200  # CubiCasa's retry: acknowledged, not processed again
    assert post("/hooks/cubicasa?token=wrong", payload)[0] == 403
    assert post("/hooks/cubicasa", payload)[0] == 403
    status, answer = post(good, b'{"id": 5}')  # odd fields: acknowledged, logged, not processed
    assert status == 200
    status, answer = post(good, b'{"id": "x", "current_status": "Ready"')
    assert status == 400
    assert "not JSON" in str(answer)
    printed = capsys.readouterr().out.splitlines()
    assert printed == [f"order {event_id} is Ready"]


def test_fastapi_example(capsys: pytest.CaptureFixture[str]) -> None:
    app = readme_example("fastapi")["app"]
    transport = httpx.ASGITransport(app=app)

    def post(path: str, data: bytes) -> tuple[int, Any]:
        async def send() -> httpx.Response:
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                return await c.post(path, content=data)

        response = asyncio.run(send())
        return response.status_code, response.text

    check_receiver(post, capsys, "fastapi-order")


def test_flask_example(capsys: pytest.CaptureFixture[str]) -> None:
    app = readme_example("flask")["app"]
    client = app.test_client()

    def post(path: str, data: bytes) -> tuple[int, Any]:
        response = client.post(path, data=data, content_type="application/json")
        return response.status_code, response.get_data(as_text=True)

    check_receiver(post, capsys, "flask-order")


def test_django_example(capsys: pytest.CaptureFixture[str]) -> None:
    import django
    from django.conf import settings

    view = readme_example("django")["cubicasa_webhook"]
    urls = types.ModuleType("readme_django_urls")
    sys.modules["readme_django_urls"] = urls
    if not settings.configured:
        settings.configure(
            ROOT_URLCONF="readme_django_urls",
            ALLOWED_HOSTS=["testserver"],
            SECRET_KEY="tests-only",
            MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"],
        )
        django.setup()
    from django.test import Client
    from django.urls import clear_url_caches, path

    urls.urlpatterns = [path("hooks/cubicasa", view)]  # type: ignore[attr-defined]
    clear_url_caches()
    client = Client(enforce_csrf_checks=True)

    def post(target: str, data: bytes) -> tuple[int, Any]:
        response = client.post(target, data=data, content_type="application/json")
        return response.status_code, response.content.decode()

    check_receiver(post, capsys, "django-order")
    assert client.get(f"/hooks/cubicasa?token={SECRET}").status_code == 405


def test_end_to_end_from_the_fake_to_a_receiver(local_server: Any) -> None:
    receiver = WebhookReceiver(SECRET)
    events: list[Any] = []
    refused: list[int] = []

    def handle(request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        data = request.rfile.read(length)
        try:
            event = receiver.handle(data, request.path)
        except Exception:
            refused.append(1)
            status = 403
        else:
            events.append(event)
            status = 200
        request.send_response(status)
        request.send_header("Content-Length", "0")
        request.end_headers()

    base = local_server(handle)
    fake = FakeCubiCasa()
    with fake.client() as client:
        client.webhooks.update(
            [webhook_url(base + "/hooks/cubicasa", SECRET), base + "/hooks/cubicasa?token=forged"],
            ["moved_to_ready", "moved_to_fixing"],
        )
        draft = client.drafts.create(
            street="1 Main St", city="Springfield", country="United States",
            owner_email="linus@computer.com",
        )  # fmt: skip
        fake.set_status(draft.id, "Pending")
        fake.set_status(draft.id, "Ready")
        client.orders.change_requests.create(draft.id, text="Door on the wrong wall")
        fake.set_status(draft.id, "Ready")
    fake.webhooks.wait()
    assert [(e.id, e.previous_status, e.current_status) for e in events] == [
        (draft.id, "Pending", "Ready"),
        (draft.id, "Ready", "Fixing"),
        (draft.id, "Fixing", "Ready"),
    ]
    assert events[0].is_first_delivery
    assert events[2].is_fix_delivered
    assert not any(e.duplicate for e in events)
    assert len(refused) == 3 * 3  # the forged URL: 3 events, each tried 3 times
