# Generated from src/cubicasa/resources/gotoscan.py by scripts/unasync.py: do not edit.
# `make generate` writes it; `make check-generated` fails when it differs.
"""GoToScan orders: a third party scans on the company's behalf (`client.gotoscan`)."""

from __future__ import annotations

from cubicasa_api.api.gotoscan import create_go_to_scan_order
from cubicasa_api.models import GoToScanOrderInput, Order

from ...resources._common import optional_text, required_text
from .._base_client import SyncAPIResource


def _body(
    street: str, city: str, country: str, owner_email: str, **optional: str | None
) -> GoToScanOrderInput:
    required_text(street=street, city=city, country=country, owner_email=owner_email)
    return GoToScanOrderInput(
        street=street,
        city=city,
        country=country,
        owner_email=owner_email,
        **{name: optional_text(name, given) for name, given in optional.items()},
    )


class GoToScan(SyncAPIResource):
    """`client.gotoscan`."""

    def create(
        self,
        *,
        street: str,
        city: str,
        country: str,
        owner_email: str,
        suite: str | None = None,
        state: str | None = None,
        postal_code: str | None = None,
        external_id: str | None = None,
        client_name: str | None = None,
        priority: str | None = None,
    ) -> Order:
        """Create an order whose scan someone else makes with the GoToScan app (link valid for
        7 days). Path, body and response are INFERRED: only the method is documented.

        `POST /orders/gotoscan` (createGoToScanOrder). Never retried after a timeout or a 5xx.

        Args:
            client_name: the name shown to the person who scans.
            priority: turnaround, e.g. "regular", "fast", "ultrafast".
        """
        body = _body(
            street, city, country, owner_email, suite=suite, state=state,
            postal_code=postal_code, external_id=external_id, client_name=client_name,
            priority=priority,
        )  # fmt: skip
        return self._client._call(Order, create_go_to_scan_order._get_kwargs, body=body)
