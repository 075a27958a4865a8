"""TLS trust: a server whose CA only the test knows is trusted through `SSL_CERT_FILE`,
`SSL_CERT_DIR`, `verify=PATH` or `verify=SSLContext`, and refused without them, with an error
that names the CA settings to look at (and no retry)."""

from __future__ import annotations

import ssl
from collections.abc import Callable

import pytest

from cubicasa import APIConnectionError, AsyncCubiCasa, CubiCasa, CubiCasaError, _retry
from tests.facade.conftest import run
from tests.infra.conftest import answer_json
from tests.infra.tls import TLSServer
from tests.servers import Handle

COMPANY = {"profile": {"name": "Agency", "email": None}}


@pytest.fixture
def server(tls_server: Callable[[Handle], TLSServer]) -> TLSServer:
    return tls_server(answer_json(COMPANY))


def test_trusted_through_ssl_cert_file(server: TLSServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_file))
    with CubiCasa("k", base_url=server.url) as client:
        assert client.company.get().profile.name == "Agency"


@pytest.mark.slow  # runs openssl to hash the CA's subject
def test_trusted_through_ssl_cert_dir(server: TLSServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_DIR", str(server.ca_dir))
    with CubiCasa("k", base_url=server.url) as client:
        assert client.company.get().profile.name == "Agency"


def test_trusted_through_verify_path_and_context(server: TLSServer) -> None:
    with CubiCasa("k", base_url=server.url, verify=server.ca_file) as client:
        assert client.company.get().profile.name == "Agency"
    context = ssl.create_default_context(cafile=str(server.ca_file))

    async def main() -> str | None:
        async with AsyncCubiCasa("k", base_url=server.url, verify=context) as client:
            return (await client.company.get()).profile.name

    assert run(main()) == "Agency"


def test_refused_without_its_ca_naming_the_settings(
    server: TLSServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(_retry, "sleep", waits.append)
    with (
        CubiCasa("k", base_url=server.url) as client,
        pytest.raises(APIConnectionError) as caught,
    ):
        client.company.get()
    message = str(caught.value)
    assert isinstance(caught.value, CubiCasaError)
    assert "certificate is not trusted" in message
    assert "certifi's CA bundle" in message  # what it trusted
    for setting in ("verify=", "SSL_CERT_FILE", "SSL_CERT_DIR", "truststore"):
        assert setting in message
    assert "after 1 try" in message
    assert waits == []  # the same certificate would be refused again


def test_trust_env_false_ignores_ssl_cert_file(
    server: TLSServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_file))
    with (
        CubiCasa("k", base_url=server.url, trust_env=False, max_retries=0) as client,
        pytest.raises(APIConnectionError, match="certificate is not trusted"),
    ):
        client.company.get()


def test_verify_is_checked_at_construction(tmp_path: object) -> None:
    with pytest.raises(ValueError, match=r"verify='/nonexistent/ca\.pem': cannot read"):
        CubiCasa("k", verify="/nonexistent/ca.pem")
    with pytest.raises(TypeError, match="verify must be"):
        CubiCasa("k", verify=1)  # type: ignore[arg-type]
