# Generated from src/cubicasa/resources/company.py by scripts/unasync.py: do not edit.
# `make generate` writes it; `make check-generated` fails when it differs.
"""The company account (`client.company`). Paths and shapes are INFERRED."""

from __future__ import annotations

from cubicasa_api.api.company import (
    get_company_info,
    get_company_package,
    send_company_merge_request,
)
from cubicasa_api.models import CompanyInfo, CompanyPackage, MergeRequestInput, Message

from ...resources._common import nonempty
from .._base_client import SyncAPIResource


class Company(SyncAPIResource):
    """`client.company`."""

    def get(self) -> CompanyInfo:
        """The company the API key belongs to. `GET /companies/info` (getCompanyInfo)."""
        return self._client._call(CompanyInfo, get_company_info._get_kwargs)

    def get_package(self) -> CompanyPackage:
        """The company's default package. `GET /companies/package` (getCompanyPackage)."""
        return self._client._call(CompanyPackage, get_company_package._get_kwargs)

    def send_merge_request(self, *, email: str) -> Message:
        """Ask another company, named by its manager's e-mail, to merge with this one.

        `POST /companies/merge-request` (sendCompanyMergeRequest; path and body INFERRED).
        """
        body = MergeRequestInput(email=nonempty("email", email))
        return self._client._call(Message, send_company_merge_request._get_kwargs, body=body)
