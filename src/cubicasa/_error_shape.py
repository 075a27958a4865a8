"""Whether an error answer came from the API or from whatever answers for a path the API does not
have: a 405, or a 404 whose body is not the API's JSON error, means the path itself is unknown;
the API's own 404 ("order not found") only says that an ID does not exist."""

from __future__ import annotations

import json
from typing import Any, Final

ERROR_KEYS: Final = frozenset({"message", "error", "validation_error"})
"""The members of the API's error object (the spec's error schema; every one optional)."""


def is_api_error(content_type: str | None, body: Any, *, parsed: bool = False) -> bool:
    """The body is the API's JSON error: an object with one of `ERROR_KEYS`."""
    if not parsed:
        media = (content_type or "").split(";", 1)[0].strip().lower()
        if not (media == "application/json" or media.endswith("+json")):
            return False
        try:
            body = json.loads(body)
        except (TypeError, ValueError, RecursionError):
            return False
    return isinstance(body, dict) and not ERROR_KEYS.isdisjoint(body)


def path_unknown(status: int, content_type: str | None, body: Any, *, parsed: bool = False) -> bool:
    """The answer says that the method and path are unknown, not merely the resource."""
    if status == 405:
        return True
    return status == 404 and not is_api_error(content_type, body, parsed=parsed)
