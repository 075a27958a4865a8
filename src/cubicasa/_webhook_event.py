"""The typed order-status event: the generated pydantic model plus the questions its fields
answer. Imported lazily by `cubicasa.webhooks`, so that `import cubicasa` needs no pydantic."""

from __future__ import annotations

import hashlib
import json
import typing
from typing import TYPE_CHECKING, Any

from pydantic import PrivateAttr

from cubicasa_webhook_models import OrderStatusEvent as _GeneratedEvent

from .errors import FieldTypeError, MissingFieldError

# The documented fields, in a fixed order: what makes two deliveries "the same event".
IDENTITY = ("id", "current_status", "previous_status", "model_id", "product_type", "delivery_type")
WEBHOOK = "orderStatus"  # the spec's name for the call, as field errors name it
_MISSING: Any = object()
_JSON_KINDS = {str: "a string", bool: "a boolean", int: "a number", float: "a number"}
_JSON_KINDS.update({list: "an array", dict: "an object", type(None): "null"})


def _kind(value: Any) -> str:
    return _JSON_KINDS.get(type(value), type(value).__name__)


class OrderStatusEvent(_GeneratedEvent):
    """An order-status call from CubiCasa (https://integrate.docs.cubi.casa/about-webhooks-1362318m0).

    Fields: `id` (the order), `current_status`, `previous_status`, `model_id`, `product_type`,
    `delivery_type`; anything else CubiCasa sends is kept in `model_extra`. Values the docs do not
    list (a new status or product type) are kept as they came.
    """

    _duplicate: bool = PrivateAttr(default=False)
    # Documented fields that were missing or of another JSON type -> (what the spec expects,
    # the value as it came or _MISSING): reading one raises (see `forgiving`).
    _deviations: dict[str, tuple[str, Any]] = PrivateAttr(default_factory=dict)

    @classmethod
    def forgiving(cls, data: dict[str, Any], fields: set[str]) -> OrderStatusEvent:
        """The event all the same, when the documented `fields` of `data` are missing or of
        another JSON type: a receiver acknowledges an event rather than refusing it (CubiCasa
        would only send it twice more). Those fields are left unset, and reading one raises
        MissingFieldError (an AttributeError) or FieldTypeError; the rest reads as usual."""
        event = cls.model_construct(**{k: v for k, v in data.items() if k not in fields})
        for name in fields:
            event.__dict__.pop(name, None)  # no default stands in for what did not fit
            event._deviations[name] = (_expected(cls, name), data.get(name, _MISSING))
        return event

    if not TYPE_CHECKING:  # for mypy, an attribute no event declares stays an error

        def __getattr__(self, name: str) -> Any:
            if not name.startswith("_") and name in self._deviations:
                expected, value = self._deviations[name]
                pointer = "/" + name.replace("~", "~0").replace("/", "~1")
                if value is _MISSING:
                    raise MissingFieldError(
                        f"{WEBHOOK}: {pointer} was not in the event (the spec requires it)",
                        operation=WEBHOOK, pointer=pointer, expected=expected,
                    )  # fmt: skip
                raise FieldTypeError(
                    f"{WEBHOOK}: {pointer} was {_kind(value)} in the event (the spec expects "
                    f"{expected})",
                    operation=WEBHOOK, pointer=pointer, expected=expected, seen=_kind(value),
                )  # fmt: skip
            return super().__getattr__(name)

    @property
    def deviations(self) -> list[str]:
        """The documented fields that were missing or of another JSON type ([] usually)."""
        return sorted(self._deviations)

    @property
    def is_ready(self) -> bool:
        return self.current_status == "Ready"

    @property
    def is_first_delivery(self) -> bool:
        """Ready, coming from Pending: the order's first delivery."""
        return self.is_ready and self.previous_status == "Pending"

    @property
    def is_fix_delivered(self) -> bool:
        """Ready, coming from Fixing: a fix (change) request was delivered."""
        return self.is_ready and self.previous_status == "Fixing"

    @property
    def is_quick_edit(self) -> bool:
        """Ready, coming from Ready: a Quick Edit changed a delivered order."""
        return self.is_ready and self.previous_status == "Ready"

    @property
    def dedupe_key(self) -> str:
        """A key that is the same for every retry of this call (CubiCasa tries 3 times).

        It is built from the documented fields only. It cannot tell a retry from a later event
        with the same content: two Quick Edits of one order's 2D product in a row send identical
        payloads, and CubiCasa documents no event ID or timestamp that would set them apart. So
        forget keys after a window a little longer than CubiCasa's retries (see `RecentEvents`),
        and make handling idempotent where you can (for example, re-read the order).
        """
        identity = [self._as_came(name) for name in IDENTITY]
        digest = hashlib.sha256(json.dumps(identity, separators=(",", ":")).encode()).hexdigest()
        return f"{self._as_came('id')}:{digest[:32]}"

    def _as_came(self, name: str) -> Any:
        if name in self._deviations:
            value = self._deviations[name][1]
            return None if value is _MISSING else value
        return getattr(self, name)

    @property
    def duplicate(self) -> bool:
        """True when `handle()` / `WebhookReceiver` saw the same `dedupe_key` recently."""
        return self._duplicate


def _expected(cls: type[OrderStatusEvent], name: str) -> str:
    """What the spec expects of field `name`, as JSON types ("a string or null")."""
    field = cls.model_fields.get(name)
    if field is None:
        return "a value"
    kinds = typing.get_args(field.annotation) or (field.annotation,)
    return " or ".join(
        _JSON_KINDS.get(kind, getattr(kind, "__name__", "a value")) for kind in kinds
    )
