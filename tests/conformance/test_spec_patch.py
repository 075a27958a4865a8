"""The probe's spec patch: `git apply` takes it in a scratch copy of the spec, generation there
succeeds, and what the probe saw reaches the generated models."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from cubicasa.probe import run_probe
from cubicasa.probe._spec_patch import SPEC_PATH, spec_patch
from cubicasa.testing import FakeCubiCasa
from tests.conftest import ROOT
from tests.spec_facts import UNKNOWN, UNKNOWN_VALUE

SECRET = "private-value-7f3a"


# A host that is not this machine, reached through the fake's in-process transport (nothing is sent
# anywhere): a probe of it counts as observing the live API.
LIVE = "https://probe.example.test/api/integrate/v3"


def _deviating_probe(base_url: str = LIVE) -> Any:
    fake = FakeCubiCasa()
    fake.deviate("getOrder", add={f"/info/{UNKNOWN}": SECRET, f"/{UNKNOWN}_count": 3})
    fake.deviate("getOrder", add={f"/{UNKNOWN}_meta": {"rooms": [{"name": SECRET, "area": 12.5}]}})
    fake.deviate("listOrders", replace={"/items/*/info/status": UNKNOWN_VALUE})
    fake.deviate("listUsers", replace={"/items/*/role": UNKNOWN_VALUE})
    http = httpx.Client(transport=fake.transport)
    return run_probe(api_key=fake.api_key, base_url=base_url, http_client=http)


def _scratch_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copytree(ROOT / "openapi", repo / "openapi")
    for name in ("generate.py", "conformance_data.py"):
        shutil.copy(ROOT / "scripts" / name, repo / "scripts" / name)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    return repo


def _git_apply(repo: Path, patch: Path) -> None:
    done = subprocess.run(
        ["git", "apply", "--verbose", str(patch)], cwd=repo, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_the_patch_adds_fields_values_and_evidence_and_holds_no_account_value(
    tmp_path: Path,
) -> None:
    report = _deviating_probe()
    patch = spec_patch(report, (ROOT / SPEC_PATH).read_text(encoding="utf-8"))
    assert SECRET not in patch
    repo = _scratch_repo(tmp_path)
    (tmp_path / "probe.patch").write_text(patch, encoding="utf-8")
    _git_apply(repo, tmp_path / "probe.patch")
    spec = yaml.safe_load((repo / SPEC_PATH).read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    assert schemas["OrderInfo"]["properties"][UNKNOWN]["type"] == "string"
    assert schemas["Order"]["properties"][f"{UNKNOWN}_count"]["type"] == "integer"
    meta = schemas["Order"]["properties"][f"{UNKNOWN}_meta"]
    assert meta["additionalProperties"] is True
    room = meta["properties"]["rooms"]["items"]
    assert room["properties"]["area"]["type"] == "number"
    assert UNKNOWN_VALUE in schemas["OrderStatus"]["description"]
    assert UNKNOWN_VALUE in schemas["User"]["properties"]["role"]["description"]
    assert (
        schemas["UserRole"]["enum"][-1] == UNKNOWN_VALUE
    )  # known from now on: listUsers can conform
    assert schemas["OrderStatus"]["examples"][-1] == UNKNOWN_VALUE
    company = spec["paths"]["/companies/info"]["get"]
    assert company["x-evidence"] == "observed"
    assert company["x-observed"] == report.date
    assert spec["paths"]["/orders/{id}"]["get"]["x-evidence"] == "partial"  # it deviated
    from openapi_spec_validator import validate

    validate(spec)


@pytest.mark.slow
def test_the_patched_spec_generates_and_the_new_field_reaches_the_model(tmp_path: Path) -> None:
    report = _deviating_probe()
    repo = _scratch_repo(tmp_path)
    patch = tmp_path / "probe.patch"
    patch.write_text(spec_patch(report, (repo / SPEC_PATH).read_text(encoding="utf-8")), "utf-8")
    _git_apply(repo, patch)
    done = subprocess.run(
        [sys.executable, "scripts/generate.py"], cwd=repo, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    model = (repo / "generated" / "cubicasa_api" / "models" / "order_info.py").read_text()
    assert f"{UNKNOWN}: str | Unset" in model
    order = (repo / "generated" / "cubicasa_api" / "models" / "order.py").read_text()
    assert f"{UNKNOWN}_count: int | Unset" in order
    # and conformance now knows the field: the data file was regenerated from the patched spec
    data = (repo / "generated" / "cubicasa_api" / "conformance.json").read_text()
    assert f'"{UNKNOWN}"' in data
