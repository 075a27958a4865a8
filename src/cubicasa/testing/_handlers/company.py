"""The company: its profile, its package, and merge requests."""

from __future__ import annotations

from .._http import Call, FakeResponse, json_response, message
from .._store import Handler, Store
from .._validate import read_body


def get_company_info(store: Store, call: Call) -> FakeResponse:
    return json_response(200, store.company)


def get_company_package(store: Store, call: Call) -> FakeResponse:
    return json_response(200, store.package)


def send_company_merge_request(store: Store, call: Call) -> FakeResponse:
    data = read_body(call)
    store.merge_requests.append(data)
    return message(200, "Merge request sent")


HANDLERS: dict[str, Handler] = {
    "getCompanyInfo": get_company_info,
    "getCompanyPackage": get_company_package,
    "sendCompanyMergeRequest": send_company_merge_request,
}
