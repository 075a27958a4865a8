"""`FakeCubiCasa`: an in-memory, stateful CubiCasa Integrate API v3.

One object holds the state and answers requests through `handle()`; the in-process transports
and the HTTP server (`_transport`, `_server`) only carry requests to it. It uses nothing beyond
the standard library and httpx (for delivering webhooks).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from ._validate import failure, validate
from ._webhooks import WebhookSender

BASE_PATH = "/api/integrate/v3"
MAX_BODY = 1024 * 1024
DEFAULT_API_KEY = "fake-cubicasa-key"
STATUSES = ("New", "Draft", "Pending", "Ready", "Fixing")
TRIGGER_OF = {"Draft": "moved_to_draft", "Pending": "moved_to_pending",
              "Ready": "moved_to_ready", "Fixing": "moved_to_fixing"}  # fmt: skip
FILES = "https://files.fake-cubicasa.test"
INVITATION = "Invitation email was sent to user email and needs to be finished before first login."

Json = Any


@dataclass
class FakeResponse:
    """What the fake answers: status, headers, body, and network behaviour for the carriers."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    latency: float = 0.0
    drop_after: int | None = None  # send this many body bytes, then drop the connection


@dataclass
class RecordedRequest:
    """A request the fake received (the api-key header is kept only as "present")."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    operation_id: str | None
    status: int = 0

    def json(self) -> Json:
        return json.loads(self.body) if self.body else None


@dataclass
class Fault:
    """A misbehaviour injected for the next `times` matching calls (None: every call)."""

    kind: str  # "status", "latency", "drop", "invalid_json"
    route: str | None
    times: int | None
    status: int = 503
    seconds: float = 0.0
    retry_after: str | None = None
    after_bytes: int = 16

    def matches(self, operation_id: str | None) -> bool:
        return self.route is None or self.route == operation_id


class _Invalid(Exception):
    def __init__(self, group: str, failures: list[dict[str, Any]]) -> None:
        self.group, self.failures = group, failures


class _Missing(Exception):
    def __init__(self, what: str) -> None:
        self.what = what


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    operation_id: str
    handler: str


def _route(method: str, template: str, operation_id: str, handler: str) -> _Route:
    regex = "^" + re.sub(r"\{([a-z_]+)\}", r"(?P<\1>[^/]+)", template) + "$"
    return _Route(method, re.compile(regex), operation_id, handler)


ROUTES = [
    _route("GET", "/companies/info", "getCompanyInfo", "company_info"),
    _route("DELETE", "/companies/webhook", "deleteCompanyWebhook", "delete_webhooks"),
    _route("PATCH", "/companies/webhook", "updateCompanyWebhooks", "update_webhooks"),
    _route("GET", "/companies/package", "getCompanyPackage", "company_package"),
    _route("POST", "/companies/merge-request", "sendCompanyMergeRequest", "merge_request"),
    _route("GET", "/offices", "listOffices", "list_offices"),
    _route("POST", "/offices", "createOffice", "create_office"),
    _route("GET", "/users", "listUsers", "list_users"),
    _route("POST", "/users", "createUser", "create_user"),
    _route("POST", "/users/change-password", "changeUserPassword", "change_password"),
    _route("POST", "/users/reset-password", "sendPasswordReset", "reset_password"),
    _route("GET", "/users/{user_id}", "getUser", "get_user"),
    _route("PATCH", "/users/{user_id}", "updateUser", "update_user"),
    _route("DELETE", "/users/{user_id}", "deleteUser", "delete_user"),
    _route("GET", "/orders", "listOrders", "list_orders"),
    _route("POST", "/orders/draft", "createDraftOrder", "create_draft"),
    _route("POST", "/orders/gotoscan", "createGoToScanOrder", "create_gotoscan"),
    _route("PATCH", "/orders/draft/{order_id}", "updateDraftOrder", "update_draft"),
    _route("DELETE", "/orders/draft/{order_id}", "deleteDraftOrder", "delete_draft"),
    _route("POST", "/orders/{order_id}/post-purchase", "upgradeOrder", "upgrade_order"),
    _route("POST", "/orders/{order_id}/redeliver", "redeliverOrder", "redeliver_order"),
    _route("POST", "/orders/{order_id}/redraw", "createRedrawOrder", "redraw_order"),
    _route("GET", "/orders/{order_id}/combined-pdf", "getOrderCombinedPdf", "combined_pdf"),
    _route("POST", "/orders/{order_id}/change-requests", "createChangeRequest", "create_cr"),
    _route("GET", "/orders/{order_id}/change-requests", "listChangeRequests", "list_crs"),
    _route(
        "GET",
        "/orders/{order_id}/change-requests/{change_request_id}",
        "getChangeRequest",
        "get_cr",
    ),
    _route("GET", "/orders/{id}", "getOrder", "get_order"),
]


def _json(status: int, body: Json, headers: Mapping[str, str] | None = None) -> FakeResponse:
    return FakeResponse(
        status,
        json.dumps(body).encode(),
        {"Content-Type": "application/json", **(headers or {})},
    )


def _message(status: int, text: str, headers: Mapping[str, str] | None = None) -> FakeResponse:
    return _json(status, {"message": text}, headers)


def _new_id() -> str:
    return str(uuid.uuid4())


def _list_item(order: dict[str, Json]) -> dict[str, Json]:
    """An order as the list shows it: without `delivery_assets`, which a third-party integration
    found missing from live list items (it reads them with getOrder instead)."""
    return {key: value for key, value in order.items() if key != "delivery_assets"}


def pdf_document(title: str) -> bytes:
    """A small, valid one-page PDF whose page shows `title`."""
    text = title.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


class FakeCubiCasa:
    """A stateful stand-in for the CubiCasa Integrate API v3, for tests.

    Args:
        api_key: the key requests must carry in `api-key` (401 otherwise).
        seed: start with the documented examples' data (orders, a change request, users, an
            office), so the spec's example IDs work; False starts empty.
        docs_offsets: use the docs' pagination arithmetic (`next_offset` = offset + limit + 1)
            instead of offset + limit; a client that follows `next_offset` sees every item once
            either way, one that computes offsets does not.
        webhook_transport: an httpx transport to deliver webhooks through (e.g. a WSGI/ASGI
            app's); by default they go over HTTP, to loopback URLs only.
        webhook_retry_delay: seconds between CubiCasa's 3 tries of one webhook call.
    """

    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        *,
        seed: bool = True,
        docs_offsets: bool = False,
        webhook_transport: Any = None,
        webhook_retry_delay: float = 0.05,
    ) -> None:
        self.api_key = api_key
        self.docs_offsets = docs_offsets
        self._lock = threading.RLock()
        self.orders: dict[str, dict[str, Json]] = {}
        self.change_requests: dict[str, list[dict[str, Json]]] = {}
        self.users: dict[str, dict[str, Json]] = {}
        self.passwords: dict[str, str] = {}
        self.offices: dict[str, dict[str, Json]] = {}
        self.webhook_config: dict[str, list[str]] = {"webhook_urls": [], "webhook_triggers": []}
        self.company: dict[str, Json] = {
            "profile": {"name": "Fake Photography Inc.", "email": "manager@cubicasa.com"}
        }
        self.package: dict[str, Json] = {"package_type": "base", "add_ons": []}
        self.merge_requests: list[Json] = []
        self.password_resets: list[str] = []
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self.webhooks = WebhookSender(transport=webhook_transport, retry_delay=webhook_retry_delay)
        self._transport: Any = None
        if seed:
            self._seed()

    # ----- carriers -----------------------------------------------------------------------

    @property
    def transport(self) -> Any:
        """An httpx transport (sync and async) that answers in-process, with no socket."""
        if self._transport is None:
            from ._transport import FakeTransport

            self._transport = FakeTransport(self)
        return self._transport

    base_url = "http://127.0.0.1" + BASE_PATH
    """A base URL for in-process clients (no socket is opened; the host is not used)."""

    def client(self, **options: Any) -> Any:
        """A `CubiCasa` bound to this fake in-process."""
        import httpx

        from cubicasa import CubiCasa

        http = httpx.Client(transport=self.transport)
        return CubiCasa(api_key=self.api_key, base_url=self.base_url, http_client=http, **options)

    def async_client(self, **options: Any) -> Any:
        """An `AsyncCubiCasa` bound to this fake in-process."""
        import httpx

        from cubicasa import AsyncCubiCasa

        http = httpx.AsyncClient(transport=self.transport)
        return AsyncCubiCasa(
            api_key=self.api_key, base_url=self.base_url, http_client=http, **options
        )

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Any:
        """Serve this fake over HTTP: `with fake.serve() as server: server.base_url`."""
        from ._server import FakeServer

        return FakeServer(self, host=host, port=port)

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
            order = self._new_order(
                {"street": street, "city": city, "country": country, "owner_email": owner_email,
                 "external_id": external_id, "package_type": package_type},
                status=status,
                order_id=order_id,
            )  # fmt: skip
            order.update(extra)
            if status == "Ready":
                self._deliver_assets(order)
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
                "id": user_id or _new_id(),
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
            office = {"id": office_id or _new_id(), "name": name}
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
                self._deliver_assets(order)
            self._event(order, previous, product_type)

    def fail(self, status: int = 503, *, times: int | None = 1, route: str | None = None) -> None:
        """Answer `status` to the next `times` calls (of operation `route`, or any)."""
        self.faults.append(Fault("status", route, times, status=status))

    def rate_limit(
        self, retry_after: float | str = 1, *, times: int | None = 1, route: str | None = None
    ) -> None:
        """Answer 429 with `Retry-After` to the next `times` calls."""
        value = str(retry_after)
        self.faults.append(Fault("status", route, times, status=429, retry_after=value))

    def latency(
        self, seconds: float, *, route: str | None = None, times: int | None = None
    ) -> None:
        """Answer `seconds` late (every call unless `times` is given)."""
        self.faults.append(Fault("latency", route, times, seconds=seconds))

    def drop_connection(
        self, *, times: int | None = 1, route: str | None = None, after_bytes: int = 16
    ) -> None:
        """Drop the connection after `after_bytes` bytes of the body, for the next calls."""
        self.faults.append(Fault("drop", route, times, after_bytes=after_bytes))

    def invalid_json(self, *, times: int | None = 1, route: str | None = None) -> None:
        """Answer 200 with a body that is not JSON, for the next calls."""
        self.faults.append(Fault("invalid_json", route, times))

    def clear_faults(self) -> None:
        self.faults.clear()

    def requests_to(self, operation_id: str) -> list[RecordedRequest]:
        """The recorded requests that reached operation `operation_id`."""
        return [r for r in self.requests if r.operation_id == operation_id]

    # ----- the request entry point --------------------------------------------------------

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> FakeResponse:
        """Answer one request. `target` is the path with its query string."""
        method = method.upper()
        parts = urlsplit(target)
        path = unquote(parts.path)
        query = parse_qsl(parts.query, keep_blank_values=True)
        lowered = {k.lower(): v for k, v in headers.items()}
        recorded = RecordedRequest(
            method=method,
            path=path,
            query=query,
            headers={k: ("***" if k == "api-key" else v) for k, v in lowered.items()},
            body=body,
            operation_id=None,
        )
        with self._lock:
            self.requests.append(recorded)
        response = self._answer(method, parts.path, query, lowered, body, recorded)
        recorded.status = response.status
        return response

    def _answer(
        self,
        method: str,
        raw_path: str,
        query: list[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        recorded: RecordedRequest,
    ) -> FakeResponse:
        if not raw_path.startswith(BASE_PATH + "/") and raw_path != BASE_PATH:
            return _message(404, f"Not found: {raw_path}")
        path = raw_path[len(BASE_PATH) :] or "/"
        matched = [(r, m) for r in ROUTES if (m := r.pattern.match(path))]
        allowed = sorted({r.method for r, _ in matched})
        if not matched:
            return _message(404, f"Not found: {path}")
        route, match = next(((r, m) for r, m in matched if r.method == method), (None, None))
        if route is None or match is None:
            return _message(405, f"Method {method} not allowed", {"Allow": ", ".join(allowed)})
        recorded.operation_id = route.operation_id
        if headers.get("api-key") != self.api_key:
            return _message(401, "Invalid or missing API key")
        if len(body) > MAX_BODY:
            return _message(413, "Request body too large: the limit is 1 MiB")
        fault = self._take_fault(route.operation_id)
        if fault is not None and fault.kind == "status":
            extra = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return _message(fault.status, "Injected failure", extra)
        params = {k: unquote(v) for k, v in match.groupdict().items()}
        try:
            with self._lock:
                response: FakeResponse = getattr(self, "_op_" + route.handler)(
                    params=params, query=query, body=body
                )
        except _Invalid as invalid:
            response = _json(400, {"validation_error": {invalid.group: invalid.failures}})
        except _Missing as missing:
            response = _message(404, f"{missing.what} not found")
        return self._apply(fault, response)

    def _take_fault(self, operation_id: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(operation_id):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self.faults.remove(fault)
                    return fault
        return None

    @staticmethod
    def _apply(fault: Fault | None, response: FakeResponse) -> FakeResponse:
        if fault is None:
            return response
        if fault.kind == "latency":
            response.latency = fault.seconds
        elif fault.kind == "drop":
            response.drop_after = min(fault.after_bytes, max(len(response.body) - 1, 0))
        elif fault.kind == "invalid_json":
            response.status = 200
            response.body = b'{"id": "truncated'
            response.headers = {"Content-Type": "application/json"}
        return response

    # ----- parsing ------------------------------------------------------------------------

    @staticmethod
    def _body(body: bytes, schema: str, *, optional: bool = False) -> dict[str, Json]:
        if not body.strip():
            if optional:
                return {}
            raise _Invalid(
                "body_params", [failure(["__root__"], "field required", "value_error.missing")]
            )
        try:
            data = json.loads(body)
        except ValueError:
            raise _Invalid(
                "body_params",
                [failure(["__root__"], "Invalid JSON body", "value_error.jsondecode")],
            ) from None
        problems = validate(data, schema)
        if problems:
            raise _Invalid("body_params", problems)
        result: dict[str, Json] = data
        return result

    def _page(
        self,
        query: list[tuple[str, str]],
        items: list[dict[str, Json]],
        view: Callable[[dict[str, Json]], dict[str, Json]] | None = None,
    ) -> FakeResponse:
        values: dict[str, int] = {}
        for name, default in (("limit", 20), ("offset", 0)):
            raw = [v for k, v in query if k == name]
            try:
                values[name] = int(raw[-1]) if raw else default
            except ValueError:
                raise _Invalid(
                    "query_params",
                    [failure([name], "value is not a valid integer", "type_error.integer")],
                ) from None
            if values[name] < 0:
                raise _Invalid(
                    "query_params",
                    [failure([name], "ensure this value is greater than or equal to 0",
                             "value_error.number.not_ge")],
                )  # fmt: skip
        limit, offset = values["limit"], values["offset"]
        step = limit + 1 if self.docs_offsets else limit
        start = offset - offset // step if self.docs_offsets and step else offset
        chunk = items[start : start + limit]
        if view is not None:
            chunk = [view(item) for item in chunk]
        more = limit > 0 and start + limit < len(items)
        pagination = {
            "has_more": more,
            "limit": limit,
            "next_offset": offset + max(step, 1) if more else None,
            "previous_offset": max(offset - step, 0),
        }
        return _json(200, {"pagination": pagination, "items": chunk})

    def _order(self, order_id: str) -> dict[str, Json]:
        order = self.orders.get(order_id)
        if order is None:
            raise _Missing(f"Order {order_id}")
        return order

    def _user_by_email(self, email: str) -> dict[str, Json]:
        for user in self.users.values():
            if user["email"] == email:
                return user
        raise _Missing(f"User {email}")

    def _require_user(self, email: str, field_name: str = "owner_email") -> None:
        if not any(u["email"] == email for u in self.users.values()):
            raise _Invalid(
                "body_params",
                [failure([field_name], "user is not a member of the company", "value_error")],
            )

    # ----- orders -------------------------------------------------------------------------

    def _new_order(
        self, fields: Mapping[str, Json], *, status: str, order_id: str | None = None
    ) -> dict[str, Json]:
        parts = [fields.get("street"), fields.get("suite"), fields.get("city")]
        location = " ".join(str(p) for p in parts if p)
        order: dict[str, Json] = {
            "id": order_id or _new_id(),
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
                    "add_ons": list(fields.get("add_ons") or []),
                    "over_limits": [],
                    "package_type": fields.get("package_type") or self.package["package_type"],
                    "purchasable_add_ons": [
                        a for a in ("gla", "3d_cad_files") if a not in (fields.get("add_ons") or [])
                    ],
                },
            },
            "address": self._address(fields),
            "delivery_assets": {"listing_floorplans": {}},
        }
        self.orders[order["id"]] = order
        self.change_requests.setdefault(order["id"], [])
        return order

    @staticmethod
    def _address(fields: Mapping[str, Json]) -> dict[str, Json]:
        names = (
            "street",
            "suite",
            "city",
            "state",
            "postalCode",
            "country",
            "latitude",
            "longitude",
        )
        address = {name: fields.get(name) for name in names}
        address["full_address"] = ", ".join(
            str(fields[n]) for n in ("street", "city", "state", "postalCode") if fields.get(n)
        )
        return address

    def _deliver_assets(self, order: dict[str, Json]) -> None:
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

    def _event(self, order: dict[str, Json], previous: str, product_type: str) -> None:
        trigger = TRIGGER_OF.get(order["info"]["status"])
        if trigger is None or trigger not in self.webhook_config["webhook_triggers"]:
            return
        payload = {
            "id": order["id"],
            "current_status": order["info"]["status"],
            "previous_status": previous,
            "model_id": order.setdefault("model_id", _new_id()),
            "product_type": product_type,
            "delivery_type": "new",
        }
        for url in self.webhook_config["webhook_urls"]:
            self.webhooks.send(url, payload)

    def _set(self, order: dict[str, Json], status: str) -> None:
        previous = order["info"]["status"]
        order["info"]["status"] = status
        self._event(order, previous, "products_2d")

    def _op_list_orders(self, query: list[tuple[str, str]], **_: Any) -> FakeResponse:
        wanted = {v for k, v in query if k == "status"}
        items = [
            o for o in reversed(self.orders.values()) if not wanted or o["info"]["status"] in wanted
        ]
        return self._page(query, items, _list_item)

    def _op_get_order(self, params: dict[str, str], **_: Any) -> FakeResponse:
        return _json(200, self._order(params["id"]))

    def _op_upgrade_order(self, params: dict[str, str], body: bytes, **_: Any) -> FakeResponse:
        order = self._order(params["order_id"])
        data = self._body(body, "UpgradeOrderInput")
        product = order["info"]["product"]
        wanted = data.get("add_ons") or []
        refused = [
            a for a in wanted if a not in product["purchasable_add_ons"] + product["add_ons"]
        ]
        if refused:
            raise _Invalid(
                "body_params",
                [
                    failure(
                        ["add_ons"],
                        f"add-on(s) not purchasable: {', '.join(refused)}",
                        "value_error",
                    )
                ],
            )
        for add_on in wanted:
            if add_on not in product["add_ons"]:
                product["add_ons"].append(add_on)
            if add_on in product["purchasable_add_ons"]:
                product["purchasable_add_ons"].remove(add_on)
        if data.get("package_type") is not None:
            product["package_type"] = data["package_type"]
        return _json(200, order)

    def _op_redeliver_order(self, params: dict[str, str], body: bytes, **_: Any) -> FakeResponse:
        order = self._order(params["order_id"])
        data = self._body(body, "RedeliverOrderInput")
        if "order_preferences" in data:
            order["order_preferences"] = data["order_preferences"]
        return _json(200, order)

    def _op_redraw_order(self, params: dict[str, str], body: bytes, **_: Any) -> FakeResponse:
        source = self._order(params["order_id"])
        data = self._body(body, "RedrawOrderInput", optional=True)
        fields = {
            **source["address"],
            "owner_email": source["info"]["created_by"],
            "external_id": source["info"]["external_id"],
            "info": data.get("info"),
        }
        order = self._new_order(fields, status="Pending")
        order["redraw_of"] = source["id"]
        return _json(200, order)

    def _op_combined_pdf(self, params: dict[str, str], **_: Any) -> FakeResponse:
        order = self._order(params["order_id"])
        if order["info"]["first_delivered_at"] is None:
            raise _Missing(f"Combined PDF of order {order['id']} (not delivered yet)")
        document = pdf_document(f"CubiCasa floor plan, order {order['id']}")
        return FakeResponse(200, document, {"Content-Type": "application/pdf"})

    # ----- change requests ----------------------------------------------------------------

    def _op_create_cr(self, params: dict[str, str], body: bytes, **_: Any) -> FakeResponse:
        order = self._order(params["order_id"])
        data = self._body(body, "ChangeRequestInput")
        change = {
            "id": _new_id(),
            "img_urls": list(data.get("img_urls") or []),
            "sent_at": time.time(),
            "text": data["text"],
        }
        self.change_requests[order["id"]].append(change)
        self._set(order, "Fixing")
        return _json(200, change)

    def _op_list_crs(
        self, params: dict[str, str], query: list[tuple[str, str]], **_: Any
    ) -> FakeResponse:
        order = self._order(params["order_id"])
        return self._page(query, self.change_requests[order["id"]])

    def _op_get_cr(self, params: dict[str, str], **_: Any) -> FakeResponse:
        order = self._order(params["order_id"])
        for change in self.change_requests[order["id"]]:
            if change["id"] == params["change_request_id"]:
                return _json(200, change)
        raise _Missing(f"Change request {params['change_request_id']}")

    # ----- drafts and GoToScan ------------------------------------------------------------

    def _op_create_draft(self, body: bytes, **_: Any) -> FakeResponse:
        data = self._body(body, "DraftOrderInput")
        self._require_user(data["owner_email"])
        order = self._new_order(data, status="Draft")
        if "order_preferences" in data:
            order["order_preferences"] = data["order_preferences"]
        self._event(order, "New", "products_2d")
        return _json(200, order)

    def _draft(self, order_id: str) -> dict[str, Json]:
        order = self._order(order_id)
        if order["info"]["status"] != "Draft":
            raise _Invalid(
                "path_params",
                [
                    failure(
                        ["order_id"],
                        f"order is {order['info']['status']}, not a draft",
                        "value_error",
                    )
                ],
            )
        return order

    def _op_update_draft(self, params: dict[str, str], body: bytes, **_: Any) -> FakeResponse:
        order = self._draft(params["order_id"])
        data = self._body(body, "DraftOrderInput")
        self._require_user(data["owner_email"])
        fresh = self._new_order(data, status="Draft", order_id=order["id"])
        fresh["info"]["created_at"] = order["info"]["created_at"]
        if "order_preferences" in data:
            fresh["order_preferences"] = data["order_preferences"]
        return _json(200, fresh)

    def _op_delete_draft(self, params: dict[str, str], **_: Any) -> FakeResponse:
        order = self._draft(params["order_id"])
        del self.orders[order["id"]]
        self.change_requests.pop(order["id"], None)
        return _message(200, "Draft order deleted")

    def _op_create_gotoscan(self, body: bytes, **_: Any) -> FakeResponse:
        data = self._body(body, "GoToScanOrderInput")
        self._require_user(data["owner_email"])
        order = self._new_order(data, status="New")
        order["info"]["go2scan"] = {
            "link": f"https://gotoscan.fake-cubicasa.test/{order['id']}",
            "expires_at": time.time() + 7 * 24 * 3600,
            "client_name": data.get("client_name"),
            "priority": data.get("priority", "regular"),
        }
        return _json(200, order)

    # ----- users, offices, company, webhooks ----------------------------------------------

    def _op_list_users(self, query: list[tuple[str, str]], **_: Any) -> FakeResponse:
        return self._page(query, list(self.users.values()))

    def _op_create_user(self, body: bytes, **_: Any) -> FakeResponse:
        data = self._body(body, "UserInput")
        if any(u["email"] == data["email"] for u in self.users.values()):
            raise _Invalid(
                "body_params", [failure(["email"], "user already exists", "value_error")]
            )
        office = data.get("office_id")
        if office is not None and office not in self.offices:
            raise _Invalid(
                "body_params", [failure(["office_id"], "office not found", "value_error")]
            )
        user = self.add_user(
            data["email"],
            role=data["role"],
            password=data.get("password"),
            email_confirmed=bool(data.get("password")),
        )
        if office is not None:
            user["office_id"] = office
        message = "User created." if data.get("password") else INVITATION
        return _json(
            200,
            {"email": user["email"], "id": user["id"], "message": message, "role": user["role"]},
        )

    def _op_get_user(self, params: dict[str, str], **_: Any) -> FakeResponse:
        return _json(200, self._user_by_email(params["user_id"]))

    def _op_update_user(self, params: dict[str, str], body: bytes, **_: Any) -> FakeResponse:
        user = self._user_by_email(params["user_id"])
        data = self._body(body, "UserUpdateInput")
        office = data.get("office_id")
        if office is not None and office not in self.offices:
            raise _Invalid(
                "body_params", [failure(["office_id"], "office not found", "value_error")]
            )
        user.update(data)
        return _json(200, user)

    def _op_delete_user(self, params: dict[str, str], **_: Any) -> FakeResponse:
        user = self.users.pop(params["user_id"], None)
        if user is None:
            raise _Missing(f"User {params['user_id']}")
        self.passwords.pop(user["email"], None)
        return _message(200, "User deleted successfully")

    def _op_change_password(self, body: bytes, **_: Any) -> FakeResponse:
        data = self._body(body, "ChangePasswordInput")
        user = self._user_by_email(data["email"])
        if self.passwords.get(user["email"]) != data["old_password"]:
            raise _Invalid(
                "body_params", [failure(["old_password"], "wrong password", "value_error")]
            )
        self.passwords[user["email"]] = data["new_password"]
        return _message(200, "Your password has been changed.")

    def _op_reset_password(self, body: bytes, **_: Any) -> FakeResponse:
        data = self._body(body, "PasswordResetInput")
        self._user_by_email(data["email"])
        self.password_resets.append(data["email"])
        return _message(200, "Send reset password email successfully.")

    def _op_list_offices(self, query: list[tuple[str, str]], **_: Any) -> FakeResponse:
        return self._page(query, list(self.offices.values()))

    def _op_create_office(self, body: bytes, **_: Any) -> FakeResponse:
        data = self._body(body, "OfficeInput")
        return _json(200, self.add_office(data["name"]))

    def _op_company_info(self, **_: Any) -> FakeResponse:
        return _json(200, self.company)

    def _op_company_package(self, **_: Any) -> FakeResponse:
        return _json(200, self.package)

    def _op_merge_request(self, body: bytes, **_: Any) -> FakeResponse:
        data = self._body(body, "MergeRequestInput")
        self.merge_requests.append(data)
        return _message(200, "Merge request sent")

    def _op_update_webhooks(self, body: bytes, **_: Any) -> FakeResponse:
        data = self._body(body, "WebhookConfigInput")
        for name in ("webhook_urls", "webhook_triggers"):
            if name in data:
                self.webhook_config[name] = list(data[name])
        return _json(200, self.webhook_config)

    def _op_delete_webhooks(self, **_: Any) -> FakeResponse:
        self.webhook_config = {"webhook_urls": [], "webhook_triggers": []}
        return _message(200, "Webhook deleted")

    # ----- seed data: the documented examples ---------------------------------------------

    def _seed(self) -> None:
        self.add_office("Main office", office_id="3042395e-1606-4393-be13-66b59c604863")
        manager = self.add_user(
            "manager@cubicasa.com",
            role="Manager",
            name="Morgan",
            password="manager-pw",  # noqa: S106
        )
        manager["office_id"] = "3042395e-1606-4393-be13-66b59c604863"
        examples: Iterable[tuple[str, str, str | None, str | None, str]] = (
            ("497f6eca-6276-4993-bfeb-53cbbbba6f08", "user@example.com", None, None, "User"),
            ("8b8a99d2-737d-4681-bc16-7ffee5c61fe2", "tim@internet.com", "Tim", "Berners-Lee",
             "Collaborator"),
            ("6549d877-dde8-45de-b87a-eb68207d0b3c", "linus@computer.com", "Linus", "Torvalds",
             "User"),
        )  # fmt: skip
        for user_id, email, name, surname, role in examples:
            self.add_user(email, role=role, name=name, surname=surname, user_id=user_id)
        ready = self.add_order(
            order_id="312babc6-e742-4d54-ac49-e0f7b16ec15a",
            external_id="EXT10005",
            street="121 North Washington Avenue",
            city="Minneapolis",
            owner_email="manager@cubicasa.com",
            package_type="plus",
        )
        ready["info"]["location"] = "121 North Washington Avenue Cubi suite Minneapolis"
        ready["info"]["product"].update(add_ons=["gla"], purchasable_add_ons=["3d_cad_files"])
        self._deliver_assets(ready)
        draft = self.add_order(
            order_id="c8a11daa-86ad-43ad-8ab3-756c741d1db6",
            status="Draft",
            external_id="R4ER93",
            owner_email="linus@computer.com",
        )
        self.change_requests[draft["id"]].append(
            {
                "id": "010338fb-b1d5-4086-96b9-003285aa3340",
                "img_urls": ["https://www.urltoimg.com/1.jpg", "https://www.urltoimg.com/2.jpg"],
                "sent_at": 1748455764.159082,
                "text": "fix request text",
            }
        )
