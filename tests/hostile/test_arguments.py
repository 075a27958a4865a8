"""Every argument of both clients and of `request()` is checked before anything is sent: a
TypeError for a wrong type, a ValueError for a bad value, each naming the argument; a header
value is never shown (it may be a secret)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

import cubicasa
from tests.hostile import KEY, MODES, call
from tests.hostile.server import answer, serve

CLIENTS = [cubicasa.CubiCasa, cubicasa.AsyncCubiCasa]
BASE = "http://127.0.0.1:9/api/integrate/v3"  # never reached: construction fails first


@pytest.mark.parametrize("client_class", CLIENTS)
@pytest.mark.parametrize(
    ("options", "error", "named"),
    [
        ({"timeout": 1e10}, ValueError, "timeout must be <= 86400"),
        ({"timeout": 86_401}, ValueError, "timeout must be <= 86400"),
        ({"timeout": httpx.Timeout(5, read=1e12)}, ValueError, "timeout (read) must be <= 86400"),
        (
            {"max_retries": cubicasa.RetryPolicy(max_delay=1e12)},
            ValueError,
            "RetryPolicy.max_delay",
        ),
        ({"default_headers": "abc"}, TypeError, "default_headers must be a mapping"),
        ({"default_headers": [("a", "b")]}, TypeError, "default_headers must be a mapping"),
        ({"default_headers": {"X-A": 1}}, TypeError, "default_headers must map str to str"),
        ({"default_headers": {b"X-A": "v"}}, TypeError, "default_headers must map str to str"),
        ({"default_headers": {"X A:": "v"}}, ValueError, "'X A:' is not a valid header name"),
        ({"default_headers": {"": "v"}}, ValueError, "'' is not a valid header name"),
        ({"default_headers": {"X-A": "se\ncret"}}, ValueError, "the value of 'X-A'"),
        ({"default_headers": {"X-A": "se\x00cret"}}, ValueError, "the value of 'X-A'"),
        ({"default_headers": {"X-A": "s\u00e9cret"}}, ValueError, "the value of 'X-A'"),
        ({"default_headers": {"X-A": " secret"}}, ValueError, "the value of 'X-A'"),
        ({"http_client": "x"}, TypeError, "http_client must be an httpx."),
        ({"base_url": 123}, TypeError, "base_url must be a str or an httpx.URL"),
    ],
)
def test_a_bad_constructor_argument_fails_at_construction_naming_it(
    client_class: Any, options: dict[str, Any], error: type[Exception], named: str
) -> None:
    with pytest.raises(error) as caught:
        client_class(api_key=KEY, **{"base_url": BASE, **options})
    assert named in str(caught.value)
    assert "cret" not in str(caught.value)


def test_each_client_takes_only_its_own_kind_of_http_client() -> None:
    async_http = httpx.AsyncClient()
    with pytest.raises(TypeError, match=r"http_client must be an httpx\.Client, got AsyncClient"):
        cubicasa.CubiCasa(api_key=KEY, base_url=BASE, http_client=async_http)  # type: ignore[arg-type]
    asyncio.run(async_http.aclose())
    with (
        httpx.Client() as sync_http,
        pytest.raises(TypeError, match=r"http_client must be an httpx\.AsyncClient, got Client"),
    ):
        cubicasa.AsyncCubiCasa(api_key=KEY, base_url=BASE, http_client=sync_http)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", MODES)
def test_valid_arguments_still_work(mode: str) -> None:
    with serve(answer(200, b'{"ok": true}')) as server:
        response = call(
            mode,
            server.base_url,
            lambda c: c.request("get", "/x", params={"a": 1, "b": ["x", "y"], "c": None}),
            timeout=86_400,
            default_headers={"X-Trace": "a b\tc"},
        )
        assert response.json() == {"ok": True}
        sent = server.requests[0]
    assert sent.headers["x-trace"] == "a b\tc"
    assert sent.method == "GET"
    assert sent.path.endswith("/x?a=1&b=x&b=y&c=")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("args", "kwargs", "error", "named"),
    [
        ((5, "/x"), {}, TypeError, "method must be a str, got int"),
        (("GET\r\nX: y", "/x"), {}, ValueError, "method must be an HTTP method"),
        (("", "/x"), {}, ValueError, "method must be an HTTP method"),
        (("GET", 5), {}, TypeError, "path must be a str, got int"),
        (("GET", "/x"), {"params": 5}, TypeError, "params must be a mapping, got int"),
        (("GET", "/x"), {"params": "a=1"}, TypeError, "params must be a mapping, got str"),
        (("GET", "/x"), {"params": {1: "a"}}, TypeError, "params: names must be str"),
        (("GET", "/x"), {"params": {"a": object()}}, TypeError, "params['a'] must be"),
        (("GET", "/x"), {"timeout": 1e10}, ValueError, "timeout must be <= 86400"),
    ],
)
def test_bad_request_arguments_fail_before_sending(
    mode: str, args: tuple[Any, ...], kwargs: dict[str, Any], error: type[Exception], named: str
) -> None:
    with serve(answer(200, b"{}")) as server:
        with pytest.raises(error) as caught:
            call(mode, server.base_url, lambda c: c.request(*args, **kwargs))
        assert server.count == 0
    assert named in str(caught.value)
