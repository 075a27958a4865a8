"""What a handler of the fake receives (`Call`) and answers (`FakeResponse`), and the two ways
it refuses a request (`Invalid` -> 400, `Missing` -> 404)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._operations import Operation

MAX_BODY = 1024 * 1024
"""The largest request body the fake reads (bytes); a larger one is answered 413."""

Json = Any


@dataclass
class FakeResponse:
    """What the fake answers: status, headers, body, and network behaviour for the carriers."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    latency: float = 0.0
    drop_after: int | None = None  # send this many body bytes, then drop the connection


@dataclass(frozen=True)
class Call:
    """One routed request, as a handler sees it: its operation, path parameters, query, body."""

    operation: Operation
    params: dict[str, str]
    query: list[tuple[str, str]]
    body: bytes


class Invalid(Exception):
    """A request the API refuses with 400 and a `validation_error` body."""

    def __init__(self, group: str, failures: list[dict[str, Any]]) -> None:
        super().__init__(group)
        self.group, self.failures = group, failures


class Missing(Exception):
    """Something a request names that does not exist: 404 "<what> not found"."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def json_response(
    status: int, body: Json, headers: Mapping[str, str] | None = None
) -> FakeResponse:
    return FakeResponse(
        status,
        json.dumps(body).encode(),
        {"Content-Type": "application/json", **(headers or {})},
    )


def message(status: int, text: str, headers: Mapping[str, str] | None = None) -> FakeResponse:
    return json_response(status, {"message": text}, headers)


def refusal(error: Invalid | Missing) -> FakeResponse:
    """The API's answer to a refused request."""
    if isinstance(error, Invalid):
        return json_response(400, {"validation_error": {error.group: error.failures}})
    return message(404, f"{error.what} not found")
