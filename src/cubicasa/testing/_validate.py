"""Request-body checks of the fake, answering like the live API: a 400 whose body lists each
failure as `{"loc": [...], "msg": ..., "type": ...}` with the validation library's messages.

The rules are the spec's request schemas as `make generate` wrote them into the operations table
(`_operations.table()`): each top-level field's type, nullability, value list and list items,
which fields are required, and whether others are refused (additionalProperties: false).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ._http import Call, Invalid, Json
from ._operations import schema as table_schema

Failure = dict[str, Any]

STR, NUM, INT, BOOL, LIST, OBJ = "string", "number", "integer", "boolean", "array", "object"
ANY = "any"


@dataclass(frozen=True)
class Field:
    kind: str
    required: bool = False
    nullable: bool = False
    items: str | None = None  # the kind of list items
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Body:
    fields: dict[str, Field]
    closed: bool  # additionalProperties: false


def _resolved(node: dict[str, Any]) -> dict[str, Any]:
    while "ref" in node:
        node = table_schema(node["ref"])
    return node


def _field(node: dict[str, Any], required: bool) -> Field:
    node = _resolved(node)
    types = node.get("types", [])
    kind = next((t for t in types if t != "null"), ANY)
    items = _resolved(node["items"]) if "items" in node else None
    enum = (items or node).get("enum")
    return Field(
        kind=kind,
        required=required,
        nullable="null" in types,
        items=next((t for t in items.get("types", []) if t != "null"), None) if items else None,
        enum=tuple(enum) if enum else None,
    )


_BODIES: dict[str, Body] = {}


def body_rules(name: str) -> Body:
    """The rules of the request schema `name`, from the operations table (KeyError if unknown)."""
    found = _BODIES.get(name)
    if found is None:
        node = _resolved({"ref": name})
        required = set(node.get("required", []))
        fields = {
            key: _field(value, key in required) for key, value in node.get("properties", {}).items()
        }
        found = _BODIES[name] = Body(fields, closed=bool(node.get("closed")))
    return found


_MESSAGES = {
    STR: ("str type expected", "type_error.str"),
    NUM: ("value is not a valid float", "type_error.float"),
    INT: ("value is not a valid integer", "type_error.integer"),
    BOOL: ("value could not be parsed to a boolean", "type_error.bool"),
    LIST: ("value is not a valid list", "type_error.list"),
    OBJ: ("value is not a valid dict", "type_error.dict"),
}


def failure(loc: list[str | int], msg: str, kind: str) -> Failure:
    return {"loc": loc, "msg": msg, "type": kind}


def _is(kind: str, value: Any) -> bool:
    if kind == STR:
        return isinstance(value, str)
    if kind == NUM:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == LIST:
        return isinstance(value, list)
    if kind == OBJ:
        return isinstance(value, dict)
    return True  # a field the spec gives no type (anyOf, say): anything passes here


def _check(loc: list[str | int], field: Field, value: Any) -> list[Failure]:
    if value is None:
        if field.nullable:
            return []
        return [failure(loc, "none is not an allowed value", "type_error.none.not_allowed")]
    if not _is(field.kind, value):
        return [failure(loc, *_MESSAGES[field.kind])]
    if field.kind == LIST and field.items:
        problems = []
        for i, item in enumerate(value):
            if not _is(field.items, item):
                problems.append(failure([*loc, i], *_MESSAGES[field.items]))
            elif field.enum and item not in field.enum:
                problems.append(_enum([*loc, i], field.enum))
        return problems
    if field.enum and value not in field.enum:
        return [_enum(loc, field.enum)]
    return []


def _enum(loc: list[str | int], allowed: tuple[str, ...]) -> Failure:
    permitted = ", ".join(f"'{a}'" for a in allowed)
    return failure(
        loc, f"value is not a valid enumeration member; permitted: {permitted}", "type_error.enum"
    )


def validate(body: Any, schema: str | None) -> list[Failure]:
    """Failures of `body` against the request schema named `schema` ([] when valid)."""
    if not isinstance(body, dict):
        return [failure(["__root__"], "value is not a valid dict", "type_error.dict")]
    if schema is None:
        return []
    spec = body_rules(schema)
    problems: list[Failure] = []
    for name, field in spec.fields.items():
        if name not in body:
            if field.required:
                problems.append(failure([name], "field required", "value_error.missing"))
            continue
        problems.extend(_check([name], field, body[name]))
    if spec.closed:
        for name in body:
            if name not in spec.fields:
                problems.append(failure([name], "extra fields not permitted", "value_error.extra"))
    return problems


MAX_DEPTH = 64
"""The deepest nesting of a request body the fake accepts (it would echo deeper ones back)."""


def _depth(value: Any) -> int:
    deepest, level = 0, [(value, 1)]
    while level:
        item, depth = level.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            level.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            level.extend((child, depth + 1) for child in item)
    return deepest


def read_body(call: Call) -> dict[str, Json]:
    """The JSON object of the call's body, checked against its operation's request schema (an
    operation without one only needs an object); 400 otherwise."""
    body, operation = call.body, call.operation
    if not body.strip():
        if not operation.body_required:
            return {}
        raise Invalid(
            "body_params", [failure(["__root__"], "field required", "value_error.missing")]
        )
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deeply
        raise Invalid(
            "body_params", [failure(["__root__"], "Invalid JSON body", "value_error.jsondecode")]
        ) from None
    if _depth(data) > MAX_DEPTH:
        raise Invalid(
            "body_params",
            [
                failure(
                    ["__root__"], f"JSON nested deeper than {MAX_DEPTH}", "value_error.jsondecode"
                )
            ],
        )
    problems = validate(data, operation.body)
    if problems:
        raise Invalid("body_params", problems)
    result: dict[str, Json] = data
    return result
