"""Misbehaviour injected into the fake (`fake.fail()`, `latency()`, ...): which call a fault
hits, and what it does to the answer."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ._http import FakeResponse, message


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

    def answer(self) -> FakeResponse | None:
        """The answer that replaces the handler's, for a "status" fault (else None)."""
        if self.kind != "status":
            return None
        extra = {"Retry-After": self.retry_after} if self.retry_after else {}
        return message(self.status, "Injected failure", extra)

    def apply(self, response: FakeResponse) -> FakeResponse:
        """Change a handler's answer as this fault says (latency, dropped body, broken JSON)."""
        if self.kind == "latency":
            response.latency = self.seconds
        elif self.kind == "drop":
            response.drop_after = min(self.after_bytes, max(len(response.body) - 1, 0))
        elif self.kind == "invalid_json":
            response.status = 200
            response.body = b'{"id": "truncated'
            response.headers = {"Content-Type": "application/json"}
        return response


class Faults(list[Fault]):
    """The queued faults; `take()` hands out the first that matches and counts it down."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def take(self, operation_id: str) -> Fault | None:
        with self._lock:
            for fault in self:
                if fault.matches(operation_id):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self.remove(fault)
                    return fault
        return None
