"""Construction, auth, key hygiene, timeouts, context managers, logging and `request()`."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

import cubicasa
from cubicasa import AsyncCubiCasa, CubiCasa, CubiCasaError
from tests.facade.conftest import API_KEY, Backends, json_response, run

CHANGE_REQUEST = {"id": "cr-1", "img_urls": [], "sent_at": 1748455764.159082, "text": "fix"}


def test_missing_key_names_the_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CUBICASA_API_KEY", raising=False)
    with pytest.raises(CubiCasaError, match="CUBICASA_API_KEY"):
        CubiCasa()
    with pytest.raises(CubiCasaError, match="CUBICASA_API_KEY"):
        AsyncCubiCasa()


def test_key_and_base_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUBICASA_API_KEY", "from-env")
    monkeypatch.setenv("CUBICASA_BASE_URL", "http://127.0.0.1:1/api/integrate/v3")
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=CHANGE_REQUEST)

    with CubiCasa(http_client=httpx.Client(transport=httpx.MockTransport(handle))) as client:
        client.orders.change_requests.get("o", "cr-1")
    assert seen[0].headers["api-key"] == "from-env"
    assert str(seen[0].url) == "http://127.0.0.1:1/api/integrate/v3/orders/o/change-requests/cr-1"


def test_production_is_the_default_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CUBICASA_BASE_URL", raising=False)
    client = CubiCasa(api_key="k")
    assert "https://app.cubi.casa/api/integrate/v3" in repr(client)
    client.close()


@pytest.mark.parametrize(
    "url",
    ["http://app.cubi.casa/api/integrate/v3", "http://10.0.0.5/api", "ftp://127.0.0.1/", "nope"],
)
def test_plain_http_is_refused_unless_loopback(url: str) -> None:
    with pytest.raises(CubiCasaError, match="Refusing base URL"):
        CubiCasa(api_key="k", base_url=url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/v3", "http://localhost/v3", "http://[::1]/"]
)
def test_plain_http_is_allowed_on_loopback(url: str) -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"package_type": "base", "add_ons": []})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with CubiCasa(api_key="k", base_url=url, http_client=http) as client:
        assert client.company.get_package().package_type == "base"
    assert str(sent[0].url) == url.rstrip("/") + "/companies/package"
    assert sent[0].headers["api-key"] == "k"


def test_a_key_with_a_line_break_is_refused_without_echoing_it() -> None:
    with pytest.raises(CubiCasaError) as caught:
        CubiCasa(api_key="abc\r\nX-Evil: 1")
    assert "abc" not in str(caught.value)


def test_the_key_travels_only_in_the_api_key_header(backends: Backends) -> None:
    client, recorder = backends.sync(lambda r: json_response(CHANGE_REQUEST))
    client.orders.change_requests.get("o1", "cr-1")
    (request,) = recorder.requests
    assert request.headers["api-key"] == API_KEY
    assert "authorization" not in request.headers
    assert API_KEY not in str(request.url)
    assert request.headers["user-agent"].startswith(f"cubicasa-integrate/{cubicasa.__version__}")


def test_the_key_is_never_in_repr_errors_or_logs(
    backends: Backends, caplog: pytest.LogCaptureFixture
) -> None:
    client, _ = backends.sync(lambda r: json_response({"message": "bad key"}, 401), max_retries=0)
    caplog.set_level(logging.DEBUG, logger="cubicasa")
    with pytest.raises(cubicasa.AuthenticationError) as caught:
        client.orders.get("o1")
    for text in (repr(client), str(caught.value), repr(caught.value), caplog.text):
        assert API_KEY not in text
    assert "GET" in caplog.text
    assert "401" in caplog.text
    assert API_KEY not in repr(client._http.auth)


def test_default_headers_are_sent_and_cannot_carry_the_key(backends: Backends) -> None:
    client, recorder = backends.sync(
        lambda r: json_response(CHANGE_REQUEST), default_headers={"X-Team": "photos"}
    )
    client.orders.change_requests.get("o1", "cr-1")
    assert recorder.requests[0].headers["x-team"] == "photos"
    with pytest.raises(CubiCasaError, match="api_key"):
        CubiCasa(api_key="k", default_headers={"api-key": "other"})


def test_timeouts_default_and_override_per_client_and_per_call(backends: Backends) -> None:
    client, recorder = backends.sync(lambda r: json_response(CHANGE_REQUEST))
    client.orders.change_requests.get("o", "c")
    timeout = recorder.requests[-1].extensions.get("timeout")
    if backends.mode == "mock":  # the extension is visible only in-process
        assert timeout == {"connect": 5.0, "read": 60.0, "write": 60.0, "pool": 60.0}
    assert client._http.timeout == httpx.Timeout(60.0, connect=5.0)

    custom, _ = backends.sync(lambda r: json_response(CHANGE_REQUEST), timeout=7.5)
    assert custom._http.timeout == httpx.Timeout(7.5)
    per_call = client.with_options(timeout=httpx.Timeout(300.0, connect=2.0))
    per_call.orders.change_requests.get("o", "c")
    assert per_call._http.timeout == httpx.Timeout(300.0, connect=2.0)
    # The derived client shares the connections and leaves the original unchanged.
    assert client._http.timeout == httpx.Timeout(60.0, connect=5.0)
    assert per_call._inner is client._inner


def test_a_slow_answer_is_a_timeout_error(backends: Backends) -> None:
    from tests.facade.conftest import Slow

    client, _ = backends.sync(
        lambda r: Slow(json_response(CHANGE_REQUEST), 1.0), timeout=0.2, max_retries=0
    )
    with pytest.raises(cubicasa.APITimeoutError):
        client.orders.change_requests.get("o", "c")


def test_context_managers_close_their_own_client_but_not_an_injected_one() -> None:
    injected = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    with CubiCasa(api_key="k", http_client=injected) as client:
        pass
    assert not injected.is_closed
    assert client._http.is_closed  # our own wrapper is closed; the injected client is not
    with CubiCasa(api_key="k") as own:
        inner = own._http
    assert inner.is_closed
    injected.close()

    async def main() -> None:
        shared = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
        async with AsyncCubiCasa(api_key="k", http_client=shared):
            pass
        assert not shared.is_closed
        async with AsyncCubiCasa(api_key="k") as mine:
            wrapper = mine._http
        assert wrapper.is_closed
        await shared.aclose()

    run(main())


def test_injected_client_is_used_for_sending() -> None:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json=CHANGE_REQUEST)

    injected = httpx.Client(transport=httpx.MockTransport(handle))
    with CubiCasa(api_key="k", base_url="https://example.test/v3", http_client=injected) as c:
        c.orders.change_requests.get("o", "c")
    assert seen == ["/v3/orders/o/change-requests/c"]


def test_request_reaches_any_path_with_auth_and_errors(backends: Backends) -> None:
    def handle(request: httpx.Request) -> Any:
        if request.url.path.endswith("/scans"):
            return json_response({"items": [1, 2]})
        return json_response({"message": "nope"}, 404)

    client, recorder = backends.sync(handle)
    response = client.request("get", "/scans", params={"q": "x"})
    assert response.json() == {"items": [1, 2]}
    assert recorder.requests[0].headers["api-key"] == API_KEY
    assert recorder.requests[0].url.params["q"] == "x"
    with pytest.raises(cubicasa.NotFoundError):
        client.request("POST", "/elsewhere", json={"a": 1})


def test_async_request_and_call(backends: Backends) -> None:
    client, recorder = backends.async_(lambda r: json_response(CHANGE_REQUEST))

    async def main() -> Any:
        async with client:
            found = await client.orders.change_requests.get("o1", "cr-1")
            raw = await client.request("GET", "/orders/o1/change-requests/cr-1")
            return found, raw

    found, raw = run(main())
    assert found.text == "fix"
    assert raw.json() == CHANGE_REQUEST
    assert all(r.headers["api-key"] == API_KEY for r in recorder.requests)


def test_cubicasa_log_debug_turns_on_request_logging(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    logger = logging.getLogger("cubicasa")
    monkeypatch.setattr(logger, "level", logging.NOTSET)
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setenv("CUBICASA_LOG", "debug")

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=CHANGE_REQUEST)

    transport = httpx.MockTransport(handle)
    with CubiCasa(
        api_key=API_KEY,
        base_url="http://127.0.0.1:1/v3",
        http_client=httpx.Client(transport=transport),
    ) as client:
        client.orders.change_requests.get("o1", "cr-1")
    err = capsys.readouterr().err
    assert "GET http://127.0.0.1:1/v3/orders/o1/change-requests/cr-1 -> 200 in" in err
    assert API_KEY not in err


@pytest.mark.slow
def test_importing_cubicasa_does_not_import_pydantic() -> None:
    import subprocess
    import sys

    code = "import sys, cubicasa; print('pydantic' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
