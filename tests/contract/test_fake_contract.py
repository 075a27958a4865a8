"""schemathesis against the fake over HTTP: every operation of the spec, a committed budget."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cubicasa.testing import FakeCubiCasa, FakeResponse, FakeServer, _recording
from tests.conftest import SPEC_PATH
from tests.spec.test_spec import operations

pytestmark = pytest.mark.slow

API_KEY = "contract-test-key"
# The committed budget: examples per operation, and the seed that makes the run repeatable.
MAX_EXAMPLES = 25
SEED = 20261127
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "ignored_auth",
]


def schemathesis(base_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    st = Path(sys.executable).with_name("st")
    options = {
        "--url": base_url,
        "--header": f"api-key: {API_KEY}",
        "--checks": ",".join(CHECKS),
        "--max-examples": str(MAX_EXAMPLES),
        "--seed": str(SEED),
        "--generation-database": "none",
        "--workers": "1",
    }
    flat = [part for pair in options.items() for part in pair]
    return subprocess.run(
        [str(st), "run", str(SPEC_PATH), *flat, "--no-color", *extra],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    # Keep every request of the run, to see that each operation was reached.
    monkeypatch.setattr(_recording, "REQUEST_LOG_SIZE", 1_000_000)
    with FakeCubiCasa(API_KEY).serve() as running:
        yield running


def test_the_fake_conforms_to_the_spec(server: FakeServer, spec: dict[str, Any]) -> None:
    every = {op["operationId"] for _, _, op in operations(spec)}
    started = time.monotonic()
    done = schemathesis(server.base_url)
    elapsed = time.monotonic() - started
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert f"Tested: {len(every)}" in output
    counts = re.search(r"(\d+) generated, (\d+) passed", output)
    assert counts, output[-2000:]
    generated, passed = int(counts[1]), int(counts[2])
    assert generated == passed
    assert generated >= len(every) * 10
    # Every operation was reached, with and without a key.
    reached = {r.operation_id for r in server.fake.requests}
    assert reached - {None} == every
    print(f"\ncontract: {len(every)} operations, {generated} cases, {elapsed:.1f} s")


def test_a_broken_response_fails_the_contract(server: FakeServer) -> None:
    def broken_company_info(store: Any, call: Any) -> FakeResponse:
        return FakeResponse(200, b'{"profile": ["not", "an", "object"]}')

    server.fake._handlers["getCompanyInfo"] = broken_company_info
    done = schemathesis(server.base_url, "--include-operation-id", "getCompanyInfo")
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "Response violates schema" in output


def test_a_wrong_content_type_fails_the_contract(server: FakeServer) -> None:
    original = server.fake._handlers["getCompanyPackage"]

    def text_package(store: Any, call: Any) -> FakeResponse:
        answer = original(store, call)
        answer.headers["Content-Type"] = "text/plain"
        return answer

    server.fake._handlers["getCompanyPackage"] = text_package
    done = schemathesis(server.base_url, "--include-operation-id", "getCompanyPackage")
    assert done.returncode != 0
    assert "Undocumented Content-Type" in done.stdout + done.stderr


def test_schemathesis_is_installed_for_the_contract() -> None:
    assert shutil.which("st") or Path(sys.executable).with_name("st").exists()
