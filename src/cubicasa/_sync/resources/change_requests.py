# Generated from src/cubicasa/resources/change_requests.py by scripts/unasync.py: do not edit.
# `make generate` writes it; `make check-generated` fails when it differs.
"""Change (fix) requests of an order (`client.orders.change_requests`)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from cubicasa_api.api.change_requests import (
    create_change_request,
    get_change_request,
    list_change_requests,
)
from cubicasa_api.models import ChangeRequest, ChangeRequestInput, ChangeRequestList

from ...pagination import Pager
from ...resources._common import nonempty, required_text, strings
from .._base_client import SyncAPIResource


def _body(text: str, img_urls: Sequence[str] | None) -> ChangeRequestInput:
    required_text(text=text)  # what to fix
    return ChangeRequestInput(text=text, img_urls=strings("img_urls", img_urls))


class ChangeRequests(SyncAPIResource):
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
            ChangeRequest, create_change_request._get_kwargs, order_id=order_id, body=body
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

        return self._client._pager(
            ChangeRequestList,
            partial(list_change_requests._get_kwargs, order_id=order_id),
            page_size,
            max_items,
            concurrency,
            "orders.change_requests.list",
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
            get_change_request._get_kwargs,
            order_id=order_id,
            change_request_id=change_request_id,
        )
