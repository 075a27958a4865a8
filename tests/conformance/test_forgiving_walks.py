"""Forgiving by default: orders whose answer lacks `address` or `info`, or sends
`info.created_at` as a string, never stop a walk (sync or async, serial or concurrent) in the
`log` and `off` modes; reading the odd field raises the typed error naming the operation and the
field's place; `to_dict()` gives back what came. `strict` refuses the first odd page."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cubicasa import (
    CubiCasaError,
    FieldTypeError,
    MissingFieldError,
    ResponseValidationError,
)
from cubicasa.conformance import _mode as _conformance
from cubicasa.testing import FakeCubiCasa
from cubicasa_api.models import OrderListItem

PAGE_SIZE = 5
ORDERS = 23  # five pages, the last one short
ODD = ("order-16", "order-07")  # newest first: the 7th and 16th items, on pages 2 and 4


def _drop_address(order: dict[str, Any]) -> None:
    del order["address"]


def _drop_info(order: dict[str, Any]) -> None:
    del order["info"]


def _created_at_as_text(order: dict[str, Any]) -> None:
    order["info"]["created_at"] = "2024-05-20T12:00:00Z"


# name -> (how the odd orders are changed, the finding's kind and place, how the field is read,
# the error reading it raises, the field's place inside an item, what the message says)
DEVIATIONS: dict[
    str, tuple[Callable[[dict[str, Any]], None], str, Callable[[Any], object], type, str, str]
] = {
    "address missing": (
        _drop_address,
        "missing_required",
        lambda order: order.address.city,
        MissingFieldError,
        "address",
        "was not in the answer (the spec requires it)",
    ),
    "info missing": (
        _drop_info,
        "missing_required",
        lambda order: order.info.status,
        MissingFieldError,
        "info",
        "was not in the answer (the spec requires it)",
    ),
    "created_at a string": (
        _created_at_as_text,
        "wrong_type",
        lambda order: order.info.created_at,
        FieldTypeError,
        "info/created_at",
        "was a string in the answer (the spec expects a number)",
    ),
}


@pytest.fixture(autouse=True)
def fresh_process_log() -> Iterator[None]:
    """ "One line per distinct deviation per process" is per test here."""
    _conformance._logged.clear()
    yield
    _conformance._logged.clear()


def _fake(deviation: str) -> tuple[FakeCubiCasa, list[dict[str, Any]]]:
    """A fake whose orders `ODD` deviate; and the JSON of every order, newest first."""
    fake = FakeCubiCasa(seed=False)
    orders = [fake.add_order(order_id=f"order-{n:02d}") for n in range(ORDERS)]
    change = DEVIATIONS[deviation][0]
    for order in orders:
        if order["id"] in ODD:
            change(order)
    with fake.client(conformance="off") as client:
        served = [o.to_dict() for o in client.orders.list(page_size=PAGE_SIZE)]
    return fake, served


def _walk(fake: FakeCubiCasa, mode: str, twin: str, concurrency: int) -> list[Any]:
    if twin == "sync":
        with fake.client(conformance=mode) as client:
            return list(client.orders.list(page_size=PAGE_SIZE, concurrency=concurrency))

    async def main() -> list[Any]:
        async with fake.async_client(conformance=mode) as client:
            pager = client.orders.list(page_size=PAGE_SIZE, concurrency=concurrency)
            return [order async for order in pager]

    return asyncio.run(main())


WALKS = [
    pytest.param(mode, twin, concurrency, id=f"{mode}-{twin}-concurrency{concurrency}")
    for mode in ("log", "off")
    for twin in ("sync", "async")
    for concurrency in (1, 8)
]


@pytest.mark.parametrize("deviation", list(DEVIATIONS))
@pytest.mark.parametrize(("mode", "twin", "concurrency"), WALKS)
def test_every_walk_yields_every_item_in_order(
    deviation: str, mode: str, twin: str, concurrency: int, caplog: pytest.LogCaptureFixture
) -> None:
    fake, served = _fake(deviation)
    _, kind, read, error, field, says = DEVIATIONS[deviation]
    caplog.set_level(logging.INFO, logger="cubicasa.conformance")

    walked = _walk(fake, mode, twin, concurrency)

    assert [o.to_dict() for o in walked] == served  # every item, in order, exactly as it came
    assert len(walked) == ORDERS
    for position, order in enumerate(walked):
        if order.id in ODD:
            with pytest.raises(error) as caught:
                read(order)
            pointer = f"/items/{position % PAGE_SIZE}/{field}"
            assert str(caught.value) == f"listOrders: {pointer} {says}"
            assert isinstance(caught.value, CubiCasaError)
            assert caught.value.pointer == pointer  # type: ignore[attr-defined]
            assert isinstance(order, OrderListItem)
        else:
            read(order)  # the others read as usual
            assert type(order) is OrderListItem  # their own class: attribute reads stay fast
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    if mode == "log":  # two odd orders, one deviation: one line
        assert len(warnings) == 1
        assert f"listOrders: {kind} at /items/" in warnings[0].getMessage()
    else:
        assert warnings == []


@pytest.mark.parametrize("deviation", list(DEVIATIONS))
@pytest.mark.parametrize("concurrency", [1, 8])
def test_strict_raises_at_the_first_odd_page(deviation: str, concurrency: int) -> None:
    fake, served = _fake(deviation)
    first_odd_page = next(i for i, o in enumerate(served) if o["id"] in ODD) // PAGE_SIZE
    before = [o["id"] for o in served[: first_odd_page * PAGE_SIZE]]
    yielded: list[str] = []

    def walk() -> None:
        for order in client.orders.list(page_size=PAGE_SIZE, concurrency=concurrency):
            yielded.append(order.id)

    with (
        fake.client(conformance="strict") as client,
        pytest.raises(ResponseValidationError, match="listOrders") as caught,
    ):
        walk()
    assert yielded == before
    assert DEVIATIONS[deviation][1] in str(caught.value)


def test_a_missing_required_field_reads_as_a_default_with_getattr() -> None:
    fake, served = _fake("address missing")
    with fake.client() as client:
        cities = [
            getattr(order, "address", None) and order.address.city
            for order in client.orders.list(page_size=PAGE_SIZE)
        ]
    assert [c is None for c in cities] == [o["id"] in ODD for o in served]


def test_to_dict_of_a_deviant_order_is_exact_and_edits_show() -> None:
    fake, served = _fake("created_at a string")
    with fake.client() as client:
        odd = next(o for o in client.orders.list(page_size=PAGE_SIZE) if o.id in ODD)
    came = next(o for o in served if o["id"] == odd.id)
    assert odd.to_dict() == came
    assert odd.to_dict()["info"]["created_at"] == "2024-05-20T12:00:00Z"
    odd.info.status = "Fixing"  # the fields that came right stay writable
    assert odd.to_dict() == {**came, "info": {**came["info"], "status": "Fixing"}}
    assert "wrong_type=['created_at']" in repr(odd.info)
