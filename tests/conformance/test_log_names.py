"""The `cubicasa.conformance` log lines and strict errors name where a response deviated, but
never write a field name that is not a plain identifier or that holds the API key."""

from __future__ import annotations

import logging
import uuid

import pytest

from cubicasa.errors import ResponseValidationError
from cubicasa.testing import FakeCubiCasa


def _odd_names(key: str) -> list[str]:
    tag = uuid.uuid4().hex[:8]  # log lines are once per process: new names for every run
    return [f"echo_{key}_{tag}", f"victim{tag}@private.org", f"a{tag}\ncubicasa: forged"]


def test_log_lines_withhold_odd_field_names(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeCubiCasa()
    names = _odd_names(fake.api_key)
    plain = f"plain_{uuid.uuid4().hex[:8]}"
    fake.deviate("getCompanyInfo", add={f"/{n}": 1 for n in [*names, plain]})
    caplog.set_level(logging.INFO, logger="cubicasa.conformance")
    with fake.client() as client:
        client.company.get()
    lines = [r.getMessage() for r in caplog.records if r.name == "cubicasa.conformance"]
    assert any(plain in line for line in lines)  # a plain name is written as is
    assert any("<name withheld>" in line for line in lines)
    for line in lines:
        assert fake.api_key not in line
        assert "private.org" not in line
        assert "\n" not in line


def test_a_strict_error_withholds_odd_field_names() -> None:
    fake = FakeCubiCasa()
    names = _odd_names(fake.api_key)
    fake.deviate("getCompanyInfo", add={f"/{n}": 1 for n in names})
    with fake.client(conformance="strict") as client, pytest.raises(ResponseValidationError) as e:
        client.company.get()
    text = str(e.value)
    assert fake.api_key not in text
    # what the check says (the body excerpt after it is the error's own, masked for the key)
    said = text.split("does not conform to the spec (", 1)[1].split(")", 1)[0]
    assert "<name withheld>" in said
    assert "private.org" not in said
    assert "forged" not in said
