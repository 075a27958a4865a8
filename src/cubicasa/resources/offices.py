"""Offices of the company (`client.offices`). Paths and shapes are INFERRED."""

from __future__ import annotations

from cubicasa_api.api.offices import create_office, list_offices
from cubicasa_api.models import Office, OfficeInput, OfficeList

from .._base_client import AsyncAPIResource
from ..pagination import AsyncPager
from ._common import nonempty


class AsyncOffices(AsyncAPIResource):
    """`client.offices`."""

    def list(
        self,
        page_size: int | None = None,
        max_items: int | None = None,
        concurrency: int | None = None,
    ) -> AsyncPager[Office]:
        """Every office, page by page. `GET /offices` (listOffices; INFERRED)."""

        return self._client._pager(
            OfficeList, list_offices._get_kwargs, page_size, max_items, concurrency, "offices.list"
        )

    async def create(self, *, name: str) -> Office:
        """Add an office. `POST /offices` (createOffice; INFERRED)."""
        body = OfficeInput(name=nonempty("name", name))
        return await self._client._call(Office, create_office._get_kwargs, body=body)


# The sync twin, produced from this module by `make generate` (scripts/unasync.py).
from .._sync.resources.offices import Offices as Offices  # noqa: E402
