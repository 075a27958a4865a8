"""The served fake's control API: what a test suite in another process (or language) needs to
drive it, under `/_fake/` beside the API's base path, with the same `api-key` header.

    POST /_fake/orders/{order_id}/status  {"status": "Ready"}       fake.set_status(...)
    POST /_fake/fail     {"status": 503, "times": 1, "route": "getOrder"}   fake.fail(...)
    POST /_fake/deviate  {"operation_id": "getOrder", "add": {"/info/rush": true}}
                                                                     fake.deviate(...)
    POST /_fake/reset                                                fake.reset()

Each answers 200 with `{"ok": true}`, or 400 / 401 / 404 with `{"message": ...}` saying why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._http import FakeResponse, message

if TYPE_CHECKING:
    from ._fake import FakeCubiCasa

PREFIX = "/_fake/"
_STATUS = re.compile(r"^/_fake/orders/(?P<order_id>[^/]+)/status$")
_DEVIATE_ARGUMENTS = {"add", "remove", "replace", "status", "content_type", "path_missing"}


def is_control(path: str) -> bool:
    return path.split("?", 1)[0].startswith(PREFIX)


def control(
    fake: FakeCubiCasa, method: str, path: str, headers: Mapping[str, str], body: bytes
) -> FakeResponse:
    """Answer one request to the control API."""
    path = path.split("?", 1)[0]
    if {k.lower(): v for k, v in headers.items()}.get("api-key") != fake.api_key:
        return message(401, "Invalid or missing API key (the control API takes the fake's key)")
    if method != "POST":
        return FakeResponse(405, b'{"message": "use POST"}', {"Allow": "POST"})
    try:
        data = json.loads(body) if body.strip() else {}
    except ValueError:
        return message(400, "the body is not JSON")
    if not isinstance(data, dict):
        return message(400, "the body must be a JSON object")
    try:
        return _act(fake, path, data)
    except KeyError as unknown:
        return message(404, f"unknown order {unknown}")
    except (TypeError, ValueError) as refused:
        return message(400, str(refused))


def _act(fake: FakeCubiCasa, path: str, data: dict[str, Any]) -> FakeResponse:
    found = _STATUS.match(path)
    if found is not None:
        status = data.get("status")
        if not isinstance(status, str) or not status:
            raise ValueError('give the new status: {"status": "Ready"}')
        fake.set_status(found.group("order_id"), status)
    elif path == "/_fake/fail":
        fake.fail(int(data.get("status", 503)), times=data.get("times", 1), route=data.get("route"))
    elif path == "/_fake/deviate":
        operation_id = data.pop("operation_id", None)
        if not isinstance(operation_id, str):
            raise ValueError('name the operation: {"operation_id": "getOrder", ...}')
        unknown = set(data) - _DEVIATE_ARGUMENTS
        if unknown:
            raise ValueError(f"unknown deviate arguments: {', '.join(sorted(unknown))}")
        fake.deviate(operation_id, **data)
    elif path == "/_fake/reset":
        fake.reset()
    else:
        return message(404, f"no control path {path}: see the fake's documentation")
    return FakeResponse(200, b'{"ok": true}')
