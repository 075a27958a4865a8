"""The API's operations as `make generate` wrote them into the operations table
(`cubicasa_api/conformance.json`): method, path, area and request body. The fake routes by this
table and checks request bodies against its schemas, so an endpoint added to the spec and
generated needs only its handler here."""

from __future__ import annotations

import functools
import importlib
import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

TABLE_PACKAGE = "cubicasa_api"
TABLE_FILE = "conformance.json"


@dataclass(frozen=True)
class Operation:
    operation_id: str  # as in the spec: "getOrder"
    method: str  # "GET"
    path: str  # as in the spec: "/orders/{id}"
    body: str | None  # the request body's schema, e.g. "DraftOrderInput"
    body_required: bool
    area: str  # the generated subpackage (the spec's tag): "orders"


@functools.cache
def table() -> dict[str, Any]:
    """The operations table of the installed generated client (read once). Read as a package
    resource; where the package's loader offers no resource reader (an import hook, say), from
    the package's folder."""
    try:
        text = files(TABLE_PACKAGE).joinpath(TABLE_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        package = importlib.import_module(TABLE_PACKAGE)
        folders = list(getattr(package, "__path__", []))
        if not folders:
            raise
        text = (Path(folders[0]) / TABLE_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def schema(name: str) -> dict[str, Any]:
    """A component schema of the table, by name (KeyError for an unknown one)."""
    found: dict[str, Any] = table()["schemas"][name]
    return found


def _operation(operation_id: str, entry: dict[str, Any]) -> Operation:
    request = entry.get("request")
    node = request["schema"] if request else {}
    return Operation(
        operation_id=operation_id,
        method=entry["method"],
        path=entry["path"],
        body=node.get("ref"),
        body_required=bool(request and request["required"]),
        area=entry["area"],
    )


@functools.cache
def operations() -> tuple[Operation, ...]:
    """Every operation of the spec, in a stable order (area, then operationId)."""
    entries = table()["operations"]
    return tuple(
        sorted(
            (_operation(operation_id, entry) for operation_id, entry in entries.items()),
            key=lambda op: (op.area, op.operation_id),
        )
    )
