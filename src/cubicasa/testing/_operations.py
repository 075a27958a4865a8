"""The API's operations as the generated package describes them (method, path, request body),
read from `cubicasa_api.api` without importing it: the fake routes by this list, so an endpoint
added to the spec and generated needs only its handler here."""

from __future__ import annotations

import ast
import functools
import importlib.util
import pkgutil
from dataclasses import dataclass
from pathlib import Path

GENERATED_API = "cubicasa_api.api"


@dataclass(frozen=True)
class Operation:
    operation_id: str  # as in the spec: "getOrder"
    method: str  # "GET"
    path: str  # as in the spec: "/orders/{id}"
    body: str | None  # the request body's schema, e.g. "DraftOrderInput"
    body_required: bool
    area: str  # the generated subpackage (the spec's tag): "orders"


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _text(node: ast.expr) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    # "/orders/{order_id}".format(order_id=quote(...))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return _text(node.func.value)
    raise ValueError(f"not a string template: {ast.dump(node)}")


def _body(annotation: ast.expr | None) -> tuple[str | None, bool]:
    """The schema of `body: Schema` (required) or `body: Schema | Unset` (optional)."""
    if isinstance(annotation, ast.Name):
        return annotation.id, True
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.left, ast.Name):
        return annotation.left.id, False
    return None, False


def _source(module: str) -> str:
    """The module's source text, without importing it. Read from the file the import system found:
    under pytest the loader of an installed package may be the assertion-rewriting hook, which has
    no `get_source`; fall back to the loader only where there is no file (a zip, say)."""
    found = importlib.util.find_spec(module)
    if found is None:
        raise LookupError(module)
    if found.has_location and found.origin and found.origin.endswith(".py"):
        return Path(found.origin).read_text(encoding="utf-8")
    get_source = getattr(found.loader, "get_source", None)
    source = get_source(module) if get_source is not None else None
    if not isinstance(source, str):
        raise LookupError(f"{module}: no source to read (loader {found.loader!r})")
    return source


def _read(module: str, area: str) -> Operation:
    tree = ast.parse(_source(module))
    declared = [
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and [getattr(t, "id", None) for t in node.targets] == ["OPERATION_ID"]
        and isinstance(node.value, ast.Constant)
    ]
    kwargs = next(
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name == "_get_kwargs"
    )
    fields: dict[str, str] = {}
    for node in ast.walk(kwargs):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in ("method", "url"):
                    fields[key.value] = _text(value)
    arguments = kwargs.args.args + kwargs.args.kwonlyargs
    body = next((a.annotation for a in arguments if a.arg == "body"), None)
    schema, required = _body(body)
    return Operation(
        # The spec's operationId, as the generated module states it (older output: from its name).
        operation_id=str(declared[0]) if declared else _camel(module.rsplit(".", 1)[1]),
        method=fields["method"].upper(),
        path=fields["url"],
        body=schema,
        body_required=required,
        area=area,
    )


def _modules(package: str) -> list[str]:
    found = importlib.util.find_spec(package)
    if found is None or found.submodule_search_locations is None:
        raise LookupError(package)
    return sorted(module.name for module in pkgutil.iter_modules(found.submodule_search_locations))


@functools.cache
def operations() -> tuple[Operation, ...]:
    """Every operation of the generated client, in a stable order (area, then name)."""
    return tuple(
        _read(f"{GENERATED_API}.{area}.{name}", area)
        for area in _modules(GENERATED_API)
        for name in _modules(f"{GENERATED_API}.{area}")
    )
