"""`cubicasa probe --json -` writes the report to stdout (the table then goes to stderr), and
`--spec-patch` finds the spec (--spec, else here or a folder above) before it calls anything."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cubicasa.testing import FakeCubiCasa
from tests.cli.conftest import Cli
from tests.conftest import ROOT

SPEC = "openapi/cubicasa-integrate-v3.yaml"


def test_json_dash_writes_the_report_to_stdout(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    done = cli("probe", "--json", "-")
    assert done.code == 0, done.err
    document = json.loads(done.out)
    assert {op["outcome"] for op in document["operations"]} == {"conforms", "skipped"}
    assert "conforms" in done.err  # the table, out of the way of the JSON
    assert not (tmp_path / "-").exists()


def test_spec_patch_without_a_spec_stops_before_any_call(
    cli: Cli, fake: FakeCubiCasa, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    done = cli("probe", "--json", "probe.json", "--spec-patch", "probe.patch")
    assert done.code == 2
    assert "--spec-patch needs the spec" in done.err
    assert "--spec PATH" in done.err
    assert fake.requests == []  # nothing was called
    assert list(tmp_path.iterdir()) == []  # and no report was written
    missing = cli("probe", "--spec-patch", "p.patch", "--spec", str(tmp_path / "nope.yaml"))
    assert missing.code == 2
    assert "nope.yaml not found" in missing.err


def test_spec_patch_finds_the_spec_from_a_subfolder_or_takes_spec(
    cli: Cli, fake: FakeCubiCasa, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.deviate("getOrder", add={"/info/probe_only_field_x1": 1})
    repo = tmp_path / "repo"
    (repo / "openapi").mkdir(parents=True)
    shutil.copy(ROOT / SPEC, repo / SPEC)
    (repo / "services" / "deep").mkdir(parents=True)
    monkeypatch.chdir(repo / "services" / "deep")
    done = cli("probe", "--spec-patch", "found.patch")
    assert done.code == 1, done.err  # it deviates
    assert "+        probe_only_field_x1:" in Path("found.patch").read_text()
    monkeypatch.chdir(tmp_path)
    given = cli("probe", "--spec-patch", "given.patch", "--spec", str(repo / SPEC))
    assert given.code == 1, given.err
    assert "+        probe_only_field_x1:" in Path("given.patch").read_text()
