"""`client.with_raw_response`: every method of every area, sync and async, answers with the
status, headers and request ID of its HTTP answer, and `.parse()` gives the usual result."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from cubicasa import AsyncCubiCasa, CubiCasa, Pager, RawResponse, _retry
from tests.facade.conftest import PREFIX, run
from tests.facade.test_coverage import GENERIC, PDF, _arguments, _methods, _resources

BASE = "http://127.0.0.1:9" + PREFIX
KEY = "test-key-0123456789"  # long enough that scrubbing it leaves request IDs alone


def _answer(request: httpx.Request) -> httpx.Response:
    headers = {"x-request-id": f"req-{request.method}-{request.url.path.rsplit('/', 1)[-1]}"}
    if request.url.path.endswith("/combined-pdf"):
        return httpx.Response(201, content=PDF, headers=headers)
    return httpx.Response(201, json=GENERIC, headers=headers)


def _check(qualified: str, raw: Any, sent: list[httpx.Request]) -> None:
    assert isinstance(raw, RawResponse), qualified
    assert raw.status_code == 201, qualified
    assert raw.headers["x-request-id"] == raw.request_id, qualified
    last = sent[-1]
    assert raw.request_id == f"req-{last.method}-{last.url.path.rsplit('/', 1)[-1]}", qualified
    assert raw.retries == 0
    assert isinstance(raw.elapsed, datetime.timedelta)
    parsed = raw.parse()
    assert not isinstance(parsed, RawResponse | Pager), qualified
    assert parsed is not None, qualified


def test_every_sync_method_answers_raw(tmp_path: Path) -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return _answer(request)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    checked = 0
    with CubiCasa(api_key=KEY, base_url=BASE, http_client=http) as client:
        for area, resource in _resources(client.with_raw_response).items():
            for name in _methods(resource):
                qualified = f"{area}.{name}"
                function = getattr(resource, name)
                _check(qualified, function(**_arguments(qualified, function, tmp_path)), sent)
                checked += 1
    assert checked >= 25


def test_every_async_method_answers_raw(tmp_path: Path) -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return _answer(request)

    async def main() -> int:
        http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
        checked = 0
        async with AsyncCubiCasa(api_key=KEY, base_url=BASE, http_client=http) as client:
            for area, resource in _resources(client.with_raw_response).items():
                for name in _methods(resource):
                    qualified = f"{area}.{name}"
                    function = getattr(resource, name)
                    raw = await function(**_arguments(qualified, function, tmp_path))
                    _check(qualified, raw, sent)
                    checked += 1
        return checked

    assert run(main()) >= 25


def test_raw_answer_counts_retries_and_parses_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr(_retry, "sleep", waits.append)
    answers = iter([httpx.Response(503), httpx.Response(200, json=GENERIC)])
    http = httpx.Client(transport=httpx.MockTransport(lambda request: next(answers)))
    with CubiCasa(api_key=KEY, base_url=BASE, http_client=http) as client:
        raw = client.with_raw_response.orders.get("o1")
    assert (raw.status_code, raw.retries, raw.request_id) == (200, 1, None)
    assert len(waits) == 1
    assert raw.parse().id == "x"
    assert "k" not in repr(raw)


def test_raw_response_offers_only_the_api_areas() -> None:
    with CubiCasa(api_key=KEY, base_url=BASE) as client, pytest.raises(AttributeError):
        client.with_raw_response.close  # noqa: B018


def test_models_carry_the_request_id_of_their_answer() -> None:
    ids = iter(["req-1", None])

    def answer(request: httpx.Request) -> httpx.Response:
        found = next(ids)
        return httpx.Response(200, json=GENERIC, headers={"x-request-id": found} if found else {})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with CubiCasa(api_key=KEY, base_url=BASE, http_client=http) as client:
        assert client.orders.get("o1")._request_id == "req-1"
        assert client.orders.get("o1")._request_id is None


def test_a_request_id_echoing_the_key_shows_it_as_stars() -> None:
    """A gateway (or a hostile server) echoing the key in the request-ID header: the ID reaches
    models, raw responses and traces, so the key in it is `***` there, as on the error path."""
    key = "sk-live-0123456789abcdef"

    def answer(request: httpx.Request) -> httpx.Response:
        echoed = f"id-{request.headers['api-key']}-1"
        return httpx.Response(200, json=GENERIC, headers={"x-request-id": echoed})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with CubiCasa(api_key=key, base_url=BASE, http_client=http) as client:
        model = client.company.get()
        raw = client.with_raw_response.company.get()
    assert model._request_id == "id-***-1"
    assert raw.request_id == "id-***-1"
    assert key not in repr(raw)
