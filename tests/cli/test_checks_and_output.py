"""The command line under the attacks it met: JSON that must reach a redirected stdout while the
progress counter runs on the terminal, arguments and settings refused before anything is sent,
errors as exactly one line, the probe's global options, and field names from the server that
must not reach the terminal as they are."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cubicasa import errors
from cubicasa.cli._exit import ExitCode, report
from cubicasa.testing import FakeCubiCasa, FakeServer
from tests.cli.conftest import Cli

DRAFT_ORDER = "c8a11daa-86ad-43ad-8ab3-756c741d1db6"


def test_json_lines_reach_a_redirected_stdout_while_progress_shows_on_the_terminal(
    cli: Cli, fake: FakeCubiCasa
) -> None:
    # `cubicasa orders list > orders.jsonl` typed in a terminal: stderr is the terminal.
    for n in range(5):
        fake.add_order(status="Pending", external_id=f"redirected-{n}")
    plain = cli("orders", "list")
    redirected = cli("orders", "list", stderr_terminal=True)
    assert redirected.code == 0
    assert len(redirected.lines()) == len(plain.lines()) >= 5
    assert redirected.lines() == plain.lines()
    assert '"id"' not in redirected.err  # no JSON drawn on the terminal instead


@pytest.mark.parametrize(
    "args",
    [
        ["orders", "watch", DRAFT_ORDER, "--interval", "nan"],
        ["orders", "watch", DRAFT_ORDER, "--interval", "inf"],
        ["orders", "watch", DRAFT_ORDER, "--interval", "1e300"],
        ["orders", "watch", DRAFT_ORDER, ""],
        ["orders", "get", DRAFT_ORDER, "--timeout", "nan"],
        ["--timeout", "inf", "orders", "get", DRAFT_ORDER],
        ["orders", "get", "   "],
        ["orders", "get", "a\nb"],
        ["users", "get", ""],
        ["change-requests", "get", DRAFT_ORDER, ""],
        ["drafts", "delete", ""],
        ["probe", "--order-id", ""],
        ["probe", "--timeout", "nan"],
    ],
)
def test_bad_arguments_are_usage_errors_before_anything_is_sent(
    cli: Cli, fake: FakeCubiCasa, args: list[str]
) -> None:
    done = cli(*args)
    assert done.code == ExitCode.USAGE, done.err
    assert len(fake.requests) == 0
    assert len(done.err.strip().splitlines()) == 1
    assert "unexpected" not in done.err


def test_a_bad_conformance_setting_is_a_config_error(
    cli: Cli, fake: FakeCubiCasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUBICASA_CONFORMANCE", "bogus")
    done = cli("orders", "list")
    assert done.code == ExitCode.CONFIG == 8
    assert "CUBICASA_CONFORMANCE" in done.err
    assert len(done.err.strip().splitlines()) == 1
    assert len(fake.requests) == 0
    assert "config" in cli("--help").out


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeCubiCasa().serve() as running:
        yield running


@pytest.mark.parametrize(
    ("args", "deviation", "code"),
    [
        (["users", "get", "nobody@example.com", "-q"], None, ExitCode.NOT_FOUND),
        (["change-requests", "list", "no-such-order"], None, ExitCode.NOT_FOUND),
        (["orders", "pdf", DRAFT_ORDER, "-o", "x.pdf", "-q"], None, ExitCode.NOT_FOUND),
        (["company", "get"], ("getCompanyInfo", 409), ExitCode.VALIDATION),
        (["company", "package"], ("getCompanyPackage", 418), ExitCode.FAILURE),
    ],
)
@pytest.mark.slow
def test_an_error_is_exactly_one_line_without_conformance_warnings(
    server: FakeServer,
    tmp_path: Path,
    args: list[str],
    deviation: tuple[str, int] | None,
    code: int,
) -> None:
    # A real process: the log's last-resort handler prints warnings to stderr, as for a user.
    if deviation is not None:
        server.fake.deviate(deviation[0], status=deviation[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUBICASA_")}
    env |= {"CUBICASA_API_KEY": server.fake.api_key, "CUBICASA_BASE_URL": server.base_url}
    done = subprocess.run(
        [sys.executable, "-m", "cubicasa", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == code, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert "differs from the spec" not in done.stderr


def test_a_missing_path_is_one_line_that_says_the_path_may_be_wrong(
    cli: Cli, fake: FakeCubiCasa
) -> None:
    fake.deviate("getCompanyInfo", path_missing=True)
    done = cli("company", "get")
    assert done.code == ExitCode.NOT_FOUND
    assert done.err.count("\n") == 1, done.err
    assert "path may be wrong" in done.err


def test_the_probe_takes_the_global_options(
    cli: Cli, fake: FakeCubiCasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cubicasa import probe as _probe

    seen: list[Any] = []
    real = _probe.run_probe

    def recording(**options: Any) -> Any:
        seen.append(options.get("timeout"))
        return real(**options)

    monkeypatch.setattr(_probe, "run_probe", recording)
    after = cli("probe", "--timeout", "7", "--quiet", "--verbose")
    assert after.code == 0, after.err
    before = cli("--timeout", "3", "probe")
    assert before.code == 0, before.err
    assert seen == [7.0, 3.0]
    wrong = cli("--api-key", "not-the-key-42", "probe")
    assert wrong.code == 2
    assert "401" in wrong.err


def test_an_error_line_never_shows_the_key_or_a_forged_field_name(fake: FakeCubiCasa) -> None:
    key = fake.api_key
    body = {
        "validation_error": {
            "body_params": [
                {"loc": [f"echo_{key}"], "msg": "bad"},
                {"loc": ["street\ncubicasa: all fine"], "msg": "bad"},
            ]
        }
    }
    request = httpx.Request("POST", fake.base_url + "/orders")
    response = httpx.Response(400, json=body, request=request)
    error = errors.BadRequestError(response, body)
    import contextlib
    import io

    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = report(error, verbose=False, secret=key)
    assert code == ExitCode.VALIDATION
    line = stderr.getvalue()
    assert key not in line
    assert line.count("\n") == 1
    assert "<name withheld>" in line


def test_a_terminal_view_withholds_odd_field_names(cli: Cli, fake: FakeCubiCasa) -> None:
    fake.deviate(
        "getCompanyInfo",
        add={f"/echo_{fake.api_key}": 1, "/victim@private.org": 2, "/a\nforged": 3},
    )
    done = cli("company", "get", terminal=True)
    assert done.code == 0
    assert fake.api_key not in done.out
    assert "victim@private.org" not in done.out
    assert "forged" not in done.out
    assert "<name withheld>" in done.out
    exact = json.loads(cli("company", "get").out)  # the JSON stays exactly the API's
    assert "victim@private.org" in exact
