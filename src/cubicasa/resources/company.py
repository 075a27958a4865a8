"""The company account (`client.company`). Paths and shapes are INFERRED."""

from __future__ import annotations

from cubicasa_api.api.company import (
    get_company_info,
    get_company_package,
    send_company_merge_request,
)
from cubicasa_api.models import CompanyInfo, CompanyPackage, MergeRequestInput, Message

from .._base_client import AsyncAPIResource
from ._common import nonempty


class AsyncCompany(AsyncAPIResource):
    """`client.company`."""

    async def get(self) -> CompanyInfo:
        """The company the API key belongs to. `GET /companies/info` (getCompanyInfo)."""
        return await self._client._call(CompanyInfo, get_company_info._get_kwargs)

    async def get_package(self) -> CompanyPackage:
        """The company's default package. `GET /companies/package` (getCompanyPackage)."""
        return await self._client._call(CompanyPackage, get_company_package._get_kwargs)

    async def send_merge_request(self, *, email: str) -> Message:
        """Ask another company, named by its manager's e-mail, to merge with this one.

        `POST /companies/merge-request` (sendCompanyMergeRequest; path and body INFERRED).
        """
        body = MergeRequestInput(email=nonempty("email", email))
        return await self._client._call(Message, send_company_merge_request._get_kwargs, body=body)


# The sync twin, produced from this module by `make generate` (scripts/unasync.py).
from .._sync.resources.company import Company as Company  # noqa: E402
