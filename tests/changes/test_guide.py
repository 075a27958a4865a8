"""The guide's receivers (docs/guides/change-feed.md) run as written: a webhook goes through the
feed's handler once, its retry is a duplicate, and the next pass does not report it again."""

from __future__ import annotations

import asyncio
import json
import re
import sys
import threading
import types
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from cubicasa import CubiCasa
from cubicasa.changes import ChangeFeed, OrderChange
from cubicasa.testing import FakeCubiCasa
from tests.conftest import ROOT

GUIDE = ROOT / "docs" / "guides" / "change-feed.md"
Post = Callable[[str, bytes], int]


def guide_example(marker: str) -> dict[str, Any]:
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)
    found = [b for b in blocks if marker in b]
    assert len(found) == 1, marker
    namespace: dict[str, Any] = {"__name__": f"guide_{marker.split()[-1]}"}
    exec(compile(found[0], f"guide-{marker}", "exec"), namespace)  # noqa: S102
    return namespace


@pytest.fixture
def examples() -> Iterator[list[dict[str, Any]]]:
    """The examples run by a test; their feeds are closed after it."""
    ran: list[dict[str, Any]] = []
    yield ran
    for namespace in ran:
        namespace["feed"].close()


@pytest.fixture
def env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """A fake with one Ready order, served over HTTP, and the environment the guide reads."""
    fake = FakeCubiCasa(seed=False)
    order_id = fake.add_order(status="Ready")["id"]
    secret = f"guide-secret-{request.node.name}-0123456789"
    with fake.serve() as server:
        monkeypatch.setenv("CUBICASA_API_KEY", fake.api_key)
        monkeypatch.setenv("CUBICASA_BASE_URL", server.base_url)
        monkeypatch.setenv("CUBICASA_WEBHOOK_SECRET", secret)
        monkeypatch.setenv("CUBICASA_CHANGES", str(tmp_path / "changes.sqlite3"))
        yield types.SimpleNamespace(order_id=order_id, secret=secret, base_url=server.base_url,
                                    store=tmp_path / "changes.sqlite3", fake=fake)  # fmt: skip


def check(post: Post, env: Any, capsys: pytest.CaptureFixture[str]) -> None:
    body = json.dumps({
        "id": env.order_id, "current_status": "Ready", "previous_status": "Pending",
        "model_id": "cb2aba10-979f-461c-bdb7-906f5047d111", "product_type": "products_2d",
        "delivery_type": "new",
    }).encode()  # fmt: skip
    good = f"/hooks/cubicasa?token={env.secret}"
    assert post(good, body) == 200
    assert post(good, body) == 200  # CubiCasa's retry: acknowledged, not handled again
    assert post("/hooks/cubicasa?token=wrong", body) == 403
    assert post(good, b'{"id": 5}') == 400
    assert capsys.readouterr().out.splitlines() == [
        f"order {env.order_id}: Pending -> Ready (webhook)"
    ]
    got: list[OrderChange] = []
    with CubiCasa() as client, ChangeFeed(client, store=env.store) as feed:
        feed.sync(got.append)
    assert got == []  # the worker's pass does not report it again


def test_fastapi_receiver(
    env: Any, capsys: pytest.CaptureFixture[str], examples: list[Any]
) -> None:
    examples.append(guide_example("from fastapi import"))
    app = examples[-1]["app"]

    def post(path: str, data: bytes) -> int:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                return await c.post(path, content=data)

        return asyncio.run(send()).status_code

    check(post, env, capsys)


def test_flask_receiver(env: Any, capsys: pytest.CaptureFixture[str], examples: list[Any]) -> None:
    examples.append(guide_example("from flask import"))
    client = examples[-1]["app"].test_client()

    def post(path: str, data: bytes) -> int:
        return int(client.post(path, data=data, content_type="application/json").status_code)

    check(post, env, capsys)


def test_django_receiver(env: Any, capsys: pytest.CaptureFixture[str], examples: list[Any]) -> None:
    import django
    from django.conf import settings

    examples.append(guide_example("from django.http import"))
    view = examples[-1]["cubicasa_webhook"]
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

    def post(target: str, data: bytes) -> int:
        return int(client.post(target, data=data, content_type="application/json").status_code)

    check(post, env, capsys)


def test_standard_library_receiver(
    env: Any, capsys: pytest.CaptureFixture[str], examples: list[Any]
) -> None:
    examples.append(guide_example("from http.server import"))
    receiver = examples[-1]["Receiver"]
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        origin = f"http://127.0.0.1:{server.server_address[1]}"
        with httpx.Client(base_url=origin) as http:

            def post(path: str, data: bytes) -> int:
                return http.post(path, content=data).status_code

            check(post, env, capsys)
    finally:
        server.shutdown()
        server.server_close()
