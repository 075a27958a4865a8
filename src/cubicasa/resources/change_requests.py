"""Change (fix) requests of an order (`client.orders.change_requests`)."""

from __future__ import annotations

from collections.abc import Sequence

from cubicasa_api.api.change_requests import (
    create_change_request,
    get_change_request,
    list_change_requests,
)
from cubicasa_api.models import ChangeRequest, ChangeRequestInput, ChangeRequestList

from ..pagination import AsyncPager, Pager
from ._common import AsyncResource, Resource, nonempty, required_text, strings


def _body(text: str, img_urls: Sequence[str] | None) -> ChangeRequestInput:
    required_text(text=text)  # what to fix
    return ChangeRequestInput(text=text, img_urls=strings("img_urls", img_urls))


class ChangeRequests(Resource):
    """`client.orders.change_requests`: ask for a fix of a delivered floor plan."""

    area = "orders.change_requests"

    def create(
        self, order_id: str, *, text: str, img_urls: Sequence[str] | None = None
    ) -> ChangeRequest:
        """Send the order back to production with a fix request (moves it to `Fixing`).

        `POST /orders/{order_id}/change-requests` (createChangeRequest; body fields INFERRED).
        Never retried after a timeout or a 5xx. Collaborators may not do this (403).

        Args:
            text: what to fix.
            img_urls: images showing what to fix.
        """
        body = _body(text, img_urls)
        order_id = nonempty("order_id", order_id)
        return self._client._call(
            ChangeRequest,
            lambda api: create_change_request.sync_detailed(
                client=api, order_id=order_id, body=body
            ),
        )

    def list(
        self,
        order_id: str,
        page_size: int | None = None,
        max_items: int | None = None,
        concurrency: int | None = None,
    ) -> Pager[ChangeRequest]:
        """Every change request of an order, page by page.

        `GET /orders/{order_id}/change-requests` (listChangeRequests; path INFERRED).
        """
        order_id = nonempty("order_id", order_id)

        return self._pager(
            ChangeRequestList,
            lambda api, offset, limit: list_change_requests.sync_detailed(
                order_id, client=api, offset=offset, limit=limit
            ),
            page_size,
            max_items,
            concurrency,
            order_id=order_id,
        )

    def get(self, order_id: str, change_request_id: str) -> ChangeRequest:
        """One change request of an order.

        `GET /orders/{order_id}/change-requests/{change_request_id}` (getChangeRequest).

        Raises:
            NotFoundError: no such order or change request.
        """
        order_id = nonempty("order_id", order_id)
        change_request_id = nonempty("change_request_id", change_request_id)
        return self._client._call(
            ChangeRequest,
            lambda api: get_change_request.sync_detailed(
                client=api, order_id=order_id, change_request_id=change_request_id
            ),
        )


class AsyncChangeRequests(AsyncResource):
    """`client.orders.change_requests` of `AsyncCubiCasa`; see `ChangeRequests`."""

    area = "orders.change_requests"

    async def create(
        self, order_id: str, *, text: str, img_urls: Sequence[str] | None = None
    ) -> ChangeRequest:
        """Send a fix request. `POST /orders/{order_id}/change-requests` (createChangeRequest)."""
        body = _body(text, img_urls)
        order_id = nonempty("order_id", order_id)
        return await self._client._acall(
            ChangeRequest,
            lambda api: create_change_request.asyncio_detailed(
                client=api, order_id=order_id, body=body
            ),
        )

    def list(
        self,
        order_id: str,
        page_size: int | None = None,
        max_items: int | None = None,
        concurrency: int | None = None,
    ) -> AsyncPager[ChangeRequest]:
        """Every change request of an order. `GET /orders/{order_id}/change-requests`."""
        order_id = nonempty("order_id", order_id)

        return self._pager(
            ChangeRequestList,
            lambda api, offset, limit: list_change_requests.asyncio_detailed(
                order_id, client=api, offset=offset, limit=limit
            ),
            page_size,
            max_items,
            concurrency,
            order_id=order_id,
        )

    async def get(self, order_id: str, change_request_id: str) -> ChangeRequest:
        """One change request (getChangeRequest)."""
        order_id = nonempty("order_id", order_id)
        change_request_id = nonempty("change_request_id", change_request_id)
        return await self._client._acall(
            ChangeRequest,
            lambda api: get_change_request.asyncio_detailed(
                client=api, order_id=order_id, change_request_id=change_request_id
            ),
        )
