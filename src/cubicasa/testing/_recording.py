"""What the fake remembers of the requests it received (`fake.requests`): the last
`REQUEST_LOG_SIZE` requests, each body cut to `RECORDED_BODY_LIMIT` bytes, so a long run or a
flood of large requests cannot grow the fake without bound."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from ._http import Json

REQUEST_LOG_SIZE = 1000
"""How many requests `fake.requests` keeps (the oldest go first)."""
RECORDED_BODY_LIMIT = 16 * 1024
"""How many bytes of each request body are kept; the log holds at most about 16 MiB of bodies."""


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


def record(
    method: str, path: str, query: list[tuple[str, str]], headers: Mapping[str, str], body: bytes
) -> RecordedRequest:
    """A record of one request, with the api-key header masked (`headers` are lower-cased) and
    the body cut to `RECORDED_BODY_LIMIT` bytes."""
    masked = {k: ("***" if k == "api-key" else v) for k, v in headers.items()}
    kept = body[:RECORDED_BODY_LIMIT]
    return RecordedRequest(method, path, query, masked, kept, operation_id=None)


class RequestLog(list[RecordedRequest]):
    """The last `REQUEST_LOG_SIZE` requests, oldest first: a list that drops its oldest entries
    as new ones are appended (so `fake.requests == []` and slicing work as before)."""

    def __init__(self) -> None:
        super().__init__()
        self.size = REQUEST_LOG_SIZE

    def append(self, request: RecordedRequest) -> None:
        super().append(request)
        if len(self) > self.size:
            del self[: len(self) - self.size]
