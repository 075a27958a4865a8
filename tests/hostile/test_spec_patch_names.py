"""A server whose answers would make the probe's spec patch break generation: a role `manager`
beside `Manager` (one enum member name), fields `a.b` beside `a-b` (one Python name), fields
named `to_dict` / `from_dict` / `additional_properties` or `class` (every decode then fails),
10,000 new names (a 1.6 MB patch, decoding 54 times slower). The patch leaves each out and its
header says so; the patched spec generates, and its models decode."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from cubicasa.probe import run_probe
from cubicasa.probe._spec_patch import MAX_NEW_FIELDS, SPEC_PATH, left_out, spec_patch
from cubicasa.testing import FakeCubiCasa
from tests.conformance.test_spec_patch import _git_apply, _scratch_repo
from tests.conftest import ROOT

SHADOWING = ["to_dict", "from_dict", "additional_properties", "additional_keys", "class", "self"]
COLLIDING = {"a.b": 1, "a-b": 2, "ID": 3}  # `a-b` is `a.b`'s Python name; `ID` is `id`'s
MANY = 10_000


def _hostile_report() -> Any:
    fake = FakeCubiCasa()
    fields = {f"/{name}": 1 for name in SHADOWING} | {f"/{k}": v for k, v in COLLIDING.items()}
    fake.deviate("getOrder", add=fields)
    fake.deviate("listUsers", replace={"/items/*/role": "manager"})
    fake.deviate("getCompanyInfo", add={f"/extra_{n}": n for n in range(MANY)})
    http = httpx.Client(transport=fake.transport)
    return run_probe(api_key=fake.api_key, base_url=fake.base_url, http_client=http)


@pytest.fixture(scope="module")
def report() -> Any:
    return _hostile_report()


def _spec_text() -> str:
    return (ROOT / SPEC_PATH).read_text(encoding="utf-8")


def test_what_would_break_generation_is_left_out_and_listed(report: Any) -> None:
    dropped = left_out(report, _spec_text())
    for name in SHADOWING:
        assert f'field "{name}" at /components/schemas/Order: its Python name is a model' in (
            "\n".join(dropped)
        )
    assert 'field "a.b" at /components/schemas/Order: its Python name is that of another' in (
        "\n".join(dropped)
    )
    assert 'field "ID" at /components/schemas/Order' in "\n".join(dropped)
    assert any(line.startswith('value "manager" at /') for line in dropped)
    assert f"{MANY - MAX_NEW_FIELDS} more new fields at /components/schemas/CompanyInfo" in (
        "\n".join(dropped)
    )
    patch = spec_patch(report, _spec_text())
    head = patch.split("--- a/", 1)[0]
    assert "Left out, since generation would break or decoding slow down:" in head
    assert f"one patch adds at most {MAX_NEW_FIELDS}" in head
    assert len(patch) < 100_000  # not 1.6 MB


def test_the_patched_spec_keeps_one_of_each_python_name(report: Any, tmp_path: Path) -> None:
    repo = _scratch_repo(tmp_path)
    (tmp_path / "probe.patch").write_text(spec_patch(report, _spec_text()), encoding="utf-8")
    _git_apply(repo, tmp_path / "probe.patch")
    spec = yaml.safe_load((repo / SPEC_PATH).read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    order = schemas["Order"]["properties"]
    assert "a-b" in order
    for name in [*SHADOWING, "a.b", "ID"]:
        assert name not in order
    assert schemas["UserRole"]["enum"] == ["Collaborator", "User", "Manager"]
    company = [name for name in schemas["CompanyInfo"]["properties"] if name.startswith("extra_")]
    assert len(company) == MAX_NEW_FIELDS


DECODE = """
import json, sys
from cubicasa_api.models import CompanyInfo, Order, UserRole
order, company = json.loads(sys.stdin.read())
decoded = Order.from_dict(order)
assert decoded.to_dict() == order, decoded.to_dict()
assert decoded.a_b == 2 and decoded["to_dict"] == 1 and callable(decoded.to_dict)
assert CompanyInfo.from_dict(company).to_dict() == company
assert sorted(member.value for member in UserRole) == ["Collaborator", "Manager", "User"]
print("decoded")
"""


@pytest.mark.slow
def test_the_patched_spec_generates_and_its_models_decode(report: Any, tmp_path: Path) -> None:
    repo = _scratch_repo(tmp_path)
    (tmp_path / "probe.patch").write_text(spec_patch(report, _spec_text()), encoding="utf-8")
    _git_apply(repo, tmp_path / "probe.patch")
    done = subprocess.run(
        [sys.executable, "scripts/generate.py"], cwd=repo, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    fake = FakeCubiCasa()
    order = fake.client().orders.get(next(iter(fake.orders))).to_dict()
    order |= dict.fromkeys(SHADOWING, 1) | COLLIDING
    company = fake.client().company.get().to_dict() | {f"extra_{n}": n for n in range(MANY)}
    decoded = subprocess.run(
        [sys.executable, "-c", DECODE],
        input=json.dumps([order, company]),
        cwd=repo / "generated",
        env={"PYTHONPATH": str(repo / "generated"), "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert decoded.stdout.strip() == "decoded", decoded.stderr
