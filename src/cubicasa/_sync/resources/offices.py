# Generated from src/cubicasa/resources/offices.py by scripts/unasync.py: do not edit.
# `make generate` writes it; `make check-generated` fails when it differs.
"""Offices of the company (`client.offices`). Paths and shapes are INFERRED."""

from __future__ import annotations

from cubicasa_api.api.offices import create_office, list_offices
from cubicasa_api.models import Office, OfficeInput, OfficeList

from ...pagination import Pager
from ...resources._common import nonempty
from .._base_client import SyncAPIResource


class Offices(SyncAPIResource):
    """`client.offices`."""

    def list(
        self,
        page_size: int | None = None,
        max_items: int | None = None,
        concurrency: int | None = None,
    ) -> Pager[Office]:
        """Every office, page by page. `GET /offices` (listOffices; INFERRED)."""

        return self._client._pager(
            OfficeList, list_offices._get_kwargs, page_size, max_items, concurrency, "offices.list"
        )

    def create(self, *, name: str) -> Office:
        """Add an office. `POST /offices` (createOffice; INFERRED)."""
        body = OfficeInput(name=nonempty("name", name))
        return self._client._call(Office, create_office._get_kwargs, body=body)
