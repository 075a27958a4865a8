"""Who the probe observed, and probing twice: only a probe of the live API (a host that is not this
machine) marks operations `x-evidence: observed`; the patch records the host and the date, never
the key; a value already recorded is not added again, and once in the value list it is known."""

from __future__ import annotations

import datetime
from typing import Any

import httpx
import pytest
import yaml

from cubicasa.probe import run_probe
from cubicasa.probe._spec_patch import SPEC_PATH, build, observes_the_live_api, spec_patch
from cubicasa.testing import FakeCubiCasa
from tests.conftest import ROOT
from tests.spec_facts import UNKNOWN_VALUE

LIVE = "https://probe.example.test/api/integrate/v3"  # served in-process by the fake
DAY = datetime.date(2026, 3, 14)


def _probe(base_url: str) -> tuple[FakeCubiCasa, Any]:
    fake = FakeCubiCasa()
    fake.deviate("listUsers", replace={"/items/*/role": UNKNOWN_VALUE})
    http = httpx.Client(transport=fake.transport)
    report = run_probe(api_key=fake.api_key, base_url=base_url, http_client=http, today=DAY)
    return fake, report


def _spec() -> str:
    return (ROOT / SPEC_PATH).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:8080/api/integrate/v3",
        "http://localhost/api/integrate/v3",
        "http://[::1]/api/integrate/v3",
    ],
)
def test_a_probe_of_this_machine_marks_nothing_observed_and_says_so(base_url: str) -> None:
    fake, report = _probe(base_url)
    assert not observes_the_live_api(report)
    patch = spec_patch(report, _spec())
    assert "x-evidence: observed" not in patch
    assert "x-observed" not in patch
    host = httpx.URL(base_url).host
    assert patch.startswith(f"Spec patch from `cubicasa probe` of {host} on 2026-03-14.\n")
    assert "not the live API: no operation is marked observed" in patch
    assert (
        f"+      enum: [Collaborator, User, Manager, {UNKNOWN_VALUE}]" in patch
    )  # what it saw still counts
    assert fake.api_key not in patch


def test_a_probe_of_the_live_api_marks_what_conformed_and_records_the_host() -> None:
    fake, report = _probe(LIVE)
    assert observes_the_live_api(report)
    patch = spec_patch(report, _spec())
    assert patch.startswith("Spec patch from `cubicasa probe` of probe.example.test on 2026-03-14.")
    assert "+      x-evidence: observed\n" in patch
    assert '+      x-observed: "2026-03-14"\n' in patch
    assert f"of probe.example.test on 2026-03-14: {UNKNOWN_VALUE}." in patch
    assert fake.api_key not in patch
    conformed = {r.operation_id for r in report.operations if r.outcome == "conforms"}
    spec = yaml.safe_load(build(report, _spec()))
    for path in spec["paths"].values():
        for op in path.values():
            if isinstance(op, dict) and "operationId" in op:
                observed = op["x-evidence"] == "observed"
                assert observed == (op["operationId"] in conformed), op["operationId"]


def test_probing_again_adds_nothing_twice() -> None:
    _, report = _probe(LIVE)
    once = build(report, _spec())
    twice = build(report, once)
    assert (
        twice.count(UNKNOWN_VALUE) == once.count(UNKNOWN_VALUE) == 2
    )  # the enum and the description
    assert spec_patch(report, once).count(UNKNOWN_VALUE) == 0
