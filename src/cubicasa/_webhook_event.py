"""The typed order-status event: the generated pydantic model plus the questions its fields
answer. Imported lazily by `cubicasa.webhooks`, so that `import cubicasa` needs no pydantic."""

from __future__ import annotations

import hashlib
import json

from pydantic import PrivateAttr

from cubicasa_webhook_models import OrderStatusEvent as _GeneratedEvent

# The documented fields, in a fixed order: what makes two deliveries "the same event".
IDENTITY = ("id", "current_status", "previous_status", "model_id", "product_type", "delivery_type")


class OrderStatusEvent(_GeneratedEvent):
    """An order-status call from CubiCasa (https://integrate.docs.cubi.casa/about-webhooks-1362318m0).

    Fields: `id` (the order), `current_status`, `previous_status`, `model_id`, `product_type`,
    `delivery_type`; anything else CubiCasa sends is kept in `model_extra`. Values the docs do not
    list (a new status or product type) are kept as they came.
    """

    _duplicate: bool = PrivateAttr(default=False)

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
        identity = [getattr(self, name) for name in IDENTITY]
        digest = hashlib.sha256(json.dumps(identity, separators=(",", ":")).encode()).hexdigest()
        return f"{self.id}:{digest[:32]}"

    @property
    def duplicate(self) -> bool:
        """True when `handle()` / `WebhookReceiver` saw the same `dedupe_key` recently."""
        return self._duplicate
