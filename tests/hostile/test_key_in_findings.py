"""A server that puts the API key into what a conformance finding records: an undocumented
content type `application/x-<key>` (`seen`), a field named after the key (`where`). The key is in
no attribute of `client.conformance`, nor in the probe's JSON or Markdown report."""

from __future__ import annotations

import dataclasses
import json
import logging

import httpx
import pytest

from cubicasa.probe import report_json, report_markdown, run_probe
from cubicasa.testing import FakeCubiCasa

KEY = "sk-live-0123456789abcdef"


def _hostile_fake() -> FakeCubiCasa:
    fake = FakeCubiCasa(api_key=KEY)
    fake.deviate("getOrder", content_type=f"application/x-{KEY}")
    fake.deviate("listOffices", add={f"/{KEY}": 1, f"/items/0/{KEY}-name": "x"})
    return fake


def _attributes(findings: list[object]) -> str:
    return repr([dataclasses.asdict(finding) for finding in findings])  # type: ignore[call-overload]


def test_client_conformance_holds_no_key(caplog: pytest.LogCaptureFixture) -> None:
    fake = _hostile_fake()
    order = next(iter(fake.orders))
    with caplog.at_level(logging.INFO), fake.client(conformance="log") as client:
        list(client.offices.list())
        assert client.orders.get(order).id == order  # decoded all the same ("log")
        findings = client.conformance
    kinds = {finding.kind for finding in findings}
    assert {"undocumented_content_type", "unknown_field"} <= kinds
    assert KEY not in _attributes(findings)
    assert "application/x-***" in _attributes(findings)
    assert KEY not in caplog.text


def test_the_probe_reports_hold_no_key() -> None:
    fake = _hostile_fake()
    report = run_probe(
        api_key=KEY, base_url=fake.base_url, http_client=httpx.Client(transport=fake.transport)
    )
    found = [f for result in report.operations for f in result.findings]
    assert {"undocumented_content_type", "unknown_field"} <= {f.kind for f in found}
    for show_values in (False, True):
        document = json.dumps(report_json(report, show_values=show_values))
        markdown = report_markdown(report, show_values=show_values)
        assert KEY not in document
        assert KEY not in markdown
    assert KEY not in _attributes(found)
