"""Which operation a request reaches, matched by method and path against the operations of
the generated client (`_operations`)."""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote

from ._http import FakeResponse, message
from ._operations import Operation, operations

BASE_PATH = "/api/integrate/v3"


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _pattern(template: str) -> re.Pattern[str]:
    if template not in _PATTERNS:
        regex = "^" + re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", r"(?P<\1>[^/]+)", template) + "$"
        _PATTERNS[template] = re.compile(regex)
    return _PATTERNS[template]


@functools.cache
def routes() -> tuple[Operation, ...]:
    """The generated client's operations, literal paths before templated ones."""
    return tuple(sorted(operations(), key=lambda op: (op.path.count("{"), op.path, op.method)))


def route(method: str, raw_path: str) -> tuple[Operation, dict[str, str]] | FakeResponse:
    """The operation and path parameters of a request, or the API's 404 or 405 answer.

    `raw_path` is the path as sent (still percent-encoded), including the base path.
    """
    if not raw_path.startswith(BASE_PATH + "/") and raw_path != BASE_PATH:
        return message(404, f"Not found: {raw_path}")
    path = raw_path[len(BASE_PATH) :] or "/"
    matched = [(op, m) for op in routes() if (m := _pattern(op.path).match(path))]
    if not matched:
        return message(404, f"Not found: {path}")
    for found, match in matched:
        if found.method == method:
            return found, {k: unquote(v) for k, v in match.groupdict().items()}
    allowed = ", ".join(sorted({r.method for r, _ in matched}))
    return message(405, f"Method {method} not allowed", {"Allow": allowed})
