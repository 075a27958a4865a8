"""Offices of the company (`client.offices`). Paths and shapes are INFERRED."""

from __future__ import annotations

from cubicasa_api.api.offices import create_office, list_offices
from cubicasa_api.models import Office, OfficeInput, OfficeList

from ..pagination import AsyncPager, Pager
from ._common import AsyncResource, Resource, ident


class Offices(Resource):
    """`client.offices`."""

    def list(
        self,
        page_size: int | None = None,
        max_items: int | None = None,
        concurrency: int | None = None,
    ) -> Pager[Office]:
        """Every office, page by page. `GET /offices` (listOffices; INFERRED)."""

        return self._pager(list_offices, OfficeList, page_size, max_items, concurrency)

    def create(self, *, name: str) -> Office:
        """Add an office. `POST /offices` (createOffice; INFERRED)."""
        return self._client._call(create_office, Office, body=OfficeInput(name=ident("name", name)))


class AsyncOffices(AsyncResource):
    """`client.offices` of `AsyncCubiCasa`; see `Offices`."""

    def list(
        self,
        page_size: int | None = None,
        max_items: int | None = None,
        concurrency: int | None = None,
    ) -> AsyncPager[Office]:
        """Every office. `GET /offices` (listOffices; INFERRED)."""

        return self._pager(list_offices, OfficeList, page_size, max_items, concurrency)

    async def create(self, *, name: str) -> Office:
        """Add an office (createOffice)."""
        return await self._client._acall(
            create_office, Office, body=OfficeInput(name=ident("name", name))
        )
