"""The fake behaves like the API: state that later calls see, auth, pagination, validation,
errors, faults, and the bad input a server must survive."""

from __future__ import annotations

import importlib.util
import json
import re
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import cubicasa
from cubicasa.testing import FakeCubiCasa, FakeServer, _operations, _validate
from cubicasa.testing._handlers import HANDLERS
from cubicasa.testing._operations import operations as generated_operations
from tests.conftest import ROOT
from tests.spec.test_spec import operations, resolve

DRAFT = {
    "street": "615 Bourbon St",
    "city": "New Orleans",
    "country": "United States",
    "owner_email": "linus@computer.com",
}
BASE = "/api/integrate/v3"


@pytest.fixture
def fake() -> FakeCubiCasa:
    return FakeCubiCasa(seed=True)


@pytest.fixture
def client(fake: FakeCubiCasa) -> Iterator[cubicasa.CubiCasa]:
    # strict: an answer of the fake that strays from the spec fails the test that gets it
    with fake.client(max_retries=0, conformance="strict") as bound:
        yield bound


@pytest.fixture
def raw(fake: FakeCubiCasa) -> Iterator[httpx.Client]:
    """Plain httpx against the fake in-process, with the key."""
    with httpx.Client(
        transport=fake.transport,
        base_url="http://127.0.0.1" + BASE,
        headers={"api-key": fake.api_key},
    ) as http:
        yield http


# ----- state ----------------------------------------------------------------------------------


def test_a_draft_shows_in_list_and_get_then_updates_and_deletes(
    client: cubicasa.CubiCasa, fake: FakeCubiCasa
) -> None:
    before = [o.id for o in client.orders.list()]
    draft = client.drafts.create(**DRAFT, external_id="shoot-1", postal_code="70130")
    assert draft.info.status == "Draft"  # type: ignore[union-attr]
    assert [o.id for o in client.orders.list()] == [draft.id, *before]  # newest first
    assert client.orders.get(draft.id).info.external_id == "shoot-1"  # type: ignore[union-attr]
    assert client.orders.get(draft.id).address.postal_code == "70130"  # type: ignore[union-attr]

    updated = client.drafts.update(draft.id, **{**DRAFT, "city": "Metairie"})
    assert updated.address.city == "Metairie"  # type: ignore[union-attr]
    assert client.orders.get(draft.id).address.city == "Metairie"  # type: ignore[union-attr]

    client.drafts.delete(draft.id)
    with pytest.raises(cubicasa.NotFoundError):
        client.orders.get(draft.id)
    assert [o.id for o in client.orders.list()] == before


def test_only_drafts_can_be_updated_or_deleted(client: cubicasa.CubiCasa) -> None:
    with pytest.raises(cubicasa.BadRequestError, match="not a draft"):
        client.drafts.delete("312babc6-e742-4d54-ac49-e0f7b16ec15a")


def test_upgrade_buys_add_ons_and_changes_the_package(client: cubicasa.CubiCasa) -> None:
    order_id = "312babc6-e742-4d54-ac49-e0f7b16ec15a"
    upgraded = client.orders.upgrade(order_id, package_type="plus_3d", add_ons=["3d_cad_files"])
    product = upgraded.info.product  # type: ignore[union-attr]
    assert product.package_type == "plus_3d"  # type: ignore[union-attr]
    assert product.add_ons == ["gla", "3d_cad_files"]  # type: ignore[union-attr]
    assert product.purchasable_add_ons == []  # type: ignore[union-attr]
    with pytest.raises(cubicasa.BadRequestError, match="not purchasable"):
        client.orders.upgrade(order_id, add_ons=["drone_video"])


def test_change_requests_are_kept_and_move_the_order_to_fixing(
    client: cubicasa.CubiCasa,
) -> None:
    order_id = "312babc6-e742-4d54-ac49-e0f7b16ec15a"
    made = client.orders.change_requests.create(order_id, text="Kitchen missing", img_urls=["u"])
    assert client.orders.change_requests.get(order_id, made.id).text == "Kitchen missing"
    assert [c.id for c in client.orders.change_requests.list(order_id)] == [made.id]
    assert client.orders.get(order_id).info.status == "Fixing"  # type: ignore[union-attr]


def test_users_offices_company_and_webhooks_keep_state(client: cubicasa.CubiCasa) -> None:
    office = client.offices.create(name="Branch")
    assert office.id in [o.id for o in client.offices.list()]
    created = client.users.create(email="new@agency.test", role="Collaborator", office_id=office.id)
    assert "Invitation" in str(created.message)
    assert client.users.get("new@agency.test").role == "Collaborator"
    assert client.users.update("new@agency.test", name="Ada").name == "Ada"
    assert client.users.get("new@agency.test").name == "Ada"
    client.users.delete(created.id)
    with pytest.raises(cubicasa.NotFoundError):
        client.users.get("new@agency.test")

    client.users.create(email="pw@agency.test", role="User", password="one")
    client.users.change_password("pw@agency.test", "one", "two")
    with pytest.raises(cubicasa.BadRequestError, match="wrong password"):
        client.users.change_password("pw@agency.test", "one", "three")
    assert "reset" in str(client.users.send_password_reset("pw@agency.test").message)

    stored = client.webhooks.update(["http://127.0.0.1:1/hook"], ["moved_to_ready"])
    assert stored.webhook_urls == ["http://127.0.0.1:1/hook"]
    client.webhooks.delete()
    assert client.company.get().profile.name == "Fake Photography Inc."  # type: ignore[union-attr]
    assert client.company.get_package().package_type == "base"
    client.company.send_merge_request(email="boss@other.test")


def test_redraw_and_gotoscan_make_new_orders(client: cubicasa.CubiCasa) -> None:
    redraw = client.orders.redraw("312babc6-e742-4d54-ac49-e0f7b16ec15a", info="Redo")
    assert redraw.info.status == "Pending"  # type: ignore[union-attr]
    scan = client.gotoscan.create(**DRAFT, client_name="Owner")
    assert scan.info.go2scan["link"].startswith("https://")  # type: ignore[union-attr,index]
    ids = {o.id for o in client.orders.list()}
    assert {redraw.id, scan.id} <= ids


def test_the_combined_pdf_is_a_real_pdf_once_delivered(
    client: cubicasa.CubiCasa, fake: FakeCubiCasa
) -> None:
    draft = client.drafts.create(**DRAFT)
    with pytest.raises(cubicasa.NotFoundError, match="not delivered"):
        client.orders.get_combined_pdf(draft.id)
    fake.set_status(draft.id, "Ready")
    document = client.orders.get_combined_pdf(draft.id)
    assert document.startswith(b"%PDF-1.4")
    assert document.rstrip().endswith(b"%%EOF")
    xref = int(document.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert document[xref:].startswith(b"xref")  # the cross-reference offset is right
    assert draft.id.encode() in document
    delivered = client.orders.get(draft.id)
    assert delivered.delivery_assets.listing_floorplans.pdf_urls  # type: ignore[union-attr]


# ----- API behaviour --------------------------------------------------------------------------


def test_wrong_or_missing_key_is_401(fake: FakeCubiCasa) -> None:
    with httpx.Client(transport=fake.transport, base_url="http://127.0.0.1" + BASE) as http:
        assert http.get("/orders").status_code == 401
        assert http.get("/orders", headers={"api-key": "wrong"}).status_code == 401
        assert http.get("/orders", headers={"api-key": fake.api_key}).status_code == 200


def test_pagination_defaults_to_20_and_follows_next_offset(raw: httpx.Client) -> None:
    fake = raw._transport.fake  # type: ignore[attr-defined]
    for n in range(45):
        fake.add_order(external_id=f"ext-{n}")
    first = raw.get("/orders").json()
    assert len(first["items"]) == 20
    assert first["pagination"] == {
        "has_more": True,
        "limit": 20,
        "next_offset": 20,
        "previous_offset": 0,
    }


def test_docs_offsets_switch_uses_offset_plus_limit_plus_one() -> None:
    fake = FakeCubiCasa(seed=False, docs_offsets=True)
    for n in range(50):
        fake.add_order(external_id=f"ext-{n}")
    with fake.client() as client:
        pages = list(client.orders.list(page_size=20).pages())
    assert [p.offset for p in pages] == [0, 21, 42]
    names = [o.info.external_id for p in pages for o in p.items]  # type: ignore[union-attr]
    assert names == [f"ext-{n}" for n in reversed(range(50))]  # all, once, in order


def test_computing_offsets_goes_wrong_under_the_docs_arithmetic() -> None:
    fake = FakeCubiCasa(seed=False, docs_offsets=True)
    for n in range(60):
        fake.add_order(external_id=f"ext-{n}")
    with httpx.Client(
        transport=fake.transport,
        base_url="http://127.0.0.1" + BASE,
        headers={"api-key": fake.api_key},
    ) as http:
        computed = [
            o["info"]["external_id"]
            for offset in (0, 20, 40)
            for o in http.get("/orders", params={"offset": offset}).json()["items"]
        ]
    assert len(set(computed)) < len(computed)  # a client that computes offsets repeats items


def test_repeated_status_filters_match_any(raw: httpx.Client) -> None:
    statuses = [
        o["info"]["status"] for o in raw.get("/orders?status=Draft&status=Ready").json()["items"]
    ]
    assert sorted(statuses) == ["Draft", "Ready"]
    assert raw.get("/orders?status=Fixing").json()["items"] == []


def test_missing_fields_get_the_documented_400_shape(raw: httpx.Client) -> None:
    answer = raw.post("/orders/draft", json={"street": 5, "info": 3, "nested": {}})
    assert answer.status_code == 400
    items = answer.json()["validation_error"]["body_params"]
    assert {"loc": ["city"], "msg": "field required", "type": "value_error.missing"} in items
    assert {"loc": ["street"], "msg": "str type expected", "type": "type_error.str"} in items
    assert {"loc": ["info"], "msg": "str type expected", "type": "type_error.str"} in items
    assert {
        "loc": ["nested"],
        "msg": "extra fields not permitted",
        "type": "value_error.extra",
    } in items


def test_bad_query_values_are_400(raw: httpx.Client) -> None:
    answer = raw.get("/orders", params={"limit": "many"})
    assert answer.status_code == 400
    assert answer.json()["validation_error"]["query_params"][0]["loc"] == ["limit"]
    assert raw.get("/users", params={"offset": -1}).status_code == 400


def test_unknown_ids_paths_and_methods(raw: httpx.Client) -> None:
    assert raw.get("/orders/nope").status_code == 404
    assert raw.get("/orders/nope/change-requests").status_code == 404
    assert raw.get("/no/such/path").status_code == 404
    refused = raw.put("/orders/draft/x", json={})
    assert refused.status_code == 405
    assert refused.headers["allow"] == "DELETE, PATCH"
    assert raw.request("QUERY", "/users").status_code == 405


def test_malformed_json_and_non_objects_are_400(raw: httpx.Client) -> None:
    for content in (b"{not json", b"[1, 2]", b'"text"', b"null"):
        answer = raw.post("/offices", content=content, headers={"Content-Type": "application/json"})
        assert answer.status_code == 400, content
        assert "validation_error" in answer.json()


def test_bodies_over_1_mib_are_413(raw: httpx.Client) -> None:
    answer = raw.post("/offices", json={"name": "x" * (1024 * 1024 + 10)})
    assert answer.status_code == 413
    assert "1 MiB" in answer.json()["message"]


def test_requests_are_recorded_without_the_key(
    client: cubicasa.CubiCasa, fake: FakeCubiCasa
) -> None:
    client.drafts.create(**DRAFT)
    (request,) = fake.requests_to("createDraftOrder")
    assert request.method == "POST"
    assert request.json() == DRAFT
    assert request.status == 200
    assert request.headers["api-key"] == "***"


def test_the_fake_routes_the_spec_operations_and_has_a_handler_for_each(
    spec: dict[str, Any],
) -> None:
    expected = {}
    for method, path, op in operations(spec):
        body = op.get("requestBody", {})
        ref = body.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        schema = ref.rsplit("/", 1)[1] if ref else None
        expected[op["operationId"]] = (method.upper(), path, schema, bool(body.get("required")))
    derived = {
        op.operation_id: (op.method, op.path, op.body, op.body_required)
        for op in generated_operations()
    }
    assert derived == expected
    assert set(HANDLERS) == set(expected)
    # The handlers mirror the resources: one module per API area.
    handlers = {p.stem for p in (ROOT / "src/cubicasa/testing/_handlers").glob("[!_]*.py")}
    resources = {p.stem for p in (ROOT / "src/cubicasa/resources").glob("[!_]*.py")}
    assert handlers == resources


def test_the_fake_reads_the_operations_table_not_generated_source() -> None:
    # Routing and body rules come from the table `make generate` writes, not from parsing code.
    for module in (ROOT / "src/cubicasa/testing").rglob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import ast|from ast import)", text, re.M), module
    assert {op.operation_id for op in generated_operations()} == set(
        _operations.table()["operations"]
    )


def test_an_operation_without_a_handler_answers_501(fake: FakeCubiCasa) -> None:
    del fake._handlers["getCompanyPackage"]
    answer = fake.handle("GET", BASE + "/companies/package", {"api-key": fake.api_key}, b"")
    assert answer.status == 501
    assert b"getCompanyPackage" in answer.body


def _request_schemas(spec: dict[str, Any]) -> set[str]:
    found = set()
    for _, _, op in operations(spec):
        schema = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        ref = schema.get("schema", {}).get("$ref")
        if ref:
            found.add(ref.rsplit("/", 1)[1])
    return found


def test_the_body_rules_read_from_the_operations_table_match_the_spec(
    spec: dict[str, Any],
) -> None:
    schemas = spec["components"]["schemas"]
    names = _request_schemas(spec)
    assert {"DraftOrderInput", "UserInput", "WebhookConfigInput"} <= names
    for name in names:
        schema = schemas[name]
        body = _validate.body_rules(name)
        assert set(body.fields) == set(schema["properties"]), name
        assert {n for n, f in body.fields.items() if f.required} == set(schema.get("required", []))
        assert body.closed == (schema.get("additionalProperties") is False), name
        for field_name, field in body.fields.items():
            prop = resolve(spec, schema["properties"][field_name])
            types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
            assert field.kind in types, (name, field_name)
            assert field.nullable == ("null" in types), (name, field_name)
            values = resolve(spec, prop.get("items", prop)).get("enum")
            assert field.enum == (tuple(values) if values else None), (name, field_name)


def test_a_rule_changed_in_the_spec_reaches_the_fake_without_code(
    spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # What `make generate` would write for a spec where an office also needs a `city`.
    script = importlib.util.spec_from_file_location(
        "conformance_data", ROOT / "scripts" / "conformance_data.py"
    )
    assert script is not None
    assert script.loader is not None
    module = importlib.util.module_from_spec(script)
    script.loader.exec_module(module)
    changed = json.loads(json.dumps(spec))
    office = changed["components"]["schemas"]["OfficeInput"]
    office["properties"]["city"] = {"type": "string"}
    office["required"].append("city")
    monkeypatch.setattr(_operations, "table", lambda: module.compact(changed, "test"))
    monkeypatch.setattr(_validate, "_BODIES", {})
    fake = FakeCubiCasa()
    with fake.client(max_retries=0) as bound, pytest.raises(cubicasa.BadRequestError) as refused:
        bound.offices.create(name="North")
    assert "city" in str(refused.value)
    assert [r.status for r in fake.requests_to("createOffice")] == [400]


# ----- faults ---------------------------------------------------------------------------------


def test_fail_next_calls_then_recover(fake: FakeCubiCasa) -> None:
    fake.fail(503, times=2, route="getOrder")
    with fake.client() as client:  # default retries: 2
        assert client.orders.get("312babc6-e742-4d54-ac49-e0f7b16ec15a").id
    assert [r.status for r in fake.requests_to("getOrder")] == [503, 503, 200]


def test_rate_limit_with_retry_after(fake: FakeCubiCasa, monkeypatch: pytest.MonkeyPatch) -> None:
    from cubicasa import _retry as _transport

    waited: list[float] = []
    monkeypatch.setattr(_transport, "sleep", waited.append)
    fake.rate_limit(retry_after=2, times=1)
    with fake.client() as client:
        client.company.get()
    assert waited == [2.0]
    assert [r.status for r in fake.requests] == [429, 200]


def test_latency_is_applied(fake: FakeCubiCasa) -> None:
    import time

    fake.latency(0.5, route="getCompanyInfo")
    with fake.client() as client:
        started = time.perf_counter()
        client.company.get()
        slow = time.perf_counter() - started
        started = time.perf_counter()
        client.company.get_package()
        other_route = time.perf_counter() - started
    assert slow >= 0.5  # the latency is applied...
    assert other_route < 0.5  # ...to its route only (a wide margin: no timing race)


def test_dropped_connection_and_invalid_json(fake: FakeCubiCasa) -> None:
    fake.drop_connection(route="getOrder", times=1)
    fake.invalid_json(route="getCompanyInfo")
    with fake.client(max_retries=0) as client:
        with pytest.raises(cubicasa.APIConnectionError):
            client.orders.get("312babc6-e742-4d54-ac49-e0f7b16ec15a")
        with pytest.raises(cubicasa.ResponseValidationError):
            client.company.get()
        assert client.company.get().profile  # faults were for one call each


# ----- over HTTP ------------------------------------------------------------------------------


def test_over_http_the_server_survives_bad_input() -> None:
    with FakeCubiCasa().serve() as server:
        port = server.port
        for payload in (
            b"POST /api/integrate/v3/offices HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{bad}",
            b"GARBAGE\r\n\r\n",
            b"POST /api/integrate/v3/offices HTTP/1.1\r\nContent-Length: 9999999\r\n\r\n",
            b"GET /api/integrate/v3/orders HTTP/1.1\r\nHost: x\r\n\r\n",
        ):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(payload)
                head = sock.recv(200)
            status = int(head.split(b" ")[1])
            assert 400 <= status < 500, (payload, head)
        with server.client() as client:
            assert client.company.get().profile


def test_over_http_405_has_allow(fake: FakeCubiCasa) -> None:
    with fake.serve() as server, httpx.Client(base_url=server.base_url) as http:
        answer = http.request("PUT", "/users", headers={"api-key": fake.api_key})
        assert answer.status_code == 405
        assert answer.headers["allow"] == "GET, POST"
        too_big = http.post("/offices", content=b"x" * (1024 * 1024 + 1), headers={"api-key": "k"})
        assert too_big.status_code == 413
        assert json.loads(http.get("/orders", headers={"api-key": "bad"}).content)["message"]


def test_over_http_a_dropped_connection_is_seen_by_the_client() -> None:
    fake = FakeCubiCasa()
    order = fake.add_order()
    fake.drop_connection(route="getOrderCombinedPdf", after_bytes=100)
    with fake.serve() as server, server.client(max_retries=0) as client:
        with pytest.raises(cubicasa.APIConnectionError):
            client.orders.get_combined_pdf(order["id"])
        assert client.orders.get_combined_pdf(order["id"]).startswith(b"%PDF")


def test_a_server_is_a_context_manager_on_a_free_port() -> None:
    fake = FakeCubiCasa()
    with FakeServer(fake) as first, FakeServer(fake) as second:
        assert first.port != second.port
        assert first.base_url.startswith("http://127.0.0.1:")
    with pytest.raises(httpx.ConnectError):
        httpx.get(first.base_url + "/orders", timeout=2)
