"""What one deviation of a response from the spec is: a `ConformanceFinding`, and the kinds a
finding can have."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Final

from .._redact import safe_pointer

__all__ = ["KINDS", "ConformanceFinding", "location_of"]

KINDS: Final = (
    "unknown_field",
    "missing_required",
    "wrong_type",
    "unknown_value",
    "undocumented_status",
    "undocumented_content_type",
    "invalid_json",
    "unreachable_path",
)
_INDEX = re.compile(r"/\d+(?=/|$)")


@functools.lru_cache(maxsize=4096)
def location_of(where: str) -> str:
    return _INDEX.sub("/*", where)


@dataclass(frozen=True, slots=True)
class ConformanceFinding:
    """One way a response differed from the spec.

    Attributes:
        operation_id: the spec's operationId, e.g. `getOrder`.
        kind: `unknown_field`, `missing_required`, `wrong_type`, `unknown_value`,
            `undocumented_status`, `undocumented_content_type`, `invalid_json`, or
            `unreachable_path` (an inferred operation answered 404 or 405).
        where: a JSON pointer into the body (`/items/0/info/rush`), or `status` / `content-type`.
        detail: what the spec expects there (never a value from the response).
        seen: the JSON type found (`string`, `object`, ...), or the status / content type.
    """

    operation_id: str
    kind: str
    where: str
    detail: str
    seen: str = ""
    value: Any = field(default=None, compare=False, repr=False)

    @property
    def location(self) -> str:
        """`where` without array indices: findings with one location are one deviation."""
        return location_of(self.where)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.operation_id, self.kind, self.location)

    def message(self, secret: str | None = None) -> str:
        """One line for a log: the operation, the place (`where`, as `client.conformance` shows
        it: the first place seen) and the spec's expectation; a field name that is not a plain
        identifier or that holds `secret` (the key) is withheld."""
        where = safe_pointer(self.where, secret=secret) or "the body"
        return f"{self.operation_id}: {self.kind} at {where}: {self.detail}"
