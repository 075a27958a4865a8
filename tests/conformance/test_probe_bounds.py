"""`cubicasa probe` as a library, where an attacker found it wanting: many distinct unknown
fields, deeply nested ones, a write cycle that cannot clean up, a production host spelled
another way, and field names that must not reach a report or a patch as they are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from cubicasa.conformance import ConformanceFinding
from cubicasa.probe import (
    ProbeError,
    exit_status,
    report_json,
    report_markdown,
    run_probe,
    spec_patch,
)
from cubicasa.testing import FakeCubiCasa
from tests.conftest import ROOT

SPEC = (ROOT / "openapi" / "cubicasa-integrate-v3.yaml").read_text(encoding="utf-8")


def probe(fake: FakeCubiCasa, **options: Any) -> Any:
    http = httpx.Client(transport=fake.transport)
    options.setdefault("api_key", fake.api_key)
    return run_probe(base_url=fake.base_url, http_client=http, **options)


def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {op["operation_id"]: op for op in document["operations"]}


def test_many_distinct_unknown_fields_are_kept_with_linear_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fields = 3000
    fake = FakeCubiCasa()
    fake.deviate("getUser", add={f"/extra_{n}": n for n in range(fields)})
    looked_up = 0
    key = ConformanceFinding.key

    def counting(self: ConformanceFinding) -> tuple[str, str, str]:
        nonlocal looked_up
        looked_up += 1
        return key.fget(self)  # type: ignore[attr-defined,no-any-return]

    monkeypatch.setattr(ConformanceFinding, "key", property(counting))
    report = probe(fake)
    found = report.result("getUser").findings
    assert len(found) == fields
    assert len({f.where for f in found}) == fields
    assert looked_up < 10 * fields  # the pairwise comparison took about fields**2 / 2


@pytest.mark.parametrize(
    "deep",
    [
        {"a": {"b": 1}},  # replaced below by 300 levels of objects
        [[1]],  # replaced below by 500 levels of arrays
    ],
)
def test_a_deeply_nested_unknown_field_gets_a_typed_outcome_not_a_crash(deep: Any) -> None:
    value: Any = 1
    for _ in range(300 if isinstance(deep, dict) else 500):
        value = {"x": value} if isinstance(deep, dict) else [value]
    fake = FakeCubiCasa()
    fake.deviate("getUser", add={"/deep": value})
    report = probe(fake)
    assert report_json(report)["operations"]  # renders
    patch = spec_patch(report, SPEC)
    assert " deep:\n" in patch  # the field is proposed, without an inferred schema
    assert "NOT INFERRED: the values seen were nested more than" in patch
    assert exit_status(report) == 1


def test_the_write_cycle_says_when_a_draft_may_be_left_behind() -> None:
    fake = FakeCubiCasa()
    fake.deviate("createDraftOrder", remove=["/id"], add={"/order_id": "x"})
    report = probe(fake, write=True)
    document = report_json(report)
    cycle = document["write_cycle"]
    assert cycle["clean"] is False
    assert "may have been created" in cycle["uncertain"]
    ops = by_id(document)
    assert "not created" not in ops["updateDraftOrder"]["reason"]
    assert "may have been created" in report_markdown(report)
    assert exit_status(report) == 1


def test_the_write_cycle_reports_a_draft_it_could_not_delete() -> None:
    fake = FakeCubiCasa()
    fake.fail(500, times=None, route="deleteDraftOrder")
    report = probe(fake, write=True)
    cycle = report_json(report)["write_cycle"]
    assert len(cycle["created"]) == 1
    assert cycle["deleted"] == []
    assert cycle["left_behind"] == cycle["created"]
    assert cycle["left_behind"][0] in report_markdown(report)
    assert exit_status(report) == 1


def test_a_clean_write_cycle_reports_what_it_created_and_deleted() -> None:
    report = probe(FakeCubiCasa(), write=True)
    cycle = report_json(report)["write_cycle"]
    assert cycle["clean"] is True
    assert len(cycle["created"]) == 1
    assert cycle["deleted"] == cycle["created"]
    assert exit_status(report) == 0


@pytest.mark.parametrize(
    "url",
    [
        "https://app.cubi.casa./api/integrate/v3",
        "https://APP.CUBI.CASA./api/integrate/v3",
        "https://app\u3002cubi\u3002casa/api/integrate/v3",
    ],
)
def test_write_refuses_production_however_its_host_is_spelled(url: str) -> None:
    with pytest.raises(ProbeError, match="--allow-production"):
        run_probe(api_key="k" * 20, base_url=url, write=True)


def test_a_404_for_an_unknown_id_is_not_an_unreachable_path() -> None:
    fake = FakeCubiCasa()
    report = probe(fake, user_email="nobody@example.com", order_id="no-such-order")
    ops = by_id(report_json(report))
    for op in ("getUser", "getOrder", "listChangeRequests"):
        assert ops[op]["outcome"] != "unreachable", ops[op]
        assert ops[op]["status"] == 404
    fake.deviate("getUser", path_missing=True)  # a server without the path: not the API's error
    assert by_id(report_json(probe(fake)))["getUser"]["outcome"] == "unreachable"


def test_field_names_are_withheld_from_every_report_unless_show_values(
    tmp_path: Path,
) -> None:
    fake = FakeCubiCasa()
    key = fake.api_key
    odd = ["victim@private.org", "a\nforged line", "pipe|cell", f"echo_{key}"]
    fake.deviate("getUser", add={f"/{name}": 1 for name in odd} | {"/nested": {"x y": 1}})
    report = probe(fake)
    document = json.dumps(report_json(report))
    markdown = report_markdown(report)
    patch = spec_patch(report, SPEC)
    for text in (document, markdown, patch):
        assert key not in text
        for name in odd:
            assert name not in text
        assert "x y" not in text
    assert "<name withheld>" in document
    assert "`/<name withheld>`" in markdown
    assert " nested:\n" in patch  # a plain name is proposed; its odd inner member is left out
    shown_json = json.dumps(report_json(report, show_values=True))
    shown_md = report_markdown(report, show_values=True)
    shown_patch = spec_patch(report, SPEC, show_values=True)
    assert "victim@private.org" in shown_json
    assert "victim@private.org" in shown_patch
    for text in (shown_json, shown_md, shown_patch):
        assert key not in text  # never, even with --show-values
    for line in shown_md.splitlines():  # no forged line, no broken table row
        assert not line.startswith(" forged line")
        if line.startswith("| unknown_field"):
            assert line.count("|") - line.count("\\|") == 6
