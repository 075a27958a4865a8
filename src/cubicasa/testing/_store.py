"""The fake's state (orders, change requests, users, offices, company, webhook settings) and
the rules that change it the way CubiCasa's side does (delivery, status moves, webhooks)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from ._http import Call, FakeResponse, Invalid, Json, Missing
from ._validate import failure
from ._webhooks import WebhookSender

STATUSES = ("New", "Draft", "Pending", "Ready", "Fixing")
TRIGGER_OF = {"Draft": "moved_to_draft", "Pending": "moved_to_pending",
              "Ready": "moved_to_ready", "Fixing": "moved_to_fixing"}  # fmt: skip
FILES = "https://files.fake-cubicasa.test"
_ADDRESS = ("street", "suite", "city", "state", "postalCode", "country", "latitude", "longitude")


def new_id() -> str:
    return str(uuid.uuid4())


class Store:
    """The data a fake CubiCasa account holds, and the moves CubiCasa's side makes on it."""

    def __init__(
        self,
        *,
        docs_offsets: bool = False,
        webhook_transport: Any = None,
        webhook_retry_delay: float = 0.05,
    ) -> None:
        self.docs_offsets = docs_offsets
        self._lock = threading.RLock()
        self.orders: dict[str, dict[str, Json]] = {}
        self.change_requests: dict[str, list[dict[str, Json]]] = {}
        self.users: dict[str, dict[str, Json]] = {}
        self.passwords: dict[str, str] = {}
        self.offices: dict[str, dict[str, Json]] = {}
        # Kept beside the answers, whose schemas (User, Order) do not hold them.
        self.user_offices: dict[str, str] = {}
        self.model_ids: dict[str, str] = {}
        self.webhook_config: dict[str, list[str]] = {"webhook_urls": [], "webhook_triggers": []}
        self.company: dict[str, Json] = {
            "profile": {"name": "Fake Photography Inc.", "email": "manager@cubicasa.com"}
        }
        self.package: dict[str, Json] = {"package_type": "base", "add_ons": []}
        self.merge_requests: list[Json] = []
        self.password_resets: list[str] = []
        self.webhooks = WebhookSender(transport=webhook_transport, retry_delay=webhook_retry_delay)

    # ----- helpers for tests --------------------------------------------------------------

    def add_order(
        self,
        *,
        status: str = "Ready",
        external_id: str | None = None,
        street: str = "615 Bourbon St",
        city: str = "New Orleans",
        country: str = "United States",
        owner_email: str = "manager@cubicasa.com",
        package_type: str = "base",
        order_id: str | None = None,
        **extra: Json,
    ) -> dict[str, Json]:
        """Add an order directly (no webhook); returns its JSON, as the API shows it."""
        with self._lock:
            order = self.new_order(
                {"street": street, "city": city, "country": country, "owner_email": owner_email,
                 "external_id": external_id, "package_type": package_type},
                status=status,
                order_id=order_id,
            )  # fmt: skip
            order.update(extra)
            if status == "Ready":
                self.deliver_assets(order)
            return order

    def add_user(
        self,
        email: str,
        *,
        role: str = "User",
        name: str | None = None,
        surname: str | None = None,
        password: str | None = None,
        email_confirmed: bool = True,
        user_id: str | None = None,
    ) -> dict[str, Json]:
        """Add a user directly; returns its JSON."""
        with self._lock:
            user: dict[str, Json] = {
                "id": user_id or new_id(),
                "email": email,
                "name": name,
                "surname": surname,
                "role": role,
                "email_confirmed": email_confirmed,
                "created_at": time.time(),
            }
            self.users[user["id"]] = user
            if password is not None:
                self.passwords[email] = password
            return user

    def add_office(self, name: str, *, office_id: str | None = None) -> dict[str, Json]:
        with self._lock:
            office = {"id": office_id or new_id(), "name": name}
            self.offices[office["id"]] = office
            return office

    def set_status(self, order_id: str, status: str, *, product_type: str = "products_2d") -> None:
        """Move an order to `status` as CubiCasa's side would (e.g. "Ready" when delivered),
        and send the order-status webhook to the registered URLs whose trigger matches."""
        with self._lock:
            order = self.orders[order_id]
            previous = order["info"]["status"]
            order["info"]["status"] = status
            if status == "Ready":
                self.deliver_assets(order)
            self.notify(order, previous, product_type)

    # ----- lookups the handlers share -----------------------------------------------------

    def order(self, order_id: str) -> dict[str, Json]:
        order = self.orders.get(order_id)
        if order is None:
            raise Missing(f"Order {order_id}")
        return order

    def user_by_email(self, email: str) -> dict[str, Json]:
        for user in self.users.values():
            if user["email"] == email:
                return user
        raise Missing(f"User {email}")

    def require_user(self, email: str, field_name: str = "owner_email") -> None:
        if not any(u["email"] == email for u in self.users.values()):
            raise Invalid(
                "body_params",
                [failure([field_name], "user is not a member of the company", "value_error")],
            )

    def require_office(self, office_id: str | None) -> None:
        if office_id is not None and office_id not in self.offices:
            raise Invalid(
                "body_params", [failure(["office_id"], "office not found", "value_error")]
            )

    # ----- orders as CubiCasa's side changes them -----------------------------------------

    def new_order(
        self, fields: Mapping[str, Json], *, status: str, order_id: str | None = None
    ) -> dict[str, Json]:
        parts = [fields.get("street"), fields.get("suite"), fields.get("city")]
        location = " ".join(str(p) for p in parts if p)
        add_ons = list(fields.get("add_ons") or [])
        order: dict[str, Json] = {
            "id": order_id or new_id(),
            "info": {
                "status": status,
                "created_by": fields.get("owner_email"),
                "location": location,
                "order_type": "vbim",
                "first_delivered_at": None,
                "created_at": time.time(),
                "is_scan_order": True,
                "total_scanned_area": 0,
                "go2scan": None,
                "external_id": fields.get("external_id"),
                "add_info": fields.get("info") or "",
                "style_template": None,
                "product": {
                    "add_ons": add_ons,
                    "over_limits": [],
                    "package_type": fields.get("package_type") or self.package["package_type"],
                    "purchasable_add_ons": [a for a in ("gla", "3d_cad_files") if a not in add_ons],
                },
            },
            "address": _address(fields),
            "delivery_assets": {"listing_floorplans": {}},
        }
        self.orders[order["id"]] = order
        self.change_requests.setdefault(order["id"], [])
        return order

    def deliver_assets(self, order: dict[str, Json]) -> None:
        info = order["info"]
        if info["first_delivered_at"] is None:
            info["first_delivered_at"] = time.time()
        base = f"{FILES}/{order['id']}"
        order["delivery_assets"] = {
            "listing_floorplans": {
                f"{kind}_urls{dim}": [f"{base}/floorplan{dim}.{kind}"]
                for kind in ("pdf", "png", "jpg", "svg")
                for dim in ("", "_dim")
            },
            "tour": None,
        }
        if "gla" in info["product"]["add_ons"]:
            order["delivery_assets"]["gla_package"] = {"pdf_urls": [f"{base}/gla.pdf"]}

    def move(self, order: dict[str, Json], status: str) -> None:
        """Move `order` to `status` as a call does, with its webhook."""
        previous = order["info"]["status"]
        order["info"]["status"] = status
        self.notify(order, previous, "products_2d")

    def notify(self, order: dict[str, Json], previous: str, product_type: str) -> None:
        """Send the order-status webhook for the order's new status, if a URL wants it."""
        trigger = TRIGGER_OF.get(order["info"]["status"])
        if trigger is None or trigger not in self.webhook_config["webhook_triggers"]:
            return
        payload = {
            "id": order["id"],
            "current_status": order["info"]["status"],
            "previous_status": previous,
            "model_id": self.model_ids.setdefault(order["id"], new_id()),
            "product_type": product_type,
            "delivery_type": "new",
        }
        for url in self.webhook_config["webhook_urls"]:
            self.webhooks.send(url, payload)


Handler = Callable[[Store, Call], FakeResponse]
"""Answers one operation: reads the call, changes the store, returns the response."""


def _address(fields: Mapping[str, Json]) -> dict[str, Json]:
    address = {name: fields.get(name) for name in _ADDRESS}
    address["full_address"] = ", ".join(
        str(fields[n]) for n in ("street", "city", "state", "postalCode") if fields.get(n)
    )
    return address
