"""Per-call options (`with_options(extra_headers=, extra_query=, timeout=)`), the hooks told of
every try with the key hidden, and the OpenTelemetry spans of a call and its tries."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from cubicasa import AsyncCubiCasa, CubiCasa, CubiCasaError, _observe, _retry
from tests.facade.conftest import PREFIX, run
from tests.infra.conftest import answer_json
from tests.servers import LocalServer

COMPANY = {"profile": {"name": "Agency", "email": None}}
BASE = "http://127.0.0.1:9" + PREFIX


def test_extra_headers_and_query_reach_the_server() -> None:
    seen: list[tuple[str, dict[str, str]]] = []
    answer = answer_json(COMPANY)

    def handle(request: BaseHTTPRequestHandler) -> None:
        seen.append((request.path, dict(request.headers.items())))
        answer(request)

    with LocalServer(handle) as server, CubiCasa("k", base_url=server.url + PREFIX) as client:
        tagged = client.with_options(extra_headers={"X-Trace": "t-1"}, extra_query={"debug": 1})
        tagged.company.get()
        client.company.get()  # the original is unchanged
    (first_path, first), (second_path, second) = seen
    assert first["X-Trace"] == "t-1"
    assert first_path == f"{PREFIX}/companies/info?debug=1"
    assert first["api-key"] == "k"
    assert "X-Trace" not in second
    assert second_path == f"{PREFIX}/companies/info"


def test_extra_headers_cannot_set_the_key() -> None:
    with CubiCasa("k", base_url=BASE) as client:
        for name in ("api-key", "API-Key", "api_key", "API_KEY"):
            with pytest.raises(CubiCasaError, match="cannot set api-key"):
                client.with_options(extra_headers={name: "other"})
        with pytest.raises(ValueError, match="extra_headers: the value"):
            client.with_options(extra_headers={"X-A": "line\nbreak"})
        with pytest.raises(TypeError, match="extra_query"):
            client.with_options(extra_query={"a": object()})


def _flaky(statuses: list[int]) -> httpx.MockTransport:
    answers = iter(statuses)

    def answer(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        if status == 0:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(status, json=COMPANY)

    return httpx.MockTransport(answer)


def test_hooks_fire_once_per_try_with_the_key_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_retry, "sleep", lambda seconds: None)
    requests: list[httpx.Request] = []
    responses: list[httpx.Response] = []
    with CubiCasa(
        "secret-key",
        base_url=BASE,
        http_client=httpx.Client(transport=_flaky([0, 503, 200])),
        on_request=requests.append,
        on_response=responses.append,
    ) as client:
        client.company.get()
    assert len(requests) == 3  # the refused try, the 503 and the 200
    assert [r.status_code for r in responses] == [503, 200]
    for request in [*requests, *(r.request for r in responses)]:
        assert request.headers["api-key"] == "***"
        assert "secret-key" not in repr(request.headers)
    assert responses[-1].json() == COMPANY


def test_hooks_fire_per_try_on_the_async_client(monkeypatch: pytest.MonkeyPatch) -> None:
    async def instant(seconds: float) -> None:
        return None

    monkeypatch.setattr(_retry, "asleep", instant)
    tries: list[str] = []

    async def main() -> None:
        async with AsyncCubiCasa(
            "k",
            base_url=BASE,
            http_client=httpx.AsyncClient(transport=_flaky([429, 200])),
            on_request=lambda request: tries.append(f"> {request.url.path}"),
            on_response=lambda response: tries.append(f"< {response.status_code}"),
        ) as client:
            await client.company.get()

    run(main())
    path = f"{PREFIX}/companies/info"
    assert tries == [f"> {path}", "< 429", f"> {path}", "< 200"]


class _Span:
    def __init__(self, name: str, attributes: dict[str, Any]) -> None:
        self.name = name
        self.attributes = dict(attributes)

    def set_attribute(self, key: str, value: Any) -> None:
        self.attributes[key] = value


class _Tracer:
    def __init__(self) -> None:
        self.spans: list[_Span] = []

    @contextlib.contextmanager
    def start_as_current_span(self, name: str, **options: Any) -> Iterator[_Span]:
        span = _Span(name, options.get("attributes") or {})
        self.spans.append(span)
        yield span


class _Provider:
    """Stands for OpenTelemetry's default provider, set until an application sets an SDK's."""


def _otel(tracer: _Tracer, provider: object) -> SimpleNamespace:
    """What the client uses of `opentelemetry.trace`."""
    return SimpleNamespace(
        get_tracer_provider=lambda: provider,
        ProxyTracerProvider=_Provider,
        get_tracer=lambda name, version: tracer,
        SpanKind=SimpleNamespace(CLIENT="CLIENT"),
    )


def test_no_span_until_the_application_sets_a_tracer_provider(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tracer = _Tracer()
    monkeypatch.setattr(_observe, "_otel", _otel(tracer, _Provider()))
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=COMPANY))
    with CubiCasa("k", base_url=BASE, http_client=httpx.Client(transport=transport)) as client:
        client.company.get()
    assert tracer.spans == []


def test_a_span_per_call_and_per_try(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_retry, "sleep", lambda seconds: None)
    tracer = _Tracer()
    monkeypatch.setattr(_observe, "_otel", _otel(tracer, object()))
    statuses = iter([503, 200])
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            next(statuses), json=COMPANY, headers={"x-request-id": "r-9"}
        )
    )
    with CubiCasa("k", base_url=BASE, http_client=httpx.Client(transport=transport)) as client:
        client.company.get()
    call, *tries = tracer.spans
    assert call.name == "cubicasa getCompanyInfo"
    assert call.attributes["cubicasa.operation_id"] == "getCompanyInfo"
    assert call.attributes["http.response.status_code"] == 200
    assert call.attributes["cubicasa.retries"] == 1
    assert call.attributes["cubicasa.request_id"] == "r-9"
    assert [
        (t.attributes["cubicasa.try"], t.attributes["http.response.status_code"]) for t in tries
    ] == [
        (1, 503),
        (2, 200),
    ]
