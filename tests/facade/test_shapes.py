"""Answers of the wrong shape: a required field missing or of the wrong JSON type is a
ResponseValidationError naming the operation and the field, never a model; reprs are quiet."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

import cubicasa
from tests.conftest import order_json
from tests.facade.conftest import Backends, json_response, page, run

ORDER = order_json("o1")
CHANGE_REQUEST = {"id": "cr1", "img_urls": [], "sent_at": 1748455764.1, "text": "fix it"}


def changed(body: dict[str, Any], edit: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    body = copy.deepcopy(body)
    edit(body)
    return body


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({**ORDER, "id": None}, "getOrder: /id is null, expected a string"),
        (
            changed(ORDER, lambda o: o["info"].update(status=42)),
            "getOrder: /info/status is a number, expected a string",
        ),
        (
            changed(ORDER, lambda o: o["info"].pop("status")),
            "getOrder: /info/status is missing",
        ),
        (
            changed(ORDER, lambda o: o["address"].update(city=["New Orleans"])),
            "getOrder: /address/city is an array, expected a string",
        ),
        (
            changed(ORDER, lambda o: o.update(delivery_assets={"listing_floorplans": "none"})),
            "getOrder: /delivery_assets/listing_floorplans is a string, expected an object",
        ),
        ([ORDER], "getOrder: the body is an array, expected an object"),
    ],
)
def test_a_get_order_of_the_wrong_shape_names_the_field(
    backends: Backends, body: Any, reason: str
) -> None:
    client, _ = backends.sync(lambda r: json_response(body))
    with pytest.raises(cubicasa.ResponseValidationError) as caught:
        client.orders.get("o1")
    assert f"({reason})" in str(caught.value)


def test_a_list_item_of_the_wrong_shape_names_its_index(backends: Backends) -> None:
    items = [order_json(f"o{n}") for n in range(5)]
    del items[3]["id"]
    answer = page(items, has_more=False, next_offset=None)
    client, _ = backends.sync(lambda r: json_response(answer))
    with pytest.raises(cubicasa.ResponseValidationError) as caught:
        list(client.orders.list())
    assert "(listOrders: /items/3/id is missing)" in str(caught.value)


def test_other_operations_name_their_fields(backends: Backends) -> None:
    answers = {
        "/change-requests/cr1": {**CHANGE_REQUEST, "text": None},
        "/companies/info": {"profile": {"email": None}},
    }
    client, _ = backends.sync(
        lambda r: json_response(next(v for k, v in answers.items() if r.url.path.endswith(k)))
    )
    with pytest.raises(cubicasa.ResponseValidationError, match=r"getChangeRequest: /text is null"):
        client.orders.change_requests.get("o1", "cr1")
    with pytest.raises(cubicasa.ResponseValidationError, match=r"getCompanyInfo: /profile/name is"):
        client.company.get()


def test_async_answers_are_checked_the_same(backends: Backends) -> None:
    client, _ = backends.async_(lambda r: json_response({**ORDER, "id": None}))

    async def main() -> None:
        async with client:
            with pytest.raises(cubicasa.ResponseValidationError, match=r"getOrder: /id is null"):
                await client.orders.get("o1")

    run(main())


def test_typed_fields_come_through_without_narrowing(backends: Backends) -> None:
    delivered = {**ORDER, "delivery_assets": {"listing_floorplans": {"pdf_urls": ["p.pdf"]}}}
    client, _ = backends.sync(lambda r: json_response(delivered))
    order = client.orders.get("o1")
    city: str = order.address.city
    status: str = order.info.status
    pdfs: list[str] = order.delivery_assets.listing_floorplans.pdf_urls
    assert (city, status, pdfs) == ("Lutherville Timonium", "Ready", ["p.pdf"])
    assert order.delivery_assets.listing_floorplans.png_urls == []


def test_a_repr_shows_what_came_and_unknown_keys_by_name(backends: Backends) -> None:
    body = changed(ORDER, lambda o: o.update(billing={"currency": "EUR"}))
    client, _ = backends.sync(lambda r: json_response(body))
    text = repr(client.orders.get("o1"))
    assert text.startswith("Order(id='o1', info=OrderInfo(status='Ready', ")
    assert text.endswith("additional_keys=['billing'])")
    assert "Unset" not in text
    assert "additional_properties" not in text
    assert "delivery_assets" not in text  # none came: the empty default is not shown
    assert "suite=" not in text  # not in the answer
