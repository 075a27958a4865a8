"""The running client's fast path finds what the full check finds, and what the checker keeps
stays bounded whatever a server sends."""

from __future__ import annotations

import copy
import itertools
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from cubicasa import CubiCasa
from cubicasa.conformance import _mode as _conformance
from cubicasa.conformance._checks import SHAPES
from cubicasa.conformance._spec import Checker, checker
from cubicasa.testing import FakeCubiCasa

ORDER = "312babc6-e742-4d54-ac49-e0f7b16ec15a"  # a seeded order of the fake


@pytest.fixture(autouse=True)
def fresh_process_log() -> Iterator[None]:
    _conformance._logged.clear()
    yield
    _conformance._logged.clear()


def _raw(path: str, **params: Any) -> Any:
    fake = FakeCubiCasa(seed=True)
    for n in range(30):
        fake.add_order(external_id=f"x-{n}", order_id=f"order-{n:03d}")
    with httpx.Client(transport=fake.transport, base_url=fake.base_url) as http:
        answer = http.get(path, params=params, headers={"api-key": fake.api_key})
    answer.raise_for_status()
    return answer.json()


def _spec_data() -> dict[str, Any]:
    from importlib.resources import files

    text = files("cubicasa_api").joinpath("conformance.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _distinct(fast: bool, page: Any, check: Checker) -> set[tuple[str, str]]:
    """(kind, location) of listOrders' findings; `fast` as a client checks, else the full walk
    the probe makes (which never takes the fast path)."""
    result = check.check(
        "listOrders", 200, "application/json", page, parsed=True, keep_values=not fast
    )
    return {(f.kind, f.location) for f in result.findings}


def _set(path: str, value: Any) -> Callable[[Any], None]:
    *parents, last = path.split("/")

    def apply(item: Any) -> None:
        for part in parents:
            item = item[part]
        item[last] = value

    return apply


def _drop(path: str) -> Callable[[Any], None]:
    *parents, last = path.split("/")

    def apply(item: Any) -> None:
        for part in parents:
            item = item[part]
        del item[last]

    return apply


DEVIATIONS = {
    "wrong_type:/items/*/info/created_at": _set("info/created_at", "yesterday"),
    "wrong_type:/items/*/info/status": _set("info/status", 7),
    "wrong_type:/items/*/address": _set("address", ["a list"]),
    "wrong_type:/items/*/info/product/add_ons/*": _set("info/product/add_ons", ["gla", 3]),
    "wrong_type:/items/*/info/product/over_limits": _set("info/product/over_limits", {}),
    "wrong_type:/items/*/address/street": _set("address/street", None),
    "unknown_field:/items/*/address/unit": _set("address/unit", "4B"),
    "unknown_field:/items/*/rush": _set("rush", True),
    "missing_required:/items/*/info/created_by": _drop("info/created_by"),
    "missing_required:/items/*/id": _drop("id"),
}


@pytest.mark.parametrize("position", [0, 17, -1])
@pytest.mark.parametrize("expected", list(DEVIATIONS))
def test_the_fast_path_misses_no_finding_on_any_item(expected: str, position: int) -> None:
    check = checker()
    clean = _raw("/orders", limit=30)
    assert _distinct(True, clean, check) == set()  # and the clean shapes are now remembered
    assert _distinct(True, clean, check) == set()
    page = copy.deepcopy(clean)
    DEVIATIONS[expected](page["items"][position])
    kind, location = expected.split(":")
    full = _distinct(False, page, check)
    assert (kind, location) in full
    assert _distinct(True, page, check) == full
    assert _distinct(True, clean, check) == set()  # a deviation leaves no false finding behind


def test_an_item_of_a_new_shape_is_checked_in_full() -> None:
    check = checker()
    page = _raw("/orders", limit=30)
    _distinct(True, page, check)
    item = page["items"][5]
    item["address"] = dict(reversed(list(item["address"].items())))  # same keys, another order
    item["address"]["city"] = 12
    assert _distinct(True, page, check) == {("wrong_type", "/items/*/address/city")}


def _client_with(answer: Callable[[int], Any]) -> CubiCasa:
    fake = FakeCubiCasa()
    calls = itertools.count()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answer(next(calls)))

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return CubiCasa(api_key=fake.api_key, base_url=fake.base_url, http_client=http)


def test_endless_new_field_names_keep_a_bounded_number_of_findings_and_log_lines(
    caplog: pytest.LogCaptureFixture,
) -> None:
    order = _raw(f"/orders/{ORDER}")
    per_answer = 150
    answers = 2 * _conformance.MAX_FINDINGS // per_answer + 1

    def hostile(call: int) -> Any:
        body = copy.deepcopy(order)
        body["info"].update({f"field_{call}_{n}": n for n in range(per_answer)})
        return body

    caplog.set_level(logging.WARNING, logger="cubicasa.conformance")
    with _client_with(hostile) as client:
        for _ in range(answers):
            assert client.orders.get(ORDER).id == ORDER
        findings = client.conformance
    assert answers * per_answer > 2 * _conformance.MAX_FINDINGS
    assert len(findings) == _conformance.MAX_FINDINGS
    assert {f.kind for f in findings} == {"unknown_field"}
    lines = [r.getMessage() for r in caplog.records if r.name == "cubicasa.conformance"]
    assert len(lines) == _conformance.MAX_LOGGED + 1
    assert "further ones are not logged" in lines[-1]
    assert len(_conformance._logged) == _conformance.MAX_LOGGED
    remembered = {at: len(shapes) for at, shapes in checker()._compiler.shapes}
    assert remembered["/components/schemas/OrderInfo"] <= 1  # no shape with unknown fields


def test_clean_shapes_remembered_stop_at_the_cap_and_later_ones_are_still_checked() -> None:
    check = Checker(_spec_data())  # a checker of its own: nothing remembered yet
    order = _raw(f"/orders/{ORDER}")
    keys = list(order["address"])
    orders = itertools.permutations(keys)
    for _ in range(SHAPES + 50):
        body = copy.deepcopy(order)
        body["address"] = {key: order["address"][key] for key in next(orders)}
        assert check.check("getOrder", 200, "application/json", body, parsed=True).findings == []
    remembered = {at: len(shapes) for at, shapes in check._compiler.shapes}
    assert remembered["/components/schemas/OrderAddress"] == SHAPES
    body = copy.deepcopy(order)
    body["address"] = {key: order["address"][key] for key in next(orders)}
    body["address"]["country"] = None
    found = check.check("getOrder", 200, "application/json", body, parsed=True).findings
    assert [(f.kind, f.where) for f in found] == [("wrong_type", "/address/country")]
