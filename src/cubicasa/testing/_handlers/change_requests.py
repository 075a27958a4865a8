"""Change requests of an order: create, list, get."""

from __future__ import annotations

import time

from .._http import Call, FakeResponse, Missing, json_response
from .._paging import page
from .._store import Handler, Store, new_id
from .._validate import read_body


def create_change_request(store: Store, call: Call) -> FakeResponse:
    order = store.order(call.params["order_id"])
    data = read_body(call)
    change = {
        "id": new_id(),
        "img_urls": list(data.get("img_urls") or []),
        "sent_at": time.time(),
        "text": data["text"],
    }
    store.change_requests[order["id"]].append(change)
    store.move(order, "Fixing")
    return json_response(200, change)


def list_change_requests(store: Store, call: Call) -> FakeResponse:
    order = store.order(call.params["order_id"])
    return page(call, store.change_requests[order["id"]], docs_offsets=store.docs_offsets)


def get_change_request(store: Store, call: Call) -> FakeResponse:
    order = store.order(call.params["order_id"])
    for change in store.change_requests[order["id"]]:
        if change["id"] == call.params["change_request_id"]:
            return json_response(200, change)
    raise Missing(f"Change request {call.params['change_request_id']}")


HANDLERS: dict[str, Handler] = {
    "createChangeRequest": create_change_request,
    "listChangeRequests": list_change_requests,
    "getChangeRequest": get_change_request,
}
