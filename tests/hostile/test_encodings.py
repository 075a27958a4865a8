"""Charsets Python cannot decode text with, and Content-Encodings that do not decode: each is a
typed error of the response (the status error for 4xx/5xx, status kept; ResponseValidationError
for 2xx), never a bare TypeError/AssertionError, never a connection error, never retried as one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import cubicasa
from tests.hostile import MODES, assert_backed_off, call
from tests.hostile.server import answer, not_gzip, serve


def get_change_request(client: Any) -> Any:
    return client.orders.change_requests.get("o-1", "cr-1")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("charset", ["rot13", "hex", "zlib", "no-such-charset"])
@pytest.mark.parametrize(
    ("status", "error", "tries"),
    [
        (200, cubicasa.ResponseValidationError, 1),
        (404, cubicasa.NotFoundError, 1),
        (502, cubicasa.InternalServerError, 3),
    ],
)
def test_a_charset_python_cannot_decode_text_with_is_a_typed_error(
    mode: str, charset: str, status: int, error: type[Exception], tries: int, waits: list[float]
) -> None:
    body = b'{"id": 5}' if status == 200 else b"<html>oops</html>"
    with serve(answer(status, body, Content_Type=f"text/html; charset={charset}")) as server:
        with pytest.raises(error) as caught:
            call(mode, server.base_url, get_change_request)
        assert server.count == tries
    assert_backed_off(waits, tries)
    if status != 200:
        assert caught.value.status_code == status  # type: ignore[attr-defined]
        assert "oops" in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "action",
    [
        lambda c: c.orders.get_combined_pdf("o-1"),
        lambda c: c.request("GET", "/orders/o-1"),
    ],
    ids=["get_combined_pdf", "request"],
)
def test_a_bad_charset_on_an_error_keeps_its_status_on_every_path(mode: str, action: Any) -> None:
    with (
        serve(answer(404, b"<h1>no</h1>", Content_Type="text/html; charset=rot13")) as server,
        pytest.raises(cubicasa.NotFoundError, match="<h1>no</h1>"),
    ):
        call(mode, server.base_url, action)


@pytest.mark.parametrize("mode", MODES)
def test_a_bad_charset_on_a_download_error_keeps_its_status(mode: str, tmp_path: Path) -> None:
    target = tmp_path / "plan.pdf"
    with (
        serve(answer(404, b"<h1>no</h1>", Content_Type="text/html; charset=hex")) as server,
        pytest.raises(cubicasa.NotFoundError),
    ):
        call(mode, server.base_url, lambda c: c.orders.download_combined_pdf("o-1", target))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mode", MODES)
def test_a_2xx_whose_content_encoding_does_not_decode_is_a_response_validation_error(
    mode: str,
) -> None:
    with serve(not_gzip(200)) as server:
        with pytest.raises(cubicasa.ResponseValidationError, match="does not decode") as caught:
            call(mode, server.base_url, get_change_request)
        assert server.count == 1  # not a connection failure: not retried
    assert not isinstance(caught.value, cubicasa.APIConnectionError)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("status", "error", "tries"),
    [(404, cubicasa.NotFoundError, 1), (502, cubicasa.InternalServerError, 3)],
)
def test_an_error_whose_content_encoding_does_not_decode_keeps_its_status(
    mode: str, status: int, error: type[Exception], tries: int
) -> None:
    with serve(not_gzip(status)) as server:
        with pytest.raises(error, match="the body does not decode") as caught:
            call(mode, server.base_url, get_change_request)
        assert server.count == tries  # the status decides, as for any 502
    assert caught.value.status_code == status  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", MODES)
def test_a_download_whose_content_encoding_does_not_decode_is_typed_and_leaves_no_file(
    mode: str, tmp_path: Path
) -> None:
    target = tmp_path / "plan.pdf"
    with serve(not_gzip(200, "application/pdf")) as server:
        with pytest.raises(cubicasa.ResponseValidationError, match="does not decode"):
            call(mode, server.base_url, lambda c: c.orders.download_combined_pdf("o-1", target))
        assert server.count == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mode", MODES)
def test_a_list_with_a_bad_charset_is_a_typed_error(mode: str) -> None:
    with serve(answer(404, b"<h1>no</h1>", Content_Type="text/html; charset=rot13")) as server:
        if mode == "sync":
            with pytest.raises(cubicasa.NotFoundError):
                call(mode, server.base_url, lambda c: list(c.orders.list()))
        else:

            async def walk(client: Any) -> list[Any]:
                return [order async for order in client.orders.list()]

            with pytest.raises(cubicasa.NotFoundError):
                call(mode, server.base_url, walk)


def test_a_good_charset_still_decodes() -> None:
    body = '{"message": "d\u00e9j\u00e0 vu"}'.encode("latin-1")
    with (
        serve(answer(404, body, Content_Type="application/json; charset=latin-1")) as server,
        pytest.raises(cubicasa.NotFoundError) as caught,
    ):
        call("sync", server.base_url, get_change_request)
    assert caught.value.body == {"message": "d\u00e9j\u00e0 vu"}
