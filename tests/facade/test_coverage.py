"""Every operation in the spec has its facade method, sync and async: read from the spec, and
shown by calling every public method and seeing which operation each request lands on."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from cubicasa import AsyncCubiCasa, CubiCasa, Pager
from tests.conftest import order_json
from tests.facade.conftest import PREFIX, run
from tests.spec.test_spec import operations

ARGUMENTS: dict[str, Any] = {
    "order_id": "o1",
    "change_request_id": "cr1",
    "email": "a@b.test",
    "user_id": "u1",
    "text": "fix the kitchen",
    "urls": ["https://hooks.test/cubicasa"],
    "triggers": ["moved_to_ready"],
    "street": "615 Bourbon St",
    "city": "New Orleans",
    "country": "United States",
    "owner_email": "a@b.test",
    "role": "User",
    "name": "Main office",
    "old_password": "old",
    "new_password": "new",
}
# Methods whose every argument is optional but that need one to do anything.
EXTRA = {"users.update": {"name": "Linus"}}
# One body that fits every response model (their required fields together).
GENERIC = {
    **order_json("x"),
    "email": "a@b.test",
    "message": "ok",
    "name": None,
    "surname": None,
    "role": "User",
    "email_confirmed": True,
    "created_at": 1748553783.0,
    "img_urls": [],
    "sent_at": 1748455764.159082,
    "text": "fix request text",
    "profile": {"name": "Agency", "email": None},
    "webhook_urls": [],
    "webhook_triggers": [],
    "pagination": {"has_more": False, "next_offset": None},
    "items": [],
}
PDF = b"%PDF-1.4\n%%EOF\n"


def _resources(client: Any) -> dict[str, Any]:
    names = ["orders", "drafts", "gotoscan", "users", "offices", "company", "webhooks"]
    found = {name: getattr(client, name) for name in names}
    found["orders.change_requests"] = client.orders.change_requests
    return found


def _methods(resource: Any) -> list[str]:
    return sorted(
        name
        for name, member in inspect.getmembers(type(resource), inspect.isfunction)
        if not name.startswith("_")
    )


def _matcher(spec: dict[str, Any]) -> Any:
    table = []
    for method, path, op in operations(spec):
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"
        table.append((method.upper(), re.compile(pattern), path.count("{"), op["operationId"]))

    def match(request: httpx.Request) -> str:
        path = request.url.path.removeprefix(PREFIX)
        hits = [t for t in table if t[0] == request.method and t[1].match(path)]
        assert hits, f"{request.method} {path} is not an operation of the spec"
        return min(hits, key=lambda t: t[2])[3]

    return match


def _handler(seen: list[httpx.Request]) -> Any:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/combined-pdf"):
            return httpx.Response(200, content=PDF)
        return httpx.Response(200, json=GENERIC)

    return handle


def _arguments(qualified: str, function: Any, tmp_path: Path) -> dict[str, Any]:
    kwargs = {}
    for name, param in inspect.signature(function).parameters.items():
        if name == "self" or param.default is not inspect.Parameter.empty:
            continue
        kwargs[name] = tmp_path / "plan.pdf" if name == "path" else ARGUMENTS[name]
    return {**kwargs, **EXTRA.get(qualified, {})}


def test_every_operation_has_exactly_one_sync_method(spec: dict[str, Any], tmp_path: Path) -> None:
    match = _matcher(spec)
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(_handler(seen))
    hits: dict[str, set[str]] = {}
    with CubiCasa(
        api_key="k",
        base_url="http://127.0.0.1:9" + PREFIX,
        http_client=httpx.Client(transport=transport),
    ) as client:
        for area, resource in _resources(client).items():
            for name in _methods(resource):
                qualified = f"{area}.{name}"
                function = getattr(resource, name)
                seen.clear()
                result = function(**_arguments(qualified, function, tmp_path))
                if name == "list":
                    list(result)
                hits[qualified] = {match(r) for r in seen}
    _check(spec, hits)


def test_every_operation_has_exactly_one_async_method(spec: dict[str, Any], tmp_path: Path) -> None:
    match = _matcher(spec)
    seen: list[httpx.Request] = []
    hits: dict[str, set[str]] = {}

    async def main() -> None:
        transport = httpx.MockTransport(_handler(seen))
        async with AsyncCubiCasa(
            api_key="k",
            base_url="http://127.0.0.1:9" + PREFIX,
            http_client=httpx.AsyncClient(transport=transport),
        ) as client:
            for area, resource in _resources(client).items():
                for name in _methods(resource):
                    qualified = f"{area}.{name}"
                    function = getattr(resource, name)
                    seen.clear()
                    result = function(**_arguments(qualified, function, tmp_path))
                    if name == "list":
                        _ = [item async for item in result]
                    else:
                        await result
                    hits[qualified] = {match(r) for r in seen}

    run(main())
    _check(spec, hits)


def test_sync_and_async_resources_have_the_same_methods_and_signatures() -> None:
    sync = CubiCasa(api_key="k")
    asynchronous = AsyncCubiCasa(api_key="k")
    for (area, left), (_, right) in zip(
        _resources(sync).items(), _resources(asynchronous).items(), strict=True
    ):
        assert _methods(left) == _methods(right), area
        for name in _methods(left):
            where = f"{area}.{name}"
            a = inspect.signature(getattr(left, name))
            b = inspect.signature(getattr(right, name))
            # Same parameters: names, order, kinds, defaults and types.
            assert [_shape(p) for p in a.parameters.values()] == [
                _shape(p) for p in b.parameters.values()
            ], where
            # Same answer: the async twin's pager is an AsyncPager, anything else is awaited.
            returned = str(b.return_annotation).replace("AsyncPager[", "Pager[")
            assert str(a.return_annotation) == returned, where
            pager = str(a.return_annotation).startswith("Pager[")
            assert not inspect.iscoroutinefunction(getattr(left, name)), where
            assert inspect.iscoroutinefunction(getattr(right, name)) is not pager, where
    sync.close()


def _shape(parameter: inspect.Parameter) -> tuple[str, Any, Any, str]:
    return (parameter.name, parameter.kind, parameter.default, str(parameter.annotation))


def _check(spec: dict[str, Any], hits: dict[str, set[str]]) -> None:
    for method, ops in hits.items():
        assert len(ops) == 1, f"{method} reached {sorted(ops) or 'no operation'}"
    by_operation: dict[str, list[str]] = {}
    for method, ops in hits.items():
        by_operation.setdefault(next(iter(ops)), []).append(method)
    every = {op["operationId"] for _, _, op in operations(spec)}
    assert set(by_operation) == every
    doubled = {op: sorted(ms) for op, ms in by_operation.items() if len(ms) > 1}
    # The PDF has two ways in by design: bytes in memory, or streamed to a file.
    assert doubled == {
        "getOrderCombinedPdf": ["orders.download_combined_pdf", "orders.get_combined_pdf"]
    }


@pytest.mark.parametrize("area", ["orders", "users", "offices", "orders.change_requests"])
def test_list_methods_return_pagers_without_fetching(area: str) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be fetched before iteration")

    client = CubiCasa(api_key="k", http_client=httpx.Client(transport=httpx.MockTransport(fail)))
    resource = _resources(client)[area]
    args = ["o1"] if area == "orders.change_requests" else []
    pager = resource.list(*args)
    assert isinstance(pager, Pager)
    # It says what it walks and that it has fetched nothing yet.
    assert repr(pager).startswith(f"Pager({area}.list(")
    assert repr(pager).endswith(": not started)")
    client.close()
