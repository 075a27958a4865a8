"""A server that echoes the API key into what an error keeps: a validation error's `loc`, a
request-id header, the reason phrase, a body cut at the quoting limit, a JSON-, HTML- or
URL-escaped copy. The key is in no attribute, message or repr of the error."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

import cubicasa
from tests.hostile import MODES
from tests.hostile.server import Request, head, serve

# A key with the characters escaping changes that a key may hold (URL-escaped: %2B %2F %3D).
KEY = "sk+live/0123456789abcdef="


def call(mode: str, base_url: str, action: Callable[[Any], Any]) -> Any:
    if mode == "sync":
        with cubicasa.CubiCasa(api_key=KEY, base_url=base_url) as client:
            return action(client)
    import asyncio

    async def main() -> Any:
        async with cubicasa.AsyncCubiCasa(api_key=KEY, base_url=base_url) as client:
            return await action(client)

    return asyncio.run(main())


def get(client: Any) -> Any:
    return client.orders.change_requests.get("o-1", "cr-1")


def echoing(
    status: int, make: Callable[[str], tuple[dict[str, Any], bytes]], reason: str = ""
) -> Any:
    """Answers `status` with the headers and body `make(key)` builds from the key it received."""

    def script(conn: Any, request: Request) -> None:
        fields, body = make(request.headers["api-key"])
        fields = {"Content-Type": "application/json", **fields, "Content-Length": len(body)}
        shown = reason.replace("KEY", request.headers["api-key"]) or "Whatever"
        conn.sendall(head(status, fields, shown) + body)

    return script


def unicode_escaped(key: str) -> str:
    return "".join(f"\\u{ord(char):04x}" for char in key)


def entities(key: str, form: str) -> str:
    return "".join(form.format(ord(char)) for char in key)


def loc(key: str) -> tuple[dict[str, Any], bytes]:
    body = {"validation_error": {"body_params": [{"loc": [key, "x"], "msg": f"bad {key}"}]}}
    return {}, json.dumps(body).encode()


ECHOES: dict[str, tuple[int, Any]] = {
    "validation loc": (400, echoing(400, loc)),
    "request id header": (502, echoing(502, lambda k: ({"x-request-id": k}, b"no"))),
    "other header": (502, echoing(502, lambda k: ({"x-echo": k}, b"no"))),
    "reason phrase": (502, echoing(502, lambda k: ({}, b"no"), reason="Bad KEY")),
    "cut at the quoting limit": (
        502,
        echoing(502, lambda k: ({"Content-Type": "text/plain"}, ("x" * 290 + k + " t").encode())),
    ),
    "json escaped": (
        502,
        echoing(502, lambda k: ({}, json.dumps({"h": k.replace("/", "\\/")}).encode())),
    ),
    "html escaped": (
        502,
        echoing(502, lambda k: ({"Content-Type": "text/html"}, html.escape(k).encode())),
    ),
    "url encoded": (
        502,
        echoing(
            502, lambda k: ({"Content-Type": "text/plain"}, ("u=" + quote(k, safe="")).encode())
        ),
    ),
    "url encoded lower case": (
        502,
        echoing(
            502,
            lambda k: ({"Content-Type": "text/plain"}, ("u=" + quote(k, safe="").lower()).encode()),
        ),
    ),
    "every character \\uXXXX-escaped": (
        502,
        echoing(502, lambda k: ({"Content-Type": "text/plain"}, unicode_escaped(k).encode())),
    ),
    "every character \\uXXXX-escaped in JSON": (
        502,
        echoing(502, lambda k: ({}, b'{"echo": "' + unicode_escaped(k).encode() + b'"}')),
    ),
    "html decimal entities": (
        502,
        echoing(502, lambda k: ({"Content-Type": "text/html"}, entities(k, "&#{};").encode())),
    ),
    "html hex entities": (
        502,
        echoing(502, lambda k: ({"Content-Type": "text/html"}, entities(k, "&#x{:x};").encode())),
    ),
    "2xx that is not JSON": (
        200,
        echoing(200, lambda k: ({}, ("{not JSON: " + json.dumps({"echo": k})).encode())),
    ),
}


def everything_public(error: BaseException) -> str:
    """Every public attribute of `error` (and its response, and the request it carries), its
    str, repr and args, as one text."""
    parts: list[Any] = [str(error), repr(error), error.args, getattr(error, "__notes__", None)]
    for name in ("body", "text", "errors", "request_id", "status_code"):
        parts.append(getattr(error, name, None))
    response = getattr(error, "response", None)
    if response is not None:
        parts += [
            response.content,
            response.text,
            list(response.headers.items()),
            response.reason_phrase,
            list(response.request.headers.items()),
        ]
    request = getattr(error, "request", None)
    if request is not None:
        parts.append(list(request.headers.items()))
    # repr doubles backslashes (a `\\u0073`-escaped key would hide); the texts are added as is.
    return repr(parts) + "\n".join(_texts(parts))


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, bytes):
        return [value.decode("latin-1")]
    if isinstance(value, dict):
        return [text for pair in value.items() for text in _texts(list(pair))]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _texts(item)]
    return []


def forms(key: str) -> list[str]:
    escaped = quote(key, safe="")
    return [
        *[key, key[:8], json.dumps(key)[1:-1], html.escape(key), escaped, escaped.lower()],
        *[unicode_escaped(key), entities(key, "&#{};"), entities(key, "&#x{:x};")],
    ]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("echo", list(ECHOES))
def test_an_echoed_key_is_in_no_public_attribute_of_the_error(mode: str, echo: str) -> None:
    _, script = ECHOES[echo]
    with serve(script) as server:
        with pytest.raises(cubicasa.CubiCasaError) as caught:
            call(mode, server.base_url, get)
        assert server.requests[0].headers["api-key"] == KEY  # the key was sent, and echoed
    shown = everything_public(caught.value)
    for form in forms(KEY):
        assert form not in shown, (form, shown[:2000])
    assert "***" in shown


@pytest.mark.parametrize("mode", MODES)
def test_the_scrubbed_error_still_says_what_went_wrong(mode: str) -> None:
    with (
        serve(ECHOES["validation loc"][1]) as server,
        pytest.raises(cubicasa.BadRequestError) as caught,
    ):
        call(mode, server.base_url, get)
    assert caught.value.errors == [("body.***.x", "bad ***")]
    assert caught.value.status_code == 400
    with (
        serve(ECHOES["request id header"][1]) as server,
        pytest.raises(cubicasa.InternalServerError) as caught_502,
    ):
        call(mode, server.base_url, get)
    assert caught_502.value.request_id == "***"


@pytest.mark.parametrize(
    "key", ['sk"quote', "sk\\slash", "sk<tag>", "sk&amp", "sk%41", "sk'x", "sk`x"]
)
def test_a_key_whose_escaped_forms_cannot_all_be_listed_is_refused_unseen(key: str) -> None:
    with pytest.raises(cubicasa.CubiCasaError, match="must not contain") as caught:
        cubicasa.CubiCasa(api_key=key)
    assert key not in str(caught.value)
