"""The fake's answer to each operation, one module per API area (as `cubicasa.resources`)."""

from __future__ import annotations

from .._store import Handler
from . import change_requests, company, drafts, gotoscan, offices, orders, users, webhooks

HANDLERS: dict[str, Handler] = {
    **change_requests.HANDLERS,
    **company.HANDLERS,
    **drafts.HANDLERS,
    **gotoscan.HANDLERS,
    **offices.HANDLERS,
    **orders.HANDLERS,
    **users.HANDLERS,
    **webhooks.HANDLERS,
}
"""Operation ID -> handler."""
