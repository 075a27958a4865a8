"""The test servers themselves: the proxy sees what it should (so a test that finds it saw
nothing means something), and the HTTPS server is trusted only through its CA."""

from __future__ import annotations

import ssl
from collections.abc import Callable

import httpx
import pytest

from tests.infra.conftest import answer_json
from tests.infra.proxy import ForwardProxy
from tests.infra.tls import TLSServer
from tests.servers import Handle, LocalServer


def test_proxy_forwards_plain_http_in_absolute_form(forward_proxy: ForwardProxy) -> None:
    with (
        LocalServer(answer_json({"ok": True})) as target,
        httpx.Client(proxy=forward_proxy.url) as client,
    ):
        response = client.get(f"{target.url}/orders?limit=1", headers={"api-key": "k"})
    assert response.json() == {"ok": True}
    assert forward_proxy.forwarded == [f"{target.url}/orders?limit=1"]
    assert forward_proxy.connects == []
    # A key on a plain-http request is in the clear at the proxy: the flag sees it.
    assert forward_proxy.saw_api_key


def test_proxy_tunnels_https_and_never_sees_the_key_inside(
    forward_proxy: ForwardProxy, tls_server: Callable[[Handle], TLSServer]
) -> None:
    server = tls_server(answer_json({"ok": True}))
    context = ssl.create_default_context(cafile=str(server.ca_file))
    with httpx.Client(proxy=forward_proxy.url, verify=context) as client:
        response = client.get(f"{server.url}/orders", headers={"api-key": "k"})
    assert response.json() == {"ok": True}
    assert forward_proxy.connects == [f"127.0.0.1:{server.port}"]
    assert forward_proxy.forwarded == []
    assert not forward_proxy.saw_api_key


def test_tls_server_is_refused_without_its_ca(
    tls_server: Callable[[Handle], TLSServer],
) -> None:
    server = tls_server(answer_json({}))
    with httpx.Client() as client, pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY"):
        client.get(server.url)
