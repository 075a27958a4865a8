"""Proxies: the environment as httpx and curl read it, `proxy=`, `trust_env=False`; an https base
URL goes through a CONNECT tunnel (the proxy never sees the key), and the try's deadline holds
through the proxy."""

from __future__ import annotations

import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

import pytest

from cubicasa import APITimeoutError, AsyncCubiCasa, CubiCasa
from cubicasa.testing import FakeCubiCasa
from tests.facade.conftest import run
from tests.infra.conftest import answer_json
from tests.infra.proxy import ForwardProxy
from tests.infra.tls import TLSServer
from tests.servers import Handle

ORDER_PAGE = {"items": [], "pagination": {"has_more": False, "next_offset": None}}


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
def test_default_client_goes_through_the_proxy_of_the_environment(
    forward_proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    fake = FakeCubiCasa()
    monkeypatch.setenv(variable, forward_proxy.url)
    with fake.serve() as server, CubiCasa(fake.api_key, base_url=server.base_url) as client:
        client.company.get()
        list(client.orders.list(max_items=1))
    assert len(forward_proxy.forwarded) == 2
    assert all(url.startswith(server.base_url) for url in forward_proxy.forwarded)


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "NO_PROXY=localhost,127.0.0.1", "*"])
def test_no_proxy_naming_the_host_goes_direct(
    forward_proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, no_proxy: str
) -> None:
    fake = FakeCubiCasa()
    monkeypatch.setenv("HTTP_PROXY", forward_proxy.url)
    monkeypatch.setenv("no_proxy", no_proxy.removeprefix("NO_PROXY="))
    with fake.serve() as server, CubiCasa(fake.api_key, base_url=server.base_url) as client:
        client.company.get()
    assert forward_proxy.requests == 0
    assert forward_proxy.connections == 0


def test_trust_env_false_ignores_the_proxy_variables(
    forward_proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeCubiCasa()
    monkeypatch.setenv("HTTP_PROXY", forward_proxy.url)
    monkeypatch.setenv("ALL_PROXY", forward_proxy.url)
    with (
        fake.serve() as server,
        CubiCasa(fake.api_key, base_url=server.base_url, trust_env=False) as client,
    ):
        client.company.get()
    assert forward_proxy.requests == 0


def test_proxy_argument_wins_over_no_proxy_and_works_async(
    forward_proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeCubiCasa()
    monkeypatch.setenv("NO_PROXY", "*")
    with fake.serve() as server:

        async def main() -> None:
            async with AsyncCubiCasa(
                fake.api_key, base_url=server.base_url, proxy=forward_proxy.url
            ) as client:
                await client.company.get()

        run(main())
    assert forward_proxy.forwarded == [f"{server.base_url}/companies/info"]


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"])
def test_https_goes_through_a_tunnel_the_proxy_cannot_read(
    forward_proxy: ForwardProxy,
    tls_server: Callable[[Handle], TLSServer],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
) -> None:
    server = tls_server(answer_json(ORDER_PAGE))
    monkeypatch.setenv(variable, forward_proxy.url)
    with CubiCasa("secret-key", base_url=server.url, verify=str(server.ca_file)) as client:
        raw = client.with_raw_response.orders.list()
    assert raw.status_code == 200
    assert forward_proxy.connects == [f"127.0.0.1:{server.port}"]
    assert forward_proxy.forwarded == []
    assert not forward_proxy.saw_api_key


def test_the_tries_deadline_holds_through_the_proxy(
    forward_proxy: ForwardProxy, tls_server: Callable[[Handle], TLSServer]
) -> None:
    def stall(request: BaseHTTPRequestHandler) -> None:
        time.sleep(3)  # the server's side: the client must give up long before

    server = tls_server(stall)
    started = time.monotonic()
    with (
        CubiCasa(
            "k",
            base_url=server.url,
            verify=str(server.ca_file),
            proxy=forward_proxy.url,
            timeout=0.3,
            max_retries=0,
        ) as client,
        pytest.raises(APITimeoutError, match="after 1 try"),
    ):
        client.company.get()
    assert time.monotonic() - started < 2
    assert forward_proxy.connects == [f"127.0.0.1:{server.port}"]


def test_a_proxy_is_refused_beside_an_http_client_and_checked() -> None:
    import httpx

    with pytest.raises(ValueError, match="proxy: set on the http_client"):
        CubiCasa("k", http_client=httpx.Client(), proxy="http://127.0.0.1:1")
    with pytest.raises(TypeError, match="proxy must be a URL"):
        CubiCasa("k", proxy=3128)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="proxy: "):
        CubiCasa("k", proxy="ftp://127.0.0.1:1")
