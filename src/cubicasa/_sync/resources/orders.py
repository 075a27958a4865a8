# Generated from src/cubicasa/resources/orders.py by scripts/unasync.py: do not edit.
# `make generate` writes it; `make check-generated` fails when it differs.
"""Orders: list, get, upgrade, re-deliver, redraw, and the combined PDF (`client.orders`)."""

from __future__ import annotations

import builtins
import os
import warnings
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from cubicasa_api.api.orders import (
    create_redraw_order,
    get_order,
    get_order_combined_pdf,
    list_orders,
    redeliver_order,
    upgrade_order,
)
from cubicasa_api.models import (
    Order,
    OrderList,
    OrderListItem,
    OrderPreferences,
    RedeliverOrderInput,
    RedrawOrderInput,
    UpgradeOrderInput,
)

from ..._download import Progress
from ...pagination import Pager
from ...resources._common import (
    nonempty,
    optional_text,
    preferences,
    strings,
)
from .._base_client import SyncAPIResource
from .change_requests import ChangeRequests

# The documented order statuses (https://integrate.docs.cubi.casa/about-webhooks-1362318m0).
# The list is open, so another value is still sent, with a warning: a typo filters out everything.
STATUSES = ("New", "Draft", "Pending", "Ready", "Fixing")


def _statuses(status: str | Sequence[str] | None) -> builtins.list[str] | Any:
    statuses = strings("status", [status] if isinstance(status, str) else status)
    unknown = [s for s in statuses or () if s not in STATUSES]
    if unknown:
        warnings.warn(
            f"order status {', '.join(map(repr, unknown))} is not one CubiCasa documents "
            f"({', '.join(STATUSES)}); sent anyway, but a typo matches no order",
            UserWarning,
            stacklevel=3,
        )
    return statuses


def _upgrade_body(package_type: str | None, add_ons: Sequence[str]) -> UpgradeOrderInput:
    # package_type None is sent as null: "keep the current package" (documented).
    if package_type is not None:
        nonempty("package_type", package_type)
    return UpgradeOrderInput(package_type=package_type, add_ons=strings("add_ons", add_ons))


def _download_args(path: object, progress: object) -> None:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__} {path!r}")
    if not str(os.fspath(path)).strip():
        raise ValueError("path must name a file, got an empty path")
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be callable or None, got {type(progress).__name__}")


class Orders(SyncAPIResource):
    """`client.orders`: floor-plan orders and their deliverables."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.change_requests = ChangeRequests(client)

    def list(
        self,
        status: str | Sequence[str] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        concurrency: int | None = None,
    ) -> Pager[OrderListItem]:
        """Every order, newest first, fetched page by page as you iterate.

        `GET /orders` (listOrders). List items may lack `delivery_assets`: use `get()` for them.

        Args:
            status: only orders in one of these statuses (e.g. `["Ready", "Pending"]`).
            page_size: items per request (`limit`); the server's default (20) when None.
            max_items: stop after this many items, fetching no page beyond them.
            concurrency: fetch up to this many pages at once (see `cubicasa.pagination`).

        Returns:
            A `Pager[OrderListItem]`: iterate it for orders, or call `.pages()` for pages.
        """
        statuses = _statuses(status)

        return self._client._pager(
            OrderList,
            partial(list_orders._get_kwargs, status=statuses),
            page_size,
            max_items,
            concurrency,
            "orders.list",
        )

    def get(self, order_id: str) -> Order:
        """One order, with download links under `delivery_assets`.

        `GET /orders/{id}` (getOrder).

        Raises:
            NotFoundError: no such order for this API key.
        """
        order_id = nonempty("order_id", order_id)
        return self._client._call(Order, get_order._get_kwargs, id=order_id)

    def upgrade(
        self,
        order_id: str,
        package_type: str | None = None,
        add_ons: Sequence[str] = (),
    ) -> Order:
        """Upgrade the package and/or buy add-ons after the purchase; returns the updated order.

        `POST /orders/{order_id}/post-purchase` (upgradeOrder). Never retried after a timeout or
        a 5xx, since it bills.

        Args:
            package_type: the new package (`"plus"`, ...); None keeps the current one.
            add_ons: add-ons to buy, e.g. from `order.info.product.purchasable_add_ons`.
        """
        body = _upgrade_body(package_type, add_ons)
        order_id = nonempty("order_id", order_id)
        return self._client._call(Order, upgrade_order._get_kwargs, order_id=order_id, body=body)

    def redeliver(
        self,
        order_id: str,
        *,
        order_preferences: OrderPreferences | Mapping[str, Any] | None = None,
    ) -> Order:
        """Re-deliver an order with other styling options (path and body INFERRED).

        `POST /orders/{order_id}/redeliver` (redeliverOrder).
        """
        body = RedeliverOrderInput(order_preferences=preferences(order_preferences))
        order_id = nonempty("order_id", order_id)
        return self._client._call(Order, redeliver_order._get_kwargs, order_id=order_id, body=body)

    def redraw(
        self,
        order_id: str,
        *,
        info: str | None = None,
        order_preferences: OrderPreferences | Mapping[str, Any] | None = None,
    ) -> Order:
        """Create a redraw order from an existing one (path and body INFERRED).

        `POST /orders/{order_id}/redraw` (createRedrawOrder).
        """
        body = RedrawOrderInput(
            info=optional_text("info", info),
            order_preferences=preferences(order_preferences),
        )
        order_id = nonempty("order_id", order_id)
        return self._client._call(
            Order, create_redraw_order._get_kwargs, order_id=order_id, body=body
        )

    def get_combined_pdf(self, order_id: str) -> bytes:
        """The order's deliverables as one PDF, in memory (see `download_combined_pdf`).

        `GET /orders/{order_id}/combined-pdf` (getOrderCombinedPdf; path INFERRED).

        Raises:
            ResponseValidationError: the body is not a PDF.
        """
        order_id = nonempty("order_id", order_id)
        return self._client._call_pdf(get_order_combined_pdf._get_kwargs, order_id=order_id)

    def download_combined_pdf(
        self,
        order_id: str,
        path: str | os.PathLike[str],
        *,
        progress: Progress | None = None,
    ) -> Path:
        """Stream the combined PDF to `path`, in constant memory.

        `GET /orders/{order_id}/combined-pdf` (getOrderCombinedPdf). The body goes to a temporary
        file beside `path`, renamed to `path` only when complete: an interrupted download leaves
        no file at `path`.

        Args:
            progress: called as `progress(bytes_done, total_or_None)` after each chunk.

        Returns:
            `path`, as a `Path`.
        """
        _download_args(path, progress)
        return self._client._download(
            get_order_combined_pdf._get_kwargs,
            path,
            progress,
            order_id=nonempty("order_id", order_id),
        )
