"""The company account (`client.company`). Paths and shapes are INFERRED."""

from __future__ import annotations

from cubicasa_api.api.company import (
    get_company_info,
    get_company_package,
    send_company_merge_request,
)
from cubicasa_api.models import CompanyInfo, CompanyPackage, MergeRequestInput, Message

from ._common import AsyncResource, Resource, nonempty


class Company(Resource):
    """`client.company`."""

    def get(self) -> CompanyInfo:
        """The company the API key belongs to. `GET /companies/info` (getCompanyInfo)."""
        return self._client._call(
            CompanyInfo, lambda api: get_company_info.sync_detailed(client=api)
        )

    def get_package(self) -> CompanyPackage:
        """The company's default package. `GET /companies/package` (getCompanyPackage)."""
        return self._client._call(
            CompanyPackage, lambda api: get_company_package.sync_detailed(client=api)
        )

    def send_merge_request(self, *, email: str) -> Message:
        """Ask another company, named by its manager's e-mail, to merge with this one.

        `POST /companies/merge-request` (sendCompanyMergeRequest; path and body INFERRED).
        """
        body = MergeRequestInput(email=nonempty("email", email))
        return self._client._call(
            Message,
            lambda api: send_company_merge_request.sync_detailed(client=api, body=body),
        )


class AsyncCompany(AsyncResource):
    """`client.company` of `AsyncCubiCasa`; see `Company`."""

    async def get(self) -> CompanyInfo:
        """The company's information (getCompanyInfo)."""
        return await self._client._acall(
            CompanyInfo, lambda api: get_company_info.asyncio_detailed(client=api)
        )

    async def get_package(self) -> CompanyPackage:
        """The company's default package (getCompanyPackage)."""
        return await self._client._acall(
            CompanyPackage, lambda api: get_company_package.asyncio_detailed(client=api)
        )

    async def send_merge_request(self, *, email: str) -> Message:
        """Send a merge request to another company (sendCompanyMergeRequest)."""
        body = MergeRequestInput(email=nonempty("email", email))
        return await self._client._acall(
            Message,
            lambda api: send_company_merge_request.asyncio_detailed(client=api, body=body),
        )
