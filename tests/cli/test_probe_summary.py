"""The probe's terminal summary (deviations by operation, breaking ones first, where the
reports are, what the exit status means), and its refusal to patch a spec it does not know."""

from __future__ import annotations

from pathlib import Path

from cubicasa.testing import FakeCubiCasa
from tests.cli.conftest import Cli
from tests.conftest import ROOT


def test_the_summary_names_deviations_breaking_first_and_the_reports(
    cli: Cli, fake: FakeCubiCasa, tmp_path: Path
) -> None:
    fake.deviate("listUsers", add={"/items/*/nickname": "x"})
    fake.deviate("getOrder", remove=["/info/status"])
    fake.deviate("listOffices", path_missing=True)
    done = cli("probe", "--json", str(tmp_path / "probe.json"))
    assert done.code == 1
    tail = done.out.split("\nsummary: ", 1)[1].splitlines()
    assert tail[0].startswith("7 conforms, 2 deviates, 1 unreachable")
    assert tail[1].startswith("deviations by operation (2 breaking, 1 additive")
    kinds = [line.split()[:2] for line in tail[2:5]]
    assert kinds == [["breaking", "getOrder"], ["breaking", "listOffices"],
                     ["additive", "listUsers"]]  # fmt: skip
    assert "missing_required /info/status" in tail[2]
    assert "unknown_field /items/*/nickname" in tail[4]
    assert tail[5] == f"reports: JSON {tmp_path / 'probe.json'}"
    assert tail[6].startswith("exit status 1: something deviates")


def test_a_clean_run_says_so(cli: Cli) -> None:
    done = cli("probe")
    assert done.code == 0
    assert done.out.splitlines()[-1] == "exit status 0: every operation that ran conforms"
    assert "deviations" not in done.out


def test_a_spec_this_client_does_not_know_is_not_patched(
    cli: Cli, fake: FakeCubiCasa, tmp_path: Path
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        (ROOT / "openapi" / "cubicasa-integrate-v3.yaml").read_text(encoding="utf-8")
        + "\n# edited\n",
        encoding="utf-8",
    )
    done = cli("probe", "--spec", str(spec), "--spec-patch", str(tmp_path / "spec.patch"))
    assert done.code == 2
    assert "is not the spec this client was generated from" in done.err
    assert "make probe" in done.err
    assert fake.requests == []  # refused before any call
    assert not (tmp_path / "spec.patch").exists()
