"""Answers of the wrong shape: a required field missing or of the wrong JSON type still gives a
model; reading that field raises MissingFieldError / FieldTypeError naming the operation and the
field ("strict" conformance refuses the answer instead); reprs are quiet."""

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
    ("body", "read", "error", "reason"),
    [
        (
            {**ORDER, "id": None},
            lambda o: o.id,
            cubicasa.FieldTypeError,
            "getOrder: /id was null in the answer (the spec expects a string)",
        ),
        (
            changed(ORDER, lambda o: o["info"].update(status=42)),
            lambda o: o.info.status,
            cubicasa.FieldTypeError,
            "getOrder: /info/status was a number in the answer (the spec expects a string)",
        ),
        (
            changed(ORDER, lambda o: o["info"].pop("status")),
            lambda o: o.info.status,
            cubicasa.MissingFieldError,
            "getOrder: /info/status was not in the answer (the spec requires it)",
        ),
        (
            changed(ORDER, lambda o: o["address"].update(city=["New Orleans"])),
            lambda o: o.address.city,
            cubicasa.FieldTypeError,
            "getOrder: /address/city was an array in the answer (the spec expects a string)",
        ),
        (
            changed(ORDER, lambda o: o.update(delivery_assets={"listing_floorplans": "none"})),
            lambda o: o.delivery_assets.listing_floorplans,
            cubicasa.FieldTypeError,
            "getOrder: /delivery_assets/listing_floorplans was a string in the answer "
            "(the spec expects an object)",
        ),
        (
            [ORDER],
            lambda o: o.id,
            cubicasa.FieldTypeError,
            "getOrder: the body was an array in the answer (the spec expects an object)",
        ),
    ],
)
def test_a_get_order_of_the_wrong_shape_is_a_model_whose_odd_field_raises(
    backends: Backends, body: Any, read: Callable[[Any], object], error: type, reason: str
) -> None:
    client, _ = backends.sync(lambda r: json_response(body))
    order = client.orders.get("o1")
    with pytest.raises(error) as caught:
        read(order)
    assert str(caught.value) == reason
    assert isinstance(caught.value, cubicasa.CubiCasaError)
    assert order.to_dict() == body  # what came, odd members included
    strict, _ = backends.sync(lambda r: json_response(body), conformance="strict")
    with pytest.raises(cubicasa.ResponseValidationError, match="does not conform"):
        strict.orders.get("o1")


def test_a_missing_field_is_an_attribute_error_so_getattr_gives_the_default(
    backends: Backends,
) -> None:
    body = changed(ORDER, lambda o: o.pop("address"))
    client, _ = backends.sync(lambda r: json_response(body))
    order = client.orders.get("o1")
    assert getattr(order, "address", None) is None
    assert not hasattr(order, "address")
    assert order.info.status == "Ready"  # the rest reads as usual
    with pytest.raises(AttributeError, match="has no attribute 'adress'"):
        order.adress  # type: ignore[attr-defined]  # noqa: B018  # a typo stays a plain one
    assert repr(order).endswith("missing=['address'])")
    assert order == client.orders.get("o1")  # the same answer twice: equal models


def test_a_list_item_of_the_wrong_shape_is_yielded_and_names_its_index(
    backends: Backends,
) -> None:
    items = [order_json(f"o{n}") for n in range(5)]
    del items[3]["id"]
    items[4] = None
    answer = page(items, has_more=False, next_offset=None)
    client, _ = backends.sync(lambda r: json_response(answer))
    walked = list(client.orders.list())
    assert [o.to_dict() for o in walked] == items
    with pytest.raises(cubicasa.MissingFieldError, match=r"^listOrders: /items/3/id was not"):
        walked[3].id  # noqa: B018
    with pytest.raises(cubicasa.FieldTypeError, match=r"^listOrders: /items/4 was null"):
        walked[4].info  # noqa: B018
    assert repr(walked[4]) == "OrderListItem(<null in the answer, expected an object>)"


def test_other_operations_name_their_fields(backends: Backends) -> None:
    answers = {
        "/change-requests/cr1": {**CHANGE_REQUEST, "text": None},
        "/companies/info": {"profile": {"email": None}},
    }
    client, _ = backends.sync(
        lambda r: json_response(next(v for k, v in answers.items() if r.url.path.endswith(k)))
    )
    change_request = client.orders.change_requests.get("o1", "cr1")
    with pytest.raises(cubicasa.FieldTypeError, match=r"^getChangeRequest: /text was null"):
        change_request.text  # noqa: B018
    company = client.company.get()
    with pytest.raises(cubicasa.MissingFieldError, match=r"^getCompanyInfo: /profile/name was"):
        company.profile.name  # noqa: B018


def test_async_answers_are_read_the_same(backends: Backends) -> None:
    client, _ = backends.async_(lambda r: json_response({**ORDER, "id": None}))

    async def main() -> None:
        async with client:
            order = await client.orders.get("o1")
            with pytest.raises(cubicasa.FieldTypeError, match=r"^getOrder: /id was null"):
                order.id  # noqa: B018

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
