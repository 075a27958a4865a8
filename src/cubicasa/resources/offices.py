"""Offices of the company (`client.offices`). Paths and shapes are INFERRED."""

from __future__ import annotations

from cubicasa_api.api.offices import create_office, list_offices
from cubicasa_api.models import Office, OfficeInput, OfficeList

from ..pagination import AsyncPager, Pager
from ._common import AsyncResource, Resource, nonempty


class Offices(Resource):
    """`client.offices`."""

    def list(
        self,
        page_size: int | None = None,
        max_items: int | None = None,
        concurrency: int | None = None,
    ) -> Pager[Office]:
        """Every office, page by page. `GET /offices` (listOffices; INFERRED)."""

        return self._pager(
            OfficeList,
            lambda api, offset, limit: list_offices.sync_detailed(
                client=api, offset=offset, limit=limit
            ),
            page_size,
            max_items,
            concurrency,
        )

    def create(self, *, name: str) -> Office:
        """Add an office. `POST /offices` (createOffice; INFERRED)."""
        body = OfficeInput(name=nonempty("name", name))
        return self._client._call(
            Office, lambda api: create_office.sync_detailed(client=api, body=body)
        )


class AsyncOffices(AsyncResource):
    """`client.offices` of `AsyncCubiCasa`; see `Offices`."""

    def list(
        self,
        page_size: int | None = None,
        max_items: int | None = None,
        concurrency: int | None = None,
    ) -> AsyncPager[Office]:
        """Every office. `GET /offices` (listOffices; INFERRED)."""

        return self._pager(
            OfficeList,
            lambda api, offset, limit: list_offices.asyncio_detailed(
                client=api, offset=offset, limit=limit
            ),
            page_size,
            max_items,
            concurrency,
        )

    async def create(self, *, name: str) -> Office:
        """Add an office (createOffice)."""
        body = OfficeInput(name=nonempty("name", name))
        return await self._client._acall(
            Office, lambda api: create_office.asyncio_detailed(client=api, body=body)
        )
