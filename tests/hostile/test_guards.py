"""What the client refuses before sending anything, and what it says when it cannot send: bad
keys, foreign origins, bad arguments, a closed client, an unreachable server, logging levels."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

import cubicasa
from cubicasa import AsyncCubiCasa, CubiCasa, CubiCasaError
from tests.hostile import CHANGE_REQUEST, KEY, MODES, call
from tests.hostile.server import answer, serve
from tests.servers import unused_port


@pytest.mark.parametrize(
    "key",
    ["sk-\x00-secret", "sk-\x0b-secret", "sk-\x0c-secret", "sk-é-secret", "sk secret", "sk-\x7f"],
)
@pytest.mark.parametrize("client_class", [CubiCasa, AsyncCubiCasa])
def test_a_key_that_is_not_a_header_value_is_refused_unseen(key: str, client_class: Any) -> None:
    with pytest.raises(CubiCasaError, match="printable ASCII") as caught:
        client_class(api_key=key, base_url="http://127.0.0.1:9/v3")
    assert "secret" not in str(caught.value)
    assert "sk-" not in str(caught.value)


def test_a_key_of_the_wrong_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="api_key"):
        CubiCasa(api_key=b"sk-bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{other}/api/integrate/v3/orders",  # another port
        "https://127.0.0.1:{port}/api/integrate/v3/orders",  # another scheme
        "http://10.0.0.5/api/integrate/v3/orders",  # plain http to a non-loopback host
        "https://evil.test/orders",
    ],
)
@pytest.mark.parametrize("mode", MODES)
def test_request_to_another_origin_is_refused_before_sending(mode: str, target: str) -> None:
    with serve(answer(200, CHANGE_REQUEST)) as server, serve(answer(200, b"{}")) as other:
        url = target.format(port=server.port, other=other.port)
        with pytest.raises(ValueError, match="another origin"):
            call(mode, server.base_url, lambda c: c.request("GET", url))
        assert server.count == 0
        assert other.count == 0


@pytest.mark.parametrize("mode", MODES)
def test_request_to_the_same_origin_or_a_relative_path_is_sent(mode: str) -> None:
    with serve(answer(200, CHANGE_REQUEST)) as server:
        absolute = server.base_url + "/orders/o-1/change-requests/cr-1"
        assert call(mode, server.base_url, lambda c: c.request("GET", absolute)).status_code == 200
        relative = "//elsewhere.test/orders"  # httpx keeps it under the base URL
        call(mode, server.base_url, lambda c: c.request("GET", relative))
        assert [r.headers["host"] for r in server.requests] == [f"127.0.0.1:{server.port}"] * 2


@pytest.mark.parametrize(
    ("options", "error", "named"),
    [
        ({"timeout": "5"}, TypeError, "timeout"),
        ({"timeout": -1}, ValueError, "timeout"),
        ({"timeout": 0}, ValueError, "timeout"),
        ({"timeout": float("nan")}, ValueError, "timeout"),
        ({"timeout": True}, TypeError, "timeout"),
        ({"timeout": httpx.Timeout(5.0, connect=-1)}, ValueError, "timeout (connect)"),
        ({"max_retries": "2"}, TypeError, "max_retries"),
        ({"max_retries": -1}, ValueError, "max_retries"),
        ({"max_retries": 1.5}, TypeError, "max_retries"),
        ({"max_response_bytes": "64"}, TypeError, "max_response_bytes"),
        ({"max_response_bytes": 0}, ValueError, "max_response_bytes"),
        ({"min_download_rate": "fast"}, TypeError, "min_download_rate"),
        ({"min_download_rate": -1}, ValueError, "min_download_rate"),
    ],
)
@pytest.mark.parametrize("client_class", [CubiCasa, AsyncCubiCasa])
def test_bad_settings_fail_at_construction_naming_the_argument(
    client_class: Any, options: dict[str, Any], error: type[Exception], named: str
) -> None:
    with pytest.raises(error, match=named.replace("(", r"\(").replace(")", r"\)")):
        client_class(api_key=KEY, base_url="http://127.0.0.1:9/v3", **options)


def test_bad_per_call_settings_fail_before_sending() -> None:
    with CubiCasa(api_key=KEY, base_url="http://127.0.0.1:9/v3") as client:
        with pytest.raises(TypeError, match="timeout"):
            client.with_options(timeout="5")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="max_response_bytes"):
            client.with_options(max_response_bytes=-5)
        with pytest.raises(ValueError, match="timeout"):
            client.request("GET", "/orders", timeout=-1)


def test_an_empty_base_url_variable_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUBICASA_BASE_URL", "")
    with pytest.raises(CubiCasaError, match="CUBICASA_BASE_URL is set but empty"):
        CubiCasa(api_key=KEY)


@pytest.mark.parametrize("mode", MODES)
def test_a_closed_client_says_so(mode: str, tmp_path: Path) -> None:
    with serve(answer(200, CHANGE_REQUEST)) as server:
        if mode == "sync":
            client = CubiCasa(api_key=KEY, base_url=server.base_url)
            client.close()
            for action in (
                lambda: client.orders.change_requests.get("o-1", "cr-1"),
                lambda: client.request("GET", "/orders"),
                lambda: client.orders.download_combined_pdf("o-1", tmp_path / "plan.pdf"),
                lambda: client.with_options(timeout=5),
            ):
                with pytest.raises(CubiCasaError, match="client is closed"):
                    action()
        else:

            async def main() -> None:
                client = AsyncCubiCasa(api_key=KEY, base_url=server.base_url)
                await client.close()
                with pytest.raises(CubiCasaError, match="client is closed"):
                    await client.orders.change_requests.get("o-1", "cr-1")
                with pytest.raises(CubiCasaError, match="client is closed"):
                    await client.request("GET", "/orders")
                with pytest.raises(CubiCasaError, match="client is closed"):
                    await client.orders.download_combined_pdf("o-1", tmp_path / "plan.pdf")

            asyncio.run(main())
        assert server.count == 0
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mode", MODES)
def test_a_refused_connection_names_method_url_timeout_and_tries(mode: str) -> None:
    base = f"http://127.0.0.1:{unused_port()}/api/integrate/v3"
    with pytest.raises(cubicasa.APIConnectionError) as caught:
        call(mode, base, lambda c: c.orders.change_requests.get("o-1", "cr-1"))
    message = str(caught.value)
    assert f"GET {base}/orders/o-1/change-requests/cr-1" in message
    assert "after 3 tries" in message
    assert "timeout 60 s a try, 5 s to connect" in message
    assert KEY not in message


@pytest.mark.parametrize(("value", "level"), [("debug", logging.DEBUG), ("INFO", logging.INFO)])
def test_cubicasa_log_sets_the_level(
    monkeypatch: pytest.MonkeyPatch, value: str, level: int
) -> None:
    logger = logging.getLogger("cubicasa")
    monkeypatch.setattr(logger, "level", logging.NOTSET)
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setenv("CUBICASA_LOG", value)
    CubiCasa(api_key=KEY, base_url="http://127.0.0.1:9/v3").close()
    assert logger.level == level
    assert len(logger.handlers) == 1


def test_an_unknown_cubicasa_log_value_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    logger = logging.getLogger("cubicasa")
    monkeypatch.setattr(logger, "level", logging.NOTSET)
    monkeypatch.setenv("CUBICASA_LOG", "verbose")
    with pytest.warns(UserWarning, match="CUBICASA_LOG='verbose' is not one of debug, info"):
        CubiCasa(api_key=KEY, base_url="http://127.0.0.1:9/v3").close()
    assert logger.level == logging.NOTSET


def test_info_logs_each_retry(caplog: pytest.LogCaptureFixture) -> None:
    from tests.hostile.server import cut, sequence

    caplog.set_level(logging.INFO, logger="cubicasa")
    script = sequence(cut(200, CHANGE_REQUEST, after=5), answer(200, CHANGE_REQUEST))
    with serve(script) as server:
        call("sync", server.base_url, lambda c: c.orders.change_requests.get("o-1", "cr-1"))
    (record,) = [r for r in caplog.records if r.levelno == logging.INFO]
    assert record.getMessage().startswith("retrying GET http://127.0.0.1")
    assert "RemoteProtocolError" in record.getMessage()


@pytest.mark.slow
def test_the_async_client_fixture_is_closed_after_the_test(tmp_path: Path) -> None:
    (tmp_path / "test_uses_fixture.py").write_text(
        "import asyncio\n"
        "seen = []\n"
        "def test_uses(cubicasa_async_client):\n"
        "    seen.append(cubicasa_async_client)\n"
        "    asyncio.run(cubicasa_async_client.company.get())\n"
        "def test_after():\n"
        "    assert seen[0]._http.is_closed\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert "2 passed" in done.stdout, done.stdout + done.stderr
