"""An ID that would move the request to another operation: `orders.get("..")` would send
`GET /orders` (httpx resolves dot segments), `users.delete("..")` a DELETE to the API root. Every
path parameter of every operation (read from the spec) is tried with hostile values through a
transport that fails when a request leaves its operation; dot segments, and IDs too long for a
URL, are a ValueError naming the argument before anything is sent."""

from __future__ import annotations

import asyncio
import inspect
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from cubicasa import AsyncCubiCasa, CubiCasa
from cubicasa_api.types import MAX_PATH_PARAMETER_CHARS
from tests.facade.conftest import PREFIX
from tests.facade.test_coverage import ARGUMENTS, EXTRA, GENERIC, PDF, _methods, _resources
from tests.spec.test_spec import operations

# Made only of dots and percent-encodings of them (decoded once or twice), or NFKC dots.
DOT_SEGMENTS = [".", "..", "...", "%2e", "%2E%2e", ".%2e", "%252e%252E", "\uff0e\uff0e"]
TOO_LONG = ["x" * (MAX_PATH_PARAMETER_CHARS + 1), "o" * 70_000]
# Odd but harmless: each is sent percent-encoded as one segment of the operation's own path.
SENT_AS_ONE_SEGMENT = [
    "../x",
    "x/..",
    "/",
    "?limit=1",
    "#top",
    "..;",
    "..\\",
    "%2F",
    "a b",
    ". .",
    "\u00e9",
    "x" * MAX_PATH_PARAMETER_CHARS,
]
# The arguments that may be put in a path (users are found by e-mail: `GET /users/{user_id}`).
ID_ARGUMENTS = ("order_id", "change_request_id", "user_id", "email")
NORMAL = {name: ARGUMENTS[name] for name in ID_ARGUMENTS}


def _operations(spec: dict[str, Any]) -> dict[str, tuple[str, re.Pattern[str], list[str]]]:
    """operationId -> (method, the pattern of its path, its path parameters)."""
    table = {}
    for method, path, op in operations(spec):
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(path)) + "$")
        table[op["operationId"]] = (method.upper(), pattern, re.findall(r"\{([^}]+)\}", path))
    return table


def _operation_of(request: httpx.Request, table: dict[str, Any]) -> str | None:
    path = request.url.raw_path.decode("ascii").split("?")[0].removeprefix(PREFIX)
    hits = [
        (len(names), op)
        for op, (method, pattern, names) in table.items()
        if method == request.method and pattern.match(path)
    ]
    return min(hits)[1] if hits else None


def _answer(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/combined-pdf"):
        return httpx.Response(200, content=PDF)
    return httpx.Response(200, json=GENERIC)


def _calls(tmp_path: Path) -> list[tuple[str, str]]:
    """(resource.method, ID argument) for every public method taking an ID."""
    found = []
    with CubiCasa(api_key="k") as client:
        for area, resource in _resources(client).items():
            for name in _methods(resource):
                for argument in inspect.signature(getattr(resource, name)).parameters:
                    if argument in ID_ARGUMENTS:
                        found.append((f"{area}.{name}", argument))
    return found


def _arguments(function: Any, tmp_path: Path, qualified: str, **given: Any) -> dict[str, Any]:
    kwargs = {}
    for name, param in inspect.signature(function).parameters.items():
        if param.default is not inspect.Parameter.empty:
            continue
        kwargs[name] = tmp_path / "plan.pdf" if name == "path" else ARGUMENTS[name]
    return {**kwargs, **EXTRA.get(qualified, {}), **given}


def _call(client: Any, qualified: str, tmp_path: Path, **given: Any) -> Any:
    area, name = qualified.rsplit(".", 1)
    function = getattr(_resources(client)[area], name)
    result = function(**_arguments(function, tmp_path, qualified, **given))
    return list(result) if name == "list" else result


def _path_parameter(
    request: httpx.Request, table: dict[str, Any], operation: str, value: str
) -> str | None:
    """The spec's name of the path parameter of `operation` that holds `value` in `request`."""
    _, pattern, names = table[operation]
    path = request.url.raw_path.decode("ascii").split("?")[0].removeprefix(PREFIX)
    match = pattern.match(path)
    assert match is not None
    found = (n for n, v in zip(names, match.groups(), strict=True) if unquote(v) == value)
    return next(found, None)


def test_every_path_parameter_of_every_operation_stays_in_its_operation(
    spec: dict[str, Any], tmp_path: Path
) -> None:
    table = _operations(spec)
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return _answer(request)

    covered: set[tuple[str, str]] = set()
    http = httpx.Client(transport=httpx.MockTransport(handle))
    with CubiCasa(
        api_key="k", base_url="http://127.0.0.1:9" + PREFIX, http_client=http, conformance="off"
    ) as client:
        for qualified, argument in _calls(tmp_path):
            sent.clear()
            _call(client, qualified, tmp_path)
            (request,) = sent
            operation = _operation_of(request, table)
            assert operation is not None
            # The name of the argument as the operation's path writes it (getOrder: `id`).
            spec_name = _path_parameter(request, table, operation, NORMAL[argument])
            if spec_name is None:  # an e-mail sent in the body
                continue
            covered.add((operation, spec_name))
            for value in DOT_SEGMENTS + TOO_LONG:
                sent.clear()
                with pytest.raises(ValueError, match=rf"^{spec_name} ") as caught:
                    _call(client, qualified, tmp_path, **{argument: value})
                assert sent == [], (qualified, argument, value)
                assert len(str(caught.value)) < 200
            for value in SENT_AS_ONE_SEGMENT:
                sent.clear()
                _call(client, qualified, tmp_path, **{argument: value})
                assert [_operation_of(r, table) for r in sent] == [operation], (qualified, value)
    every = {(op, name) for op, (_, _, names) in table.items() for name in names}
    assert covered == every
    assert len(every) >= 14  # the 14 path parameters of the spec today


def test_the_async_client_refuses_dot_segments_too() -> None:
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return _answer(request)

    async def main() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
        async with AsyncCubiCasa(
            api_key="k", base_url="http://127.0.0.1:9" + PREFIX, http_client=http
        ) as client:
            with pytest.raises(ValueError, match=r"^id must not be made only of dots"):
                await client.orders.get("..")
            with pytest.raises(ValueError, match=r"^user_id "):
                await client.users.delete("%2e")
            with pytest.raises(ValueError, match=r"^order_id is 70,000 characters long"):
                await client.drafts.delete("o" * 70_000)

    asyncio.run(main())
    assert sent == []


def test_a_webhook_events_id_of_dots_cannot_reach_another_operation() -> None:
    """The README's `client.orders.get(event.id)` with an unsigned body's `"id": ".."`."""
    from cubicasa.webhooks import parse_order_status

    sent: list[httpx.Request] = []
    event = parse_order_status(
        '{"id": "..", "current_status": "Ready", "previous_status": "Pending", "model_id": "m",'
        ' "product_type": "products_2d", "delivery_type": "new"}'
    )
    http = httpx.Client(transport=httpx.MockTransport(lambda r: sent.append(r) or _answer(r)))
    with (
        CubiCasa(
            api_key="k", base_url="http://127.0.0.1:9" + PREFIX, http_client=http, conformance="off"
        ) as client,
        pytest.raises(ValueError, match=r"^id must not be made only of dots"),
    ):
        client.orders.get(event.id)
    assert sent == []
