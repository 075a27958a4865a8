"""Which operation a request reaches: the API's routes, matched by method and path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from ._http import FakeResponse, message

BASE_PATH = "/api/integrate/v3"


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # as in the spec: "/orders/{order_id}"
    operation_id: str

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compile(self.template)


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _compile(template: str) -> re.Pattern[str]:
    if template not in _PATTERNS:
        regex = "^" + re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", r"(?P<\1>[^/]+)", template) + "$"
        _PATTERNS[template] = re.compile(regex)
    return _PATTERNS[template]


ROUTES = [
    Route("GET", "/companies/info", "getCompanyInfo"),
    Route("DELETE", "/companies/webhook", "deleteCompanyWebhook"),
    Route("PATCH", "/companies/webhook", "updateCompanyWebhooks"),
    Route("GET", "/companies/package", "getCompanyPackage"),
    Route("POST", "/companies/merge-request", "sendCompanyMergeRequest"),
    Route("GET", "/offices", "listOffices"),
    Route("POST", "/offices", "createOffice"),
    Route("GET", "/users", "listUsers"),
    Route("POST", "/users", "createUser"),
    Route("POST", "/users/change-password", "changeUserPassword"),
    Route("POST", "/users/reset-password", "sendPasswordReset"),
    Route("GET", "/users/{user_id}", "getUser"),
    Route("PATCH", "/users/{user_id}", "updateUser"),
    Route("DELETE", "/users/{user_id}", "deleteUser"),
    Route("GET", "/orders", "listOrders"),
    Route("POST", "/orders/draft", "createDraftOrder"),
    Route("POST", "/orders/gotoscan", "createGoToScanOrder"),
    Route("PATCH", "/orders/draft/{order_id}", "updateDraftOrder"),
    Route("DELETE", "/orders/draft/{order_id}", "deleteDraftOrder"),
    Route("POST", "/orders/{order_id}/post-purchase", "upgradeOrder"),
    Route("POST", "/orders/{order_id}/redeliver", "redeliverOrder"),
    Route("POST", "/orders/{order_id}/redraw", "createRedrawOrder"),
    Route("GET", "/orders/{order_id}/combined-pdf", "getOrderCombinedPdf"),
    Route("POST", "/orders/{order_id}/change-requests", "createChangeRequest"),
    Route("GET", "/orders/{order_id}/change-requests", "listChangeRequests"),
    Route("GET", "/orders/{order_id}/change-requests/{change_request_id}", "getChangeRequest"),
    Route("GET", "/orders/{id}", "getOrder"),
]


def route(method: str, raw_path: str) -> tuple[Route, dict[str, str]] | FakeResponse:
    """The route and path parameters of a request, or the API's 404 or 405 answer.

    `raw_path` is the path as sent (still percent-encoded), including the base path.
    """
    if not raw_path.startswith(BASE_PATH + "/") and raw_path != BASE_PATH:
        return message(404, f"Not found: {raw_path}")
    path = raw_path[len(BASE_PATH) :] or "/"
    matched = [(r, m) for r in ROUTES if (m := r.pattern.match(path))]
    if not matched:
        return message(404, f"Not found: {path}")
    for found, match in matched:
        if found.method == method:
            return found, {k: unquote(v) for k, v in match.groupdict().items()}
    allowed = ", ".join(sorted({r.method for r, _ in matched}))
    return message(405, f"Method {method} not allowed", {"Allow": allowed})
