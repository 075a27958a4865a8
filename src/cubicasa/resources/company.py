"""The company account (`client.company`). Paths and shapes are INFERRED."""

from __future__ import annotations

from cubicasa_api.api.company import (
    get_company_info,
    get_company_package,
    send_company_merge_request,
)
from cubicasa_api.models import CompanyInfo, CompanyPackage, MergeRequestInput, Message

from ._common import AsyncResource, Resource, ident


class Company(Resource):
    """`client.company`."""

    def get(self) -> CompanyInfo:
        """The company the API key belongs to. `GET /companies/info` (getCompanyInfo)."""
        return self._client._call(get_company_info, CompanyInfo)

    def get_package(self) -> CompanyPackage:
        """The company's default package. `GET /companies/package` (getCompanyPackage)."""
        return self._client._call(get_company_package, CompanyPackage)

    def send_merge_request(self, *, email: str) -> Message:
        """Ask another company, named by its manager's e-mail, to merge with this one.

        `POST /companies/merge-request` (sendCompanyMergeRequest; path and body INFERRED).
        """
        body = MergeRequestInput(email=ident("email", email))
        return self._client._call(send_company_merge_request, Message, body=body)


class AsyncCompany(AsyncResource):
    """`client.company` of `AsyncCubiCasa`; see `Company`."""

    async def get(self) -> CompanyInfo:
        """The company's information (getCompanyInfo)."""
        return await self._client._acall(get_company_info, CompanyInfo)

    async def get_package(self) -> CompanyPackage:
        """The company's default package (getCompanyPackage)."""
        return await self._client._acall(get_company_package, CompanyPackage)

    async def send_merge_request(self, *, email: str) -> Message:
        """Send a merge request to another company (sendCompanyMergeRequest)."""
        body = MergeRequestInput(email=ident("email", email))
        return await self._client._acall(send_company_merge_request, Message, body=body)
