"""`cubicasa probe --spec-patch` says on stderr when the patch left out what would break
generation (the patch's header lists each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cubicasa.testing import FakeCubiCasa
from tests.cli.conftest import Cli
from tests.conftest import ROOT


def test_the_probe_notes_what_the_spec_patch_left_out(
    cli: Cli, fake: FakeCubiCasa, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the spec patch is made against the repository's spec
    fake.deviate("getOrder", add={"/to_dict": 1, "/a.b": 1, "/a-b": 2})
    patch = tmp_path / "spec.patch"
    done = cli("probe", "--spec-patch", str(patch))
    assert "the spec patch leaves out 2 field(s) or value(s)" in done.err
    head = patch.read_text(encoding="utf-8").split("--- a/", 1)[0]
    assert 'field "to_dict" at /components/schemas/Order' in head
    assert 'field "a.b" at /components/schemas/Order' in head
