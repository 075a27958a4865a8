"""`cubicasa probe` as a library against the fake: outcomes, every finding kind in the JSON and
markdown reports, privacy, pinned IDs, the write cycle and the cases where it cannot run."""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx
import pytest

from cubicasa.probe import ProbeError, exit_status, report_json, report_markdown, run_probe
from cubicasa.testing import FakeCubiCasa
from tests.spec_facts import UNKNOWN, evidence

SECRET = "private-value-7f3a"
READS = {
    "getCompanyInfo",
    "getCompanyPackage",
    "listOffices",
    "listUsers",
    "getUser",
    "listOrders",
    "getOrder",
    "getOrderCombinedPdf",
    "listChangeRequests",
    "getChangeRequest",
}
DRAFTS = {"createDraftOrder", "updateDraftOrder", "deleteDraftOrder"}
KINDS = {
    "unknown_field",
    "missing_required",
    "wrong_type",
    "unknown_value",
    "undocumented_status",
    "undocumented_content_type",
    "invalid_json",
}


def probe(fake: FakeCubiCasa, **options: Any) -> Any:
    http = httpx.Client(transport=fake.transport)
    options.setdefault("api_key", fake.api_key)
    return run_probe(base_url=fake.base_url, http_client=http, **options)


def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {op["operation_id"]: op for op in document["operations"]}


def test_a_probe_of_the_unmodified_fake_reports_no_finding() -> None:
    fake = FakeCubiCasa()
    report = probe(fake, write=True)
    document = report_json(report)
    outcomes = {op["operation_id"]: op["outcome"] for op in document["operations"]}
    assert len(outcomes) == 27
    assert {op for op, outcome in outcomes.items() if outcome == "conforms"} == READS | DRAFTS
    assert set(outcomes.values()) == {"conforms", "skipped"}
    assert all(op["findings"] == [] for op in document["operations"])
    skipped = [op for op in document["operations"] if op["outcome"] == "skipped"]
    assert all("write operation" in op["reason"] for op in skipped)
    assert exit_status(report) == 0
    # the write cycle cleaned up after itself: one draft created, updated, deleted
    created = fake.requests_to("createDraftOrder")
    assert len(created) == 1
    assert len(fake.requests_to("updateDraftOrder")) == 1
    assert len(fake.requests_to("deleteDraftOrder")) == 1
    draft_id = fake.requests_to("deleteDraftOrder")[0].path.rsplit("/", 1)[1]
    assert fake.requests_to("updateDraftOrder")[0].path.endswith(f"/{draft_id}")
    assert draft_id not in fake.orders


def test_without_write_the_draft_cycle_is_skipped_and_nothing_is_written() -> None:
    fake = FakeCubiCasa()
    document = report_json(probe(fake))
    ops = by_id(document)
    for name in DRAFTS:
        assert ops[name]["outcome"] == "skipped"
        assert "--write" in ops[name]["reason"]
    assert {r.method for r in fake.requests} == {"GET"}


def test_every_finding_kind_reaches_the_json_report() -> None:
    fake = FakeCubiCasa()
    fake.deviate("getOrder", add={f"/info/{UNKNOWN}": SECRET})
    fake.deviate("listUsers", remove=["/pagination"])
    fake.deviate("getCompanyPackage", replace={"/package_type": 5})
    fake.deviate("getUser", replace={"/role": SECRET})
    fake.deviate("getChangeRequest", status=201)
    fake.deviate("getCompanyInfo", content_type="text/plain")
    fake.deviate("getOrderCombinedPdf", path_missing=True)
    fake.invalid_json(times=None, route="listOffices")
    report = probe(fake)
    document = report_json(report)
    assert set(document) >= {"base_url", "spec_sha256", "operations"}
    assert document["base_url"] == fake.base_url
    assert len(document["spec_sha256"]) == 64
    ops = by_id(document)
    expected = {
        "getOrder": ("unknown_field", f"/info/{UNKNOWN}"),
        "listUsers": ("missing_required", "/pagination"),
        "getCompanyPackage": ("wrong_type", "/package_type"),
        "getUser": ("unknown_value", "/role"),
        "getChangeRequest": ("undocumented_status", "status"),
        "getCompanyInfo": ("undocumented_content_type", "content-type"),
        "listOffices": ("invalid_json", ""),
    }
    for name, (kind, where) in expected.items():
        op = ops[name]
        assert op["outcome"] == "deviates", name
        assert [(f["kind"], f["where"]) for f in op["findings"]] == [(kind, where)], name
        assert isinstance(op["status"], int)
        assert all(set(f) >= {"kind", "where", "detail"} for f in op["findings"])
    assert {f["kind"] for op in ops.values() for f in op["findings"]} == KINDS
    assert ops["getChangeRequest"]["status"] == 201
    assert ops["getOrderCombinedPdf"]["outcome"] == "unreachable"
    assert ops["getOrderCombinedPdf"]["status"] == 404
    assert ops["getOrderCombinedPdf"]["findings"] == []
    assert ops["listOrders"]["outcome"] == "conforms"
    assert exit_status(report) == 1
    # the report is JSON all the way down, and holds types, not values
    text = json.dumps(document)
    assert SECRET not in text
    assert fake.api_key not in text
    assert ops["getOrder"]["findings"][0]["seen"] == "string"


def test_show_values_puts_the_values_in_the_reports() -> None:
    fake = FakeCubiCasa()
    fake.deviate("getOrder", add={f"/info/{UNKNOWN}": SECRET})
    report = probe(fake)
    assert SECRET not in json.dumps(report_json(report))
    assert SECRET not in report_markdown(report)
    shown = by_id(report_json(report, show_values=True))["getOrder"]["findings"][0]
    assert shown["value"] == SECRET
    assert SECRET in report_markdown(report, show_values=True)
    assert fake.api_key not in report_markdown(report, show_values=True)


def test_the_markdown_report_has_a_table_per_operation_with_the_evidence() -> None:
    fake = FakeCubiCasa()
    fake.deviate("getOrder", add={f"/info/{UNKNOWN}": True})
    fake.deviate("getCompanyPackage", path_missing=True)
    text = report_markdown(probe(fake))
    # The evidence levels as the spec states them (a probe of the live API may raise them).
    order, package = evidence("getOrder"), evidence("getCompanyPackage")
    assert f"| `getOrder` | {order} | deviates | 200 | 1 |" in text
    assert f"| `getCompanyPackage` | {package} | unreachable | 404 | 0 |" in text
    assert f"## `getOrder`: deviates (evidence: {order})" in text
    assert f"| unknown_field | `/info/{UNKNOWN}` | not among the properties of" in text
    assert text.count("\n## `") == 27


def test_pinned_ids_are_used_instead_of_discovered_ones() -> None:
    fake = FakeCubiCasa()
    fake.add_user("pinned@agency.test", role="User")
    order = next(iter(fake.orders))
    crs = fake.change_requests.get(order) or []
    report = probe(
        fake,
        order_id=order,
        user_email="pinned@agency.test",
        change_request_id=crs[0]["id"] if crs else "cr-unknown",
    )
    assert fake.requests_to("getUser")[0].path.endswith("/users/pinned@agency.test")
    assert fake.requests_to("getOrder")[0].path.endswith(f"/orders/{order}")
    assert report.result("getUser").outcome == "conforms"


def test_an_empty_account_skips_what_it_cannot_look_at() -> None:
    fake = FakeCubiCasa(seed=False)
    ops = by_id(report_json(probe(fake)))
    assert ops["getOrder"]["outcome"] == "skipped"
    assert "nothing to look at" in ops["getOrder"]["reason"]
    assert ops["getChangeRequest"]["outcome"] == "skipped"
    assert ops["listOrders"]["outcome"] == "conforms"


def test_a_wrong_key_stops_the_probe() -> None:
    fake = FakeCubiCasa()
    with pytest.raises(ProbeError, match="401") as raised:
        probe(fake, api_key="wrong-key-123")
    assert "wrong-key-123" not in str(raised.value)


def test_no_key_stops_the_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CUBICASA_API_KEY", raising=False)
    with pytest.raises(ProbeError, match="API key"):
        run_probe(base_url="http://127.0.0.1:9/api/integrate/v3")


def test_an_unreachable_base_url_stops_the_probe() -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ProbeError, match="unreachable"):
        run_probe(api_key="k", base_url=f"http://127.0.0.1:{port}/api/integrate/v3")


def test_write_refuses_production_unless_allowed() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(401)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with pytest.raises(ProbeError, match="--allow-production"):
        run_probe(api_key="k", write=True, http_client=http)
    assert sent == []
    with pytest.raises(ProbeError, match="401"):  # allowed: it runs (and this key is refused)
        run_probe(api_key="k", write=True, allow_production=True, http_client=http)
    assert sent[0].url.host == "app.cubi.casa"
