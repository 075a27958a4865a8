"""Offices: list and create."""

from __future__ import annotations

from .._http import Call, FakeResponse, json_response
from .._paging import page
from .._store import Handler, Store
from .._validate import read_body


def list_offices(store: Store, call: Call) -> FakeResponse:
    return page(call, list(store.offices.values()), docs_offsets=store.docs_offsets)


def create_office(store: Store, call: Call) -> FakeResponse:
    data = read_body(call)
    return json_response(200, store.add_office(data["name"]))


HANDLERS: dict[str, Handler] = {"listOffices": list_offices, "createOffice": create_office}
