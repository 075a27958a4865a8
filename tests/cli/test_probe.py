"""`cubicasa probe` from the command line: reports written where asked, exit statuses 0/1/2, the
key and the account's values kept out of every output; once over HTTP end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cubicasa.testing import FakeCubiCasa
from tests.cli.conftest import Cli
from tests.conftest import ROOT

SECRET = "private-value-7f3a"


def _reports(tmp_path: Path) -> list[str]:
    return [
        "--json",
        str(tmp_path / "out" / "probe.json"),
        "--markdown",
        str(tmp_path / "out" / "probe.md"),
        "--spec-patch",
        str(tmp_path / "out" / "spec.patch"),
    ]


def test_a_conforming_account_exits_0_and_writes_every_report(
    cli: Cli, fake: FakeCubiCasa, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the spec patch is made against the repository's spec
    done = cli("probe", "--write", *_reports(tmp_path))
    assert done.code == 0, done.err
    document = json.loads((tmp_path / "out" / "probe.json").read_text())
    outcomes = {op["outcome"] for op in document["operations"]}
    assert outcomes == {"conforms", "skipped"}
    assert "conforms     getOrder" in done.out
    markdown = (tmp_path / "out" / "probe.md").read_text()
    assert "| `getOrder` | partial | conforms | 200 | 0 |" in markdown
    patch = (tmp_path / "out" / "spec.patch").read_text()
    # The fake answers on 127.0.0.1: nothing to add, and no claim to have observed the live API.
    assert "x-evidence: observed" not in patch
    for text in (done.out, done.err, markdown, patch, json.dumps(document)):
        assert fake.api_key not in text


def test_a_deviating_account_exits_1_with_findings_but_no_values(
    cli: Cli, fake: FakeCubiCasa, tmp_path: Path
) -> None:
    fake.deviate("getOrder", add={"/info/rush": SECRET})
    fake.deviate("listOffices", path_missing=True)
    out = tmp_path / "probe.json"
    done = cli("probe", "--json", str(out), "--markdown", str(tmp_path / "probe.md"))
    assert done.code == 1
    ops = {op["operation_id"]: op for op in json.loads(out.read_text())["operations"]}
    assert ops["getOrder"]["outcome"] == "deviates"
    assert ops["getOrder"]["findings"][0]["where"] == "/info/rush"
    assert ops["getOrder"]["findings"][0]["seen"] == "string"
    assert ops["listOffices"]["outcome"] == "unreachable"
    assert SECRET not in out.read_text() + (tmp_path / "probe.md").read_text() + done.out
    shown = cli("probe", "--json", str(out), "--show-values")
    assert shown.code == 1
    assert SECRET in out.read_text()


def test_the_probe_cannot_run_exits_2(
    cli: Cli, fake: FakeCubiCasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = cli("probe", "--api-key", "not-the-key-42")
    assert wrong.code == 2
    assert "401" in wrong.err
    assert "not-the-key-42" not in wrong.err + wrong.out
    monkeypatch.delenv("CUBICASA_API_KEY")
    missing = cli("probe")
    assert missing.code == 2
    assert "CUBICASA_API_KEY" in missing.err
    monkeypatch.setenv("CUBICASA_API_KEY", fake.api_key)
    fake.requests.clear()
    production = cli("probe", "--write", "--base-url", "https://app.cubi.casa/api/integrate/v3")
    assert production.code == 2
    assert "--allow-production" in production.err
    assert fake.requests == []


def test_pinned_ids_reach_the_requests(cli: Cli, fake: FakeCubiCasa) -> None:
    fake.add_user("pinned@agency.test", role="User")
    order = next(iter(fake.orders))
    done = cli("probe", "--order-id", order, "--user-email", "pinned@agency.test")
    assert done.code == 0, done.err
    assert fake.requests_to("getOrder")[0].path.endswith(f"/orders/{order}")
    assert fake.requests_to("getUser")[0].path.endswith("/users/pinned@agency.test")


@pytest.mark.slow
def test_probe_over_http_from_the_installed_command(tmp_path: Path) -> None:
    fake = FakeCubiCasa()
    fake.deviate("listUsers", replace={"/items/*/role": "Owner"})
    with fake.serve() as server:
        env = {
            **os.environ,
            "CUBICASA_API_KEY": fake.api_key,
            "CUBICASA_BASE_URL": server.base_url,
        }
        done = subprocess.run(
            [sys.executable, "-m", "cubicasa", "probe", "--json", str(tmp_path / "p.json")],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )
    assert done.returncode == 1, done.stderr
    ops = {
        op["operation_id"]: op for op in json.loads((tmp_path / "p.json").read_text())["operations"]
    }
    assert [f["kind"] for f in ops["listUsers"]["findings"]] == ["unknown_value"]
    assert ops["listUsers"]["status"] == 200
    assert fake.api_key not in done.stdout + done.stderr
