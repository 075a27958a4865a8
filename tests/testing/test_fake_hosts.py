"""`cubicasa fake serve --host`: an IPv6 address is served (`::1`), the URL printed is one a
client can use (`[::1]`, and the loopback for `0.0.0.0` / `::`), and listening beyond the loopback
warns that the fake's well-known key is now exposed."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

import httpx
import pytest

from cubicasa.testing import FakeCubiCasa
from cubicasa.testing.__main__ import _exposed_warning
from cubicasa.testing._fake import DEFAULT_API_KEY
from cubicasa.testing._server import FakeServer


@pytest.mark.parametrize(
    ("host", "url", "exposed"),
    [
        ("127.0.0.1", "http://127.0.0.1:8080", False),
        ("localhost", "http://localhost:8080", False),
        ("::1", "http://[::1]:8080", False),
        ("[::1]", "http://[::1]:8080", False),
        ("0.0.0.0", "http://127.0.0.1:8080", True),  # noqa: S104
        ("::", "http://[::1]:8080", True),
        ("192.168.1.20", "http://192.168.1.20:8080", True),
        ("fake.example", "http://fake.example:8080", True),
    ],
)
def test_the_url_printed_is_usable_and_exposure_is_known(
    host: str, url: str, exposed: bool
) -> None:
    server = FakeServer(FakeCubiCasa(), host=host, port=8080)
    assert server.url == url
    assert server.base_url == url + "/api/integrate/v3"
    assert server.exposed is exposed


def test_an_ipv6_loopback_host_is_served() -> None:
    with FakeCubiCasa().serve(host="::1") as server:
        assert server.base_url.startswith("http://[::1]:")
        with server.client() as client:
            assert len(list(client.users.list())) == 4


def test_the_exposure_warning_names_the_well_known_key() -> None:
    warning = _exposed_warning("0.0.0.0", DEFAULT_API_KEY)  # noqa: S104
    assert "listening on 0.0.0.0" in warning
    assert f"well-known key '{DEFAULT_API_KEY}'" in warning
    own = _exposed_warning("::", "my-own-key")
    assert "my-own-key" not in own
    assert "--api-key" in own


@pytest.mark.slow
def test_fake_serve_on_ipv6_prints_a_url_that_answers() -> None:
    command = [sys.executable, "-m", "cubicasa", "fake", "serve", "--host", "::1", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as p:
        try:
            assert p.stdout is not None
            line = p.stdout.readline()
            base_url = re.search(r"(http://\[::1\]:\d+/api/integrate/v3)", line)
            assert base_url, line
            answer = httpx.get(
                base_url[1] + "/users", headers={"api-key": DEFAULT_API_KEY}, timeout=5
            )
            assert answer.status_code == 200
        finally:
            p.send_signal(signal.SIGTERM)
            _, err = p.communicate(timeout=10)
    assert p.returncode == 0
    assert "warning" not in err  # the loopback exposes nothing
