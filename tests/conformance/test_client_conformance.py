"""Conformance as the client runs: every finding kind, in each mode, sync and async, against the
fake made to deviate on purpose."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from cubicasa import (
    AsyncCubiCasa,
    ConformanceFinding,
    CubiCasa,
    NotFoundError,
    ResponseValidationError,
)
from cubicasa.conformance import _mode as _conformance
from cubicasa.testing import FakeCubiCasa
from tests.spec_facts import UNKNOWN, first_inferred

ORDER = "312babc6-e742-4d54-ac49-e0f7b16ec15a"  # a seeded order of the fake
SECRET = "private-value-7f3a"  # stands for personal data: it must never reach a log


@pytest.fixture(autouse=True)
def fresh_process_log() -> Iterator[None]:
    """ "Once per process" is per test here."""
    _conformance._logged.clear()
    yield
    _conformance._logged.clear()


@dataclass(frozen=True)
class Case:
    kind: str
    where: str  # the location (indices removed)
    operation_id: str
    deviate: Callable[[FakeCubiCasa], None]
    call: Callable[[Any], Any]  # sync client -> result; the async twin awaits the same names
    # What the call does in `log` mode besides logging: None = returns normally.
    log_raises: type[Exception] | None = None
    strict_raises: type[Exception] = ResponseValidationError


def _get_order(client: Any) -> Any:
    return client.orders.get(ORDER)


def _list_users(client: Any) -> Any:
    return client.users.list()


def _company(client: Any) -> Any:
    return client.company.get()


# An inferred operation to answer 404 for its path: read from the spec, not pinned (a probe of the
# live API may mark the read ones observed; createOffice is never probed).
_INFERRED_CALLS: dict[str, Callable[[Any], Any]] = {
    "getCompanyInfo": _company,
    "getCompanyPackage": lambda client: client.company.get_package(),
    "listOffices": lambda client: client.offices.list(),
    "createOffice": lambda client: client.offices.create(name="Probe office"),
}
INFERRED = first_inferred(list(_INFERRED_CALLS))


CASES = [
    Case(
        "unknown_field",
        f"/info/{UNKNOWN}",
        "getOrder",
        lambda f: f.deviate("getOrder", add={f"/info/{UNKNOWN}": SECRET}),
        _get_order,
    ),
    Case(
        "unknown_field",
        "/items/*/nickname",
        "listUsers",
        lambda f: f.deviate("listUsers", add={"/items/*/nickname": SECRET}),
        _list_users,
    ),
    Case(
        "missing_required",
        "/id",
        "getOrder",
        lambda f: f.deviate("getOrder", remove=["/id"]),
        _get_order,
        log_raises=ResponseValidationError,  # the model needs it too: an error and a finding
    ),
    Case(
        "wrong_type",
        "/info/location",
        "getOrder",
        lambda f: f.deviate("getOrder", replace={"/info/location": 42}),
        _get_order,
        log_raises=ResponseValidationError,  # the model checks the type too
    ),
    Case(
        "unknown_value",
        "/items/*/role",
        "listUsers",
        lambda f: f.deviate("listUsers", replace={"/items/*/role": SECRET}),
        _list_users,
    ),
    Case(
        "undocumented_status",
        "status",
        "getOrder",
        lambda f: f.deviate("getOrder", status=201),
        _get_order,
    ),
    Case(
        "undocumented_content_type",
        "content-type",
        "getCompanyInfo",
        lambda f: f.deviate("getCompanyInfo", content_type="text/plain"),
        _company,
    ),
    Case(
        "invalid_json",
        "",
        "getCompanyInfo",
        lambda f: f.invalid_json(times=None, route="getCompanyInfo"),
        _company,
        log_raises=ResponseValidationError,
    ),
    Case(
        "unreachable_path",
        "status",
        INFERRED,
        lambda f: f.deviate(INFERRED, path_missing=True),
        _INFERRED_CALLS[INFERRED],
        log_raises=NotFoundError,
        strict_raises=NotFoundError,  # a 404 stays a NotFoundError; the finding is recorded
    ),
]
IDS = [f"{c.kind}:{c.operation_id}" for c in CASES]


def _drain(result: Any) -> Any:
    return list(result) if hasattr(result, "pages") else result


def _run_sync(client: CubiCasa, case: Case) -> None:
    _drain(case.call(client))


def _run_async(client: AsyncCubiCasa, case: Case) -> None:
    async def go() -> None:
        result = case.call(client)
        if hasattr(result, "pages"):
            [item async for item in result]
        else:
            await result

    asyncio.run(go())


def _call(fake: FakeCubiCasa, case: Case, mode: str, twin: str, times: int = 1) -> list[Any]:
    """Run the case's call `times` times; returns the exceptions raised, and the findings."""
    raised: list[Any] = []
    if twin == "sync":
        client = fake.client(conformance=mode)
        for _ in range(times):
            try:
                _run_sync(client, case)
            except Exception as exc:
                raised.append(exc)
        findings = client.conformance
        client.close()
    else:
        aclient = fake.async_client(conformance=mode)
        for _ in range(times):
            try:
                _run_async(aclient, case)
            except Exception as exc:
                raised.append(exc)
        findings = aclient.conformance
    return [raised, findings]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "cubicasa.conformance"]


@pytest.mark.parametrize("twin", ["sync", "async"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_log_mode_warns_once_per_distinct_deviation_without_values(
    case: Case, twin: str, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeCubiCasa()
    case.deviate(fake)
    caplog.set_level(logging.INFO, logger="cubicasa.conformance")
    raised, findings = _call(fake, case, "log", twin, times=2)
    if case.log_raises is None:
        assert raised == []
    else:
        assert len(raised) == 2
        assert all(isinstance(e, case.log_raises) for e in raised)
    found = [f for f in findings if f.kind == case.kind]
    assert [(f.operation_id, f.location) for f in found] == [(case.operation_id, case.where)]
    assert isinstance(found[0], ConformanceFinding)
    records = _warnings(caplog)
    assert len(records) == 1  # two calls (and, for lists, several items): one line
    line = records[0].getMessage()
    # a deviation in an error answer (a 404 for the path) is a note below WARNING: a command
    # line that fails prints its error, not a warning beside it
    expected = logging.INFO if case.log_raises is NotFoundError else logging.WARNING
    assert records[0].levelno == expected
    assert case.operation_id in line
    assert case.kind in line
    # The log names the place as client.conformance does (the first seen: "/items/0/role").
    assert f" at {found[0].where or 'the body'}: " in line
    assert found[0].detail in line  # the spec's expectation
    assert SECRET not in caplog.text
    assert fake.api_key not in caplog.text


@pytest.mark.parametrize("twin", ["sync", "async"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_strict_mode_raises(case: Case, twin: str, caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeCubiCasa()
    case.deviate(fake)
    raised, findings = _call(fake, case, "strict", twin)
    assert len(raised) == 1
    assert isinstance(raised[0], case.strict_raises)
    if case.strict_raises is ResponseValidationError and case.kind != "invalid_json":
        assert case.kind in str(raised[0])
        assert case.operation_id in str(raised[0])
    assert [f.kind for f in findings] == [case.kind]
    assert _warnings(caplog) == []


@pytest.mark.parametrize("twin", ["sync", "async"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_off_mode_notes_nothing(case: Case, twin: str, caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeCubiCasa()
    case.deviate(fake)
    raised, findings = _call(fake, case, "off", twin)
    if case.log_raises is None:
        assert raised == []
    else:
        assert isinstance(raised[0], case.log_raises)
    assert findings == []
    assert _warnings(caplog) == []


def test_the_unmodified_fake_conforms_in_strict_mode() -> None:
    fake = FakeCubiCasa()
    with fake.client(conformance="strict") as client:
        order = client.orders.get(ORDER)
        assert order.id == ORDER
        assert len(list(client.orders.list())) >= 2
        assert list(client.users.list())
        assert client.company.get() is not None
        assert client.orders.get_combined_pdf(ORDER).startswith(b"%PDF-")
        assert client.conformance == []


def test_the_mode_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeCubiCasa()
    fake.deviate("getOrder", add={"/rush": True})
    monkeypatch.setenv("CUBICASA_CONFORMANCE", "strict")
    with fake.client() as client, pytest.raises(ResponseValidationError, match="/rush"):
        client.orders.get(ORDER)
    monkeypatch.setenv("CUBICASA_CONFORMANCE", "off")
    with fake.client() as client:
        assert client.orders.get(ORDER).id == ORDER
        assert client.conformance == []
    monkeypatch.delenv("CUBICASA_CONFORMANCE")
    with fake.client() as client:  # the default: log
        client.orders.get(ORDER)
        assert [f.where for f in client.conformance] == ["/rush"]
    # the argument wins over the variable
    monkeypatch.setenv("CUBICASA_CONFORMANCE", "strict")
    with fake.client(conformance="log") as client:
        client.orders.get(ORDER)


@pytest.mark.parametrize(
    ("value", "error", "named"),
    [("loud", ValueError, "conformance"), (1, TypeError, "conformance"), ("", ValueError, "")],
)
def test_a_bad_mode_is_refused_naming_the_option(value: Any, error: type, named: str) -> None:
    with pytest.raises(error, match=named or "off, log, strict"):
        CubiCasa(api_key="k", conformance=value)
    with pytest.raises(error, match=named or "off, log, strict"):
        AsyncCubiCasa(api_key="k", conformance=value)


def test_a_bad_environment_value_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CUBICASA_CONFORMANCE", "sometimes")
    with pytest.raises(ValueError, match="CUBICASA_CONFORMANCE"):
        CubiCasa(api_key="k")


def test_with_options_shares_the_findings() -> None:
    fake = FakeCubiCasa()
    fake.deviate("getOrder", add={"/rush": True})
    with fake.client() as client:
        client.with_options(timeout=5).orders.get(ORDER)
        assert [f.where for f in client.conformance] == ["/rush"]


def test_findings_hold_no_values_and_say_what_the_spec_expects() -> None:
    fake = FakeCubiCasa()
    fake.deviate("getOrder", replace={"/info/location": 42, "/info/status": SECRET})
    with fake.client() as client:
        with pytest.raises(ResponseValidationError):  # the model refuses the type as well
            client.orders.get(ORDER)
        (finding,) = client.conformance
    assert finding.where == "/info/location"
    assert finding.detail == "expected type string or null, got integer"
    assert finding.seen == "integer"
    assert finding.value is None
    assert SECRET not in repr(client.conformance)
