"""GoToScan orders: create one, with its scanning link."""

from __future__ import annotations

import time

from .._http import Call, FakeResponse, json_response
from .._store import Handler, Store
from .._validate import read_body

LINK_LIFETIME = 7 * 24 * 3600


def create_go_to_scan_order(store: Store, call: Call) -> FakeResponse:
    data = read_body(call)
    store.require_user(data["owner_email"])
    order = store.new_order(data, status="New")
    order["info"]["go2scan"] = {
        "link": f"https://gotoscan.fake-cubicasa.test/{order['id']}",
        "expires_at": time.time() + LINK_LIFETIME,
        "client_name": data.get("client_name"),
        "priority": data.get("priority", "regular"),
    }
    return json_response(200, order)


HANDLERS: dict[str, Handler] = {"createGoToScanOrder": create_go_to_scan_order}
