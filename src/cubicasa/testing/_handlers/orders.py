"""Orders: list, get, upgrade, redeliver, redraw and the combined PDF."""

from __future__ import annotations

from .._http import Call, FakeResponse, Invalid, Json, Missing, json_response
from .._paging import page
from .._pdf import pdf_document
from .._store import Handler, Store
from .._validate import failure, read_body


def _list_item(order: dict[str, Json]) -> dict[str, Json]:
    """An order as the list shows it: without `delivery_assets`, which a third-party integration
    found missing from live list items (it reads them with getOrder instead)."""
    return {key: value for key, value in order.items() if key != "delivery_assets"}


def list_orders(store: Store, call: Call) -> FakeResponse:
    wanted = {v for k, v in call.query if k == "status"}
    items = [
        o for o in reversed(store.orders.values()) if not wanted or o["info"]["status"] in wanted
    ]
    return page(call, items, docs_offsets=store.docs_offsets, view=_list_item)


def get_order(store: Store, call: Call) -> FakeResponse:
    return json_response(200, store.order(call.params["id"]))


def upgrade_order(store: Store, call: Call) -> FakeResponse:
    order = store.order(call.params["order_id"])
    data = read_body(call)
    product = order["info"]["product"]
    wanted = data.get("add_ons") or []
    refused = [a for a in wanted if a not in product["purchasable_add_ons"] + product["add_ons"]]
    if refused:
        text = f"add-on(s) not purchasable: {', '.join(refused)}"
        raise Invalid("body_params", [failure(["add_ons"], text, "value_error")])
    for add_on in wanted:
        if add_on not in product["add_ons"]:
            product["add_ons"].append(add_on)
        if add_on in product["purchasable_add_ons"]:
            product["purchasable_add_ons"].remove(add_on)
    if data.get("package_type") is not None:
        product["package_type"] = data["package_type"]
    return json_response(200, order)


def redeliver_order(store: Store, call: Call) -> FakeResponse:
    order = store.order(call.params["order_id"])
    data = read_body(call)
    if "order_preferences" in data:
        order["order_preferences"] = data["order_preferences"]
    return json_response(200, order)


def create_redraw_order(store: Store, call: Call) -> FakeResponse:
    source = store.order(call.params["order_id"])
    data = read_body(call)
    fields = {
        **source["address"],
        "owner_email": source["info"]["created_by"],
        "external_id": source["info"]["external_id"],
        "info": data.get("info"),
    }
    order = store.new_order(fields, status="Pending")
    return json_response(200, order)


def get_order_combined_pdf(store: Store, call: Call) -> FakeResponse:
    order = store.order(call.params["order_id"])
    if order["info"]["first_delivered_at"] is None:
        raise Missing(f"Combined PDF of order {order['id']} (not delivered yet)")
    document = pdf_document(f"CubiCasa floor plan, order {order['id']}")
    return FakeResponse(200, document, {"Content-Type": "application/pdf"})


HANDLERS: dict[str, Handler] = {
    "listOrders": list_orders,
    "getOrder": get_order,
    "upgradeOrder": upgrade_order,
    "redeliverOrder": redeliver_order,
    "createRedrawOrder": create_redraw_order,
    "getOrderCombinedPdf": get_order_combined_pdf,
}
