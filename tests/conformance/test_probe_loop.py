"""The README's loop for an API change, in a scratch copy: a probe of the live API (served here by
the deviating fake through its in-process transport) -> `git apply` of its spec patch (a new field,
a new value, operations marked observed) -> generation -> the spec and generated-code tests pass on
the patched spec, and a second probe finds the value known (the operation conforms) and adds
nothing twice."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.spec_facts import UNKNOWN, UNKNOWN_VALUE

LIVE = "https://probe.example.test/api/integrate/v3"

PROBE = f"""
import json, sys, httpx
from cubicasa.probe import run_probe
from cubicasa.probe import spec_patch
from cubicasa.testing import FakeCubiCasa
fake = FakeCubiCasa()
fake.deviate("getOrder", add={{"/info/{UNKNOWN}": True}})
fake.deviate("listUsers", replace={{"/items/*/role": "{UNKNOWN_VALUE}"}})
report = run_probe(api_key=fake.api_key, base_url="{LIVE}",
                   http_client=httpx.Client(transport=fake.transport))
outcomes = {{r.operation_id: r.outcome for r in report.operations}}
spec = open(sys.argv[1], encoding="utf-8").read()
print(json.dumps({{"outcomes": outcomes, "patch": spec_patch(report, spec)}}))
"""


def _probe(repo: Path, env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(repo / "openapi" / "cubicasa-integrate-v3.yaml")],
        capture_output=True, text=True, env=env, cwd=repo, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.slow
def test_probe_apply_generate_and_the_spec_tests_pass(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for part in ("openapi", "scripts", "src", "generated", "tests"):
        shutil.copytree(ROOT / part, repo / part, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("README.md", "pyproject.toml"):
        shutil.copy(ROOT / name, repo / name)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(repo / "src"), str(repo / "generated"), str(repo)]),
    }

    first = _probe(repo, env)
    patch = tmp_path / "spec.patch"
    patch.write_text(str(first["patch"]), encoding="utf-8")
    applied = subprocess.run(["git", "apply", str(patch)], cwd=repo, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    assert "x-evidence: observed" in (repo / "openapi" / "cubicasa-integrate-v3.yaml").read_text()
    for step in (["scripts/generate.py"], ["scripts/operations_table.py", "--write"]):
        done = subprocess.run(
            [sys.executable, *step], cwd=repo, capture_output=True, text=True, env=env, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr

    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         "-m", "not slow", "-k", "not redocly", "tests/spec/test_spec.py",
         "tests/spec/test_readme.py", "tests/spec/test_generated.py",
         "tests/conformance/test_client_conformance.py", "tests/conformance/test_probe.py",
         "tests/conformance/test_spec_patch.py"],
        cwd=repo, capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]

    again = _probe(repo, env)
    outcomes = again["outcomes"]
    assert isinstance(outcomes, dict)
    assert outcomes["listUsers"] == "conforms"  # the value is in the list now
    assert outcomes["getOrder"] == "conforms"  # and the field in the schema
    assert UNKNOWN_VALUE not in str(again["patch"])  # nothing added twice
    assert UNKNOWN not in str(again["patch"])
