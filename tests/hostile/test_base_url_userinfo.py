"""A password in the base URL: never used (the key is the only credential), so refused when the
client is made, by the library, the command line and the probe, without showing it."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import httpx
import pytest

from cubicasa import AsyncCubiCasa, CubiCasa, CubiCasaError
from cubicasa.cli import main
from cubicasa.probe import ProbeError, run_probe
from tests.hostile import KEY

PASSWORD = "hunter2-pw"
URLS = [
    f"https://admin:{PASSWORD}@app.cubi.casa/api/integrate/v3",
    f"http://admin:{PASSWORD}@127.0.0.1:9/api/integrate/v3",
    f"https://{PASSWORD}@app.cubi.casa/api/integrate/v3",  # a user name alone
    f"  https://admin:{PASSWORD}@app.cubi.casa/",
    f"https://admin:{PASSWORD}@bad host/",  # unparsable too: still not echoed
]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("client_class", [CubiCasa, AsyncCubiCasa])
def test_user_info_in_base_url_is_refused_without_showing_it(url: str, client_class: Any) -> None:
    with pytest.raises(CubiCasaError, match="base_url must not hold a user name or password") as e:
        client_class(api_key=KEY, base_url=url)
    assert PASSWORD not in str(e.value)
    assert PASSWORD not in repr(e.value.args)


def test_an_httpx_url_with_user_info_is_refused_too() -> None:
    with pytest.raises(CubiCasaError, match="base_url") as caught:
        CubiCasa(api_key=KEY, base_url=httpx.URL(URLS[0]))
    assert PASSWORD not in str(caught.value)


def test_user_info_from_the_environment_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUBICASA_BASE_URL", URLS[0])
    with pytest.raises(CubiCasaError, match="CUBICASA_BASE_URL") as caught:
        CubiCasa(api_key=KEY)
    assert PASSWORD not in str(caught.value)


def test_an_at_sign_in_the_path_is_not_user_info() -> None:
    client = CubiCasa(api_key=KEY, base_url="https://app.cubi.casa/api/integrate/v3/@team")
    assert "@team" in repr(client)
    client.close()


def test_the_command_line_and_the_probe_refuse_it_unshown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUBICASA_API_KEY", KEY)
    monkeypatch.delenv("CUBICASA_BASE_URL", raising=False)
    for args in (["--base-url", URLS[0], "orders", "get", "o-1"], ["--base-url", URLS[0], "probe"]):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(args)
        assert code != 0, args
        assert "base_url must not hold" in err.getvalue(), args
        assert PASSWORD not in out.getvalue() + err.getvalue(), args
    with pytest.raises(ProbeError, match="base_url") as caught:
        run_probe(api_key=KEY, base_url=URLS[0])
    assert PASSWORD not in str(caught.value)
