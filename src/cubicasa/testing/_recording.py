"""What the fake remembers of the requests it received (`fake.requests`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from ._http import Json


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
    """A record of one request, with the api-key header masked (`headers` are lower-cased)."""
    masked = {k: ("***" if k == "api-key" else v) for k, v in headers.items()}
    return RecordedRequest(method, path, query, masked, body, operation_id=None)
