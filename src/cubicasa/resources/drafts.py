"""Draft orders: created before scanning so a scan can be attached (`client.drafts`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cubicasa_api.api.drafts import (
    create_draft_order,
    delete_draft_order,
    update_draft_order,
)
from cubicasa_api.models import DraftOrderInput, Message, Order, OrderPreferences

from .._base_client import AsyncAPIResource
from ._common import (
    nonempty,
    number,
    optional_text,
    preferences,
    required_text,
    strings,
)


def _draft(
    street: str,
    city: str,
    country: str,
    owner_email: str,
    suite: str | None,
    state: str | None,
    postal_code: str | None,
    info: str | None,
    latitude: float | None,
    longitude: float | None,
    external_id: str | None,
    package_type: str | None,
    add_ons: Sequence[str] | None,
    order_preferences: OrderPreferences | Mapping[str, Any] | None,
) -> DraftOrderInput:
    required_text(street=street, city=city, country=country, owner_email=owner_email)
    return DraftOrderInput(
        street=street,
        city=city,
        country=country,
        owner_email=owner_email,
        suite=optional_text("suite", suite),
        state=optional_text("state", state),
        postal_code=optional_text("postal_code", postal_code),
        info=optional_text("info", info),
        latitude=number("latitude", latitude, -90, 90),
        longitude=number("longitude", longitude, -180, 180),
        external_id=optional_text("external_id", external_id),
        package_type=optional_text("package_type", package_type),
        add_ons=strings("add_ons", add_ons),
        order_preferences=preferences(order_preferences),
    )


class AsyncDrafts(AsyncAPIResource):
    """`client.drafts`: create, update and delete draft orders.

    The body is flat (the API rejects a nested address); `postal_code` is sent as `postalCode`.
    """

    async def create(
        self,
        *,
        street: str,
        city: str,
        country: str,
        owner_email: str,
        suite: str | None = None,
        state: str | None = None,
        postal_code: str | None = None,
        info: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        external_id: str | None = None,
        package_type: str | None = None,
        add_ons: Sequence[str] | None = None,
        order_preferences: OrderPreferences | Mapping[str, Any] | None = None,
    ) -> Order:
        """Create a draft order that a scan can be attached to.

        `POST /orders/draft` (createDraftOrder). Never retried after a timeout or a 5xx: a
        repeated create would make a second order.

        Args:
            street, city, country: the address (country in full, e.g. "United States").
            owner_email: the user who owns the order; must be a user of the company.
            latitude, longitude: place the draft in the mobile app's "nearest orders" list.
            external_id: your own reference, returned as `order.info.external_id`.
            info: free text for the production team.

        Raises:
            BadRequestError: CubiCasa rejected a field; `.errors` says which.
        """
        body = _draft(
            street, city, country, owner_email, suite, state, postal_code, info,
            latitude, longitude, external_id, package_type, add_ons, order_preferences,
        )  # fmt: skip
        return await self._client._call(Order, create_draft_order._get_kwargs, body=body)

    async def update(
        self,
        order_id: str,
        *,
        street: str,
        city: str,
        country: str,
        owner_email: str,
        suite: str | None = None,
        state: str | None = None,
        postal_code: str | None = None,
        info: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        external_id: str | None = None,
        package_type: str | None = None,
        add_ons: Sequence[str] | None = None,
        order_preferences: OrderPreferences | Mapping[str, Any] | None = None,
    ) -> Order:
        """Replace a draft's address, owner and product (street, city, country and owner_email
        are required by the API even on this PATCH).

        `PATCH /orders/draft/{order_id}` (updateDraftOrder).
        """
        body = _draft(
            street, city, country, owner_email, suite, state, postal_code, info,
            latitude, longitude, external_id, package_type, add_ons, order_preferences,
        )  # fmt: skip
        order_id = nonempty("order_id", order_id)
        return await self._client._call(
            Order, update_draft_order._get_kwargs, order_id=order_id, body=body
        )

    async def delete(self, order_id: str) -> Message:
        """Delete a draft order. `DELETE /orders/draft/{order_id}` (deleteDraftOrder; INFERRED)."""
        order_id = nonempty("order_id", order_id)
        return await self._client._call(Message, delete_draft_order._get_kwargs, order_id=order_id)


# The sync twin, produced from this module by `make generate` (scripts/unasync.py).
from .._sync.resources.drafts import Drafts as Drafts  # noqa: E402
