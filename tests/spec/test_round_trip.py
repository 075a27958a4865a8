"""`Model.from_dict(body).to_dict() == body`, exactly, for every documented example of the spec
and for every answer the unmodified fake gives (each operation, its errors included): what the
command line prints and what a user writes back is the JSON the API sent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from cubicasa.testing import FakeCubiCasa
from cubicasa.testing._operations import operations as fake_operations
from cubicasa.testing._routing import BASE_PATH
from cubicasa_api import models
from tests.spec.test_spec import operations, resolve

KEY = "round-trip-key"
READY = "312babc6-e742-4d54-ac49-e0f7b16ec15a"
DRAFT = "c8a11daa-86ad-43ad-8ab3-756c741d1db6"
CHANGE = "010338fb-b1d5-4086-96b9-003285aa3340"
OWNER = "linus@computer.com"
MISSING = "00000000-0000-4000-8000-000000000000"
ADDRESS = {"street": "Brightfield Road", "city": "Lutherville Timonium", "country": "US"}

# One or more calls per operation, in an order that leaves the seeded orders in place until the
# calls that delete: (operationId, method, path, body). Every operation must appear.
CALLS: list[tuple[str, str, str, Any]] = [
    ("getCompanyInfo", "GET", "/companies/info", None),
    ("getCompanyPackage", "GET", "/companies/package", None),
    ("updateCompanyWebhooks", "PATCH", "/companies/webhook",
     {"webhook_urls": [], "webhook_triggers": ["moved_to_ready"]}),
    ("sendCompanyMergeRequest", "POST", "/companies/merge-request", {"email": OWNER}),
    ("listOffices", "GET", "/offices", None),
    ("createOffice", "POST", "/offices", {"name": "Branch"}),
    ("listUsers", "GET", "/users", None),
    ("listUsers", "GET", "/users?limit=2&offset=2", None),
    ("createUser", "POST", "/users", {"email": "new@example.com", "role": "User"}),
    ("getUser", "GET", f"/users/{OWNER}", None),
    ("getUser", "GET", "/users/user@example.com", None),
    ("updateUser", "PATCH", f"/users/{OWNER}", {"name": "Linus B."}),
    ("changeUserPassword", "POST", "/users/change-password",
     {"email": "manager@cubicasa.com", "old_password": "manager-pw", "new_password": "n3w-pw"}),
    ("sendPasswordReset", "POST", "/users/reset-password", {"email": OWNER}),
    ("listOrders", "GET", "/orders", None),
    ("listOrders", "GET", "/orders?status=Draft&limit=1", None),
    ("getOrder", "GET", f"/orders/{READY}", None),
    ("getOrder", "GET", f"/orders/{DRAFT}", None),
    ("getOrder", "GET", f"/orders/{MISSING}", None),
    ("upgradeOrder", "POST", f"/orders/{READY}/post-purchase", {"add_ons": ["3d_cad_files"]}),
    ("redeliverOrder", "POST", f"/orders/{READY}/redeliver", {}),
    ("getOrderCombinedPdf", "GET", f"/orders/{READY}/combined-pdf", None),
    ("getOrderCombinedPdf", "GET", f"/orders/{DRAFT}/combined-pdf", None),
    ("createRedrawOrder", "POST", f"/orders/{READY}/redraw", {"info": "walls"}),
    ("listChangeRequests", "GET", f"/orders/{DRAFT}/change-requests", None),
    ("getChangeRequest", "GET", f"/orders/{DRAFT}/change-requests/{CHANGE}", None),
    ("getChangeRequest", "GET", f"/orders/{DRAFT}/change-requests/{MISSING}", None),
    ("createChangeRequest", "POST", f"/orders/{READY}/change-requests", {"text": "move a door"}),
    ("createDraftOrder", "POST", "/orders/draft", {**ADDRESS, "owner_email": OWNER}),
    ("createDraftOrder", "POST", "/orders/draft", {"street": "x"}),
    ("updateDraftOrder", "PATCH", f"/orders/draft/{DRAFT}", {**ADDRESS, "owner_email": OWNER}),
    ("updateDraftOrder", "PATCH", f"/orders/draft/{READY}", {**ADDRESS, "owner_email": OWNER}),
    ("createGoToScanOrder", "POST", "/orders/gotoscan", {**ADDRESS, "owner_email": OWNER}),
    ("deleteDraftOrder", "DELETE", f"/orders/draft/{DRAFT}", None),
    ("deleteCompanyWebhook", "DELETE", "/companies/webhook", None),
    ("deleteUser", "DELETE", f"/users/{MISSING}", None),
    ("deleteUser", "DELETE", "/users/497f6eca-6276-4993-bfeb-53cbbbba6f08", None),
]  # fmt: skip


def _model(schema: dict[str, Any]) -> Any:
    return getattr(models, schema["$ref"].rsplit("/", 1)[-1])


def _spec_examples(spec: dict[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    """(where, model, example) for every example of a JSON body or a schema of the spec."""
    for _, _, op in operations(spec):
        bodies = [("request", op.get("requestBody", {}))]
        bodies += [(code, resolve(spec, r)) for code, r in op["responses"].items()]
        for label, body in bodies:
            media = body.get("content", {}).get("application/json", {})
            for name, example in media.get("examples", {}).items():
                if not example.get("x-truncated"):  # cut off: see test_generated.py
                    where = f"{op['operationId']} {label} {name}"
                    yield where, _model(media["schema"]), example["value"]
    for name, schema in spec["components"]["schemas"].items():
        for index, example in enumerate(schema.get("examples", [])):
            if isinstance(example, dict):  # not the known values of a string
                yield f"{name} example {index}", getattr(models, name), example


def _assert_round_trip(model: Any, body: Any, where: str) -> None:
    encoded = model.from_dict(body).to_dict()
    assert encoded == body, where
    # Exact JSON: no 1 for 1.0, no {} for [], keys neither added nor lost.
    assert json.dumps(encoded, sort_keys=True) == json.dumps(body, sort_keys=True), where


def test_every_documented_example_round_trips(spec: dict[str, Any]) -> None:
    found = list(_spec_examples(spec))
    where = {w.split(" ")[0] for w, _, _ in found}
    # Requests, answers, the captured 400 (a shared response) and the schemas' own examples.
    assert {"createUser", "getChangeRequest", "updateDraftOrder", "Tour"} <= where
    assert any(" 400 " in w for w, _, _ in found)
    for name, model, example in found:
        _assert_round_trip(model, example, name)


def _answer(fake: FakeCubiCasa, method: str, path: str, body: Any, key: str = KEY) -> Any:
    raw = b"" if body is None else json.dumps(body).encode()
    headers = {"api-key": key, "content-type": "application/json"}
    return fake.handle(method, BASE_PATH + path, headers, raw)


def _response_schema(spec: dict[str, Any], operation_id: str, status: int) -> dict[str, Any]:
    op = next(op for _, _, op in operations(spec) if op["operationId"] == operation_id)
    response = resolve(spec, op["responses"].get(str(status), op["responses"]["default"]))
    schema: dict[str, Any] = response["content"]["application/json"]["schema"]
    return schema


def test_every_answer_of_the_fake_round_trips(spec: dict[str, Any]) -> None:
    fake = FakeCubiCasa(KEY)
    statuses: dict[int, int] = {}
    for operation_id, method, path, body in CALLS:
        answer = _answer(fake, method, path, body)
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
        assert answer.status in (200, 400, 404), (operation_id, path, answer.body[:300])
        if answer.headers["Content-Type"] == "application/pdf":
            continue
        where = f"{operation_id} {method} {path} -> {answer.status}"
        model = _model(_response_schema(spec, operation_id, answer.status))
        _assert_round_trip(model, json.loads(answer.body), where)
    # Every route was asked, and the errors the fake gives were seen too.
    assert {c[0] for c in CALLS} == {op.operation_id for op in fake_operations()}
    assert statuses[400] >= 2
    assert statuses[404] >= 3
    refused = _answer(fake, "GET", "/orders", None, key="wrong")
    assert refused.status == 401
    model = _model(_response_schema(spec, "listOrders", 401))
    _assert_round_trip(model, json.loads(refused.body), "listOrders without a key")


@pytest.mark.parametrize(
    "delivery_assets",
    [
        {"listing_floorplans": {}},
        {"listing_floorplans": {"pdf_urls": []}},
        {"listing_floorplans": []},
        {},
        {"listing_floorplans": [], "tour": None},
        {"tour": []},
    ],
)
def test_empty_parts_of_an_order_come_back_as_they_came(delivery_assets: Any) -> None:
    fake = FakeCubiCasa(KEY)
    order = json.loads(_answer(fake, "GET", f"/orders/{DRAFT}", None).body)
    order["delivery_assets"] = delivery_assets
    _assert_round_trip(models.Order, order, repr(delivery_assets))
    # A part that did not come stays out; typed access still finds empty lists.
    del order["delivery_assets"]
    parsed = models.Order.from_dict(order)
    assert parsed.delivery_assets.listing_floorplans.pdf_urls == []
    assert parsed.to_dict() == order
    assert "delivery_assets" not in repr(parsed)


def test_a_repr_shows_the_empty_parts_that_came_and_hides_the_defaults() -> None:
    fake = FakeCubiCasa(KEY)
    draft = json.loads(_answer(fake, "GET", f"/orders/{DRAFT}", None).body)
    parsed = models.Order.from_dict(draft)
    assert "delivery_assets=DeliveryAssets(listing_floorplans=ListingFloorplans())" in repr(parsed)
    floorplans = models.ListingFloorplans.from_dict({"pdf_urls": []})
    assert repr(floorplans) == "ListingFloorplans(pdf_urls=[])"
    assert repr(models.ListingFloorplans.from_dict({})) == "ListingFloorplans()"
