"""Draft orders: create, update, delete."""

from __future__ import annotations

from .._http import Call, FakeResponse, Invalid, Json, json_response, message
from .._store import Handler, Store
from .._validate import failure, read_body


def _draft(store: Store, order_id: str) -> dict[str, Json]:
    order = store.order(order_id)
    status = order["info"]["status"]
    if status != "Draft":
        text = f"order is {status}, not a draft"
        raise Invalid("path_params", [failure(["order_id"], text, "value_error")])
    return order


def create_draft_order(store: Store, call: Call) -> FakeResponse:
    data = read_body(call)
    store.require_user(data["owner_email"])
    order = store.new_order(data, status="Draft")
    if "order_preferences" in data:
        order["order_preferences"] = data["order_preferences"]
    store.notify(order, "New", "products_2d")
    return json_response(200, order)


def update_draft_order(store: Store, call: Call) -> FakeResponse:
    order = _draft(store, call.params["order_id"])
    data = read_body(call)
    store.require_user(data["owner_email"])
    fresh = store.new_order(data, status="Draft", order_id=order["id"])
    fresh["info"]["created_at"] = order["info"]["created_at"]
    if "order_preferences" in data:
        fresh["order_preferences"] = data["order_preferences"]
    return json_response(200, fresh)


def delete_draft_order(store: Store, call: Call) -> FakeResponse:
    order = _draft(store, call.params["order_id"])
    del store.orders[order["id"]]
    store.change_requests.pop(order["id"], None)
    return message(200, "Draft order deleted")


HANDLERS: dict[str, Handler] = {
    "createDraftOrder": create_draft_order,
    "updateDraftOrder": update_draft_order,
    "deleteDraftOrder": delete_draft_order,
}
