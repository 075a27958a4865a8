"""Request-body checks of the fake, answering like the live API: a 400 whose body lists each
failure as `{"loc": [...], "msg": ..., "type": ...}` with the validation library's messages.

The tables below hold the rules of the spec's request schemas (which operation takes which
schema comes from the generated client); a test compares them with the spec, so they cannot drift.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ._http import Call, Invalid, Json

Failure = dict[str, Any]

STR, NUM, BOOL, LIST, OBJ = "string", "number", "boolean", "array", "object"


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


ROLES = ("Collaborator", "User", "Manager")
TRIGGERS = (
    "moved_to_draft",
    "moved_to_pending",
    "moved_to_ready",
    "moved_to_fixing",
    "moved_to_failed",
)

_ADDRESS = {
    "street": Field(STR, required=True),
    "suite": Field(STR),
    "city": Field(STR, required=True),
    "state": Field(STR),
    "country": Field(STR, required=True),
    "postalCode": Field(STR),
}

BODIES: dict[str, Body] = {
    "DraftOrderInput": Body(
        {
            **_ADDRESS,
            "info": Field(STR),
            "latitude": Field(NUM),
            "longitude": Field(NUM),
            "external_id": Field(STR),
            "owner_email": Field(STR, required=True),
            "package_type": Field(STR),
            "add_ons": Field(LIST, items=STR),
            "order_preferences": Field(OBJ),
        },
        closed=True,
    ),
    "GoToScanOrderInput": Body(
        {
            **_ADDRESS,
            "external_id": Field(STR),
            "owner_email": Field(STR, required=True),
            "client_name": Field(STR),
            "priority": Field(STR),
        },
        closed=False,
    ),
    "UserInput": Body(
        {
            "email": Field(STR, required=True),
            "role": Field(STR, required=True, enum=ROLES),
            "office_id": Field(STR),
            "password": Field(STR),
        },
        closed=True,
    ),
    "UserUpdateInput": Body(
        {
            "name": Field(STR),
            "surname": Field(STR),
            "role": Field(STR, enum=ROLES),
            "office_id": Field(STR),
        },
        closed=True,
    ),
    "ChangePasswordInput": Body(
        {
            "email": Field(STR, required=True),
            "old_password": Field(STR, required=True),
            "new_password": Field(STR, required=True),
        },
        closed=True,
    ),
    "PasswordResetInput": Body({"email": Field(STR, required=True)}, closed=True),
    "UpgradeOrderInput": Body(
        {"package_type": Field(STR, nullable=True), "add_ons": Field(LIST, items=STR)},
        closed=True,
    ),
    "RedeliverOrderInput": Body({"order_preferences": Field(OBJ)}, closed=False),
    "RedrawOrderInput": Body({"info": Field(STR), "order_preferences": Field(OBJ)}, closed=False),
    "ChangeRequestInput": Body(
        {"text": Field(STR, required=True), "img_urls": Field(LIST, items=STR)}, closed=False
    ),
    "OfficeInput": Body({"name": Field(STR, required=True)}, closed=False),
    "MergeRequestInput": Body({"email": Field(STR)}, closed=False),
    "WebhookConfigInput": Body(
        {
            "webhook_urls": Field(LIST, items=STR),
            "webhook_triggers": Field(LIST, items=STR, enum=TRIGGERS),
        },
        closed=True,
    ),
}

_MESSAGES = {
    STR: ("str type expected", "type_error.str"),
    NUM: ("value is not a valid float", "type_error.float"),
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
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == LIST:
        return isinstance(value, list)
    return isinstance(value, dict)


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
    spec = BODIES.get(schema or "")
    if spec is None:
        return []
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
    """The JSON object of the call's body, checked against its operation's request schema (the
    rules in `BODIES`; a schema without rules there only needs an object); 400 otherwise."""
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
