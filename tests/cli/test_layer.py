"""The shared command-line layer: help, lazy loading, the [cli] extra, exit codes and error
lines, the key kept out of every output."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cubicasa.cli._app import COMMANDS
from cubicasa.cli._exit import MEANINGS, ExitCode
from cubicasa.testing import FakeCubiCasa
from tests.cli.conftest import Cli

ORDER = "312babc6-e742-4d54-ac49-e0f7b16ec15a"
HIDE_CLI_EXTRA = "import sys; sys.modules['click'] = None; sys.modules['rich'] = None; "


def python(code: str, *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_help_lists_every_command_and_every_exit_code(cli: Cli) -> None:
    done = cli("--help")
    assert done.code == 0
    for name in COMMANDS:
        assert f"\n  {name} " in done.out
    for code, meaning in MEANINGS.items():
        assert f"{int(code):>3}  {meaning}" in done.out
    assert "_CUBICASA_COMPLETE=bash_source cubicasa" in done.out


def test_exit_codes_are_distinct_per_error_class() -> None:
    classes = [ExitCode.USAGE, ExitCode.AUTH, ExitCode.NOT_FOUND, ExitCode.VALIDATION,
               ExitCode.NETWORK, ExitCode.SERVER]  # fmt: skip
    assert len({int(code) for code in classes}) == len(classes)
    assert ExitCode.OK not in classes


@pytest.mark.slow
def test_help_imports_no_command_module_and_not_httpx() -> None:
    done = python(
        "import sys; from cubicasa.cli import main; code = main(['--help']); "
        "print(sorted(m.split('.')[0] if not m.startswith('cubicasa.') else m "
        "for m in sys.modules))"
    )
    assert done.returncode == 0, done.stderr
    loaded = eval(done.stdout.strip().splitlines()[-1])  # noqa: S307 -- our own printed list
    assert [m for m in loaded if m.startswith("cubicasa.cli.") and "._" not in m] == []
    for heavy in ("httpx", "rich", "pydantic", "cubicasa_api", "cubicasa.resources"):
        assert heavy not in loaded


@pytest.mark.slow
def test_a_command_loads_httpx_without_its_command_line() -> None:
    done = python(
        "import sys; from cubicasa.cli import main; "
        "main(['company', 'get', '--api-key', 'k', '--base-url', 'http://127.0.0.1:9/v3', "
        "'--timeout', '1']); "
        "print('httpx' in sys.modules, 'httpx._main' in sys.modules, 'pygments' in sys.modules); "
        "import httpx._main; print(httpx._main.main.name)"
    )
    assert done.stdout.split() == ["True", "False", "False", "main"], done.stderr


@pytest.mark.slow
def test_without_the_extra_the_command_says_what_to_install() -> None:
    done = python(HIDE_CLI_EXTRA + "from cubicasa.cli import main; raise SystemExit(main([]))")
    assert done.returncode == 1
    assert "pip install 'cubicasa-integrate[cli]'" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1


@pytest.mark.slow
def test_import_cubicasa_works_without_the_extra_and_loads_no_command_line() -> None:
    code = "import sys, cubicasa; cubicasa.CubiCasa; print('cubicasa.cli' in sys.modules)"
    plain = python(code)
    hidden = python(HIDE_CLI_EXTRA + code)
    assert plain.stdout.strip() == "False", plain.stderr
    assert hidden.stdout.strip() == "False", hidden.stderr


def test_a_command_whose_module_is_missing_fails_with_a_clear_line(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(COMMANDS, "ghost", "cubicasa.cli.ghost:ghost")
    done = cli("ghost")
    assert done.code == ExitCode.FAILURE
    assert done.err == (
        "cubicasa: the 'ghost' command is not part of this installation "
        "(module cubicasa.cli.ghost is missing); upgrade cubicasa-integrate\n"
    )


def test_version(cli: Cli) -> None:
    from cubicasa import __version__

    done = cli("--version")
    assert (done.code, done.out) == (0, f"cubicasa-integrate, version {__version__}\n")


def test_usage_error_is_one_line_with_exit_code_2_and_nothing_sent(
    cli: Cli, fake: FakeCubiCasa
) -> None:
    done = cli("orders", "list", "--max", "0")
    assert done.code == ExitCode.USAGE == 2
    assert done.err.count("\n") == 1
    assert "'--max'" in done.err
    assert "cubicasa orders list --help" in done.err
    assert fake.requests == []


def test_a_wrong_key_exits_3_names_the_variable_and_never_shows_the_key(
    cli: Cli, fake: FakeCubiCasa
) -> None:
    done = cli("--api-key", "wrong-secret-key-123", "orders", "list", "--verbose")
    assert done.code == ExitCode.AUTH
    last = done.err.strip().splitlines()[-1]
    assert last.startswith("cubicasa: 401 Unauthorized")
    assert "check the key given with --api-key" in last  # not the variable: it was not used
    assert "wrong-secret-key-123" not in done.out + done.err
    assert len(fake.requests) == 1


def test_a_wrong_key_from_the_environment_names_the_variable(
    cli: Cli, fake: FakeCubiCasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUBICASA_API_KEY", "wrong-secret-key-456")
    done = cli("orders", "list")
    assert done.code == ExitCode.AUTH
    assert "check that CUBICASA_API_KEY holds your company's API key" in done.err
    assert "wrong-secret-key-456" not in done.out + done.err


def test_no_key_exits_3_before_sending(
    cli: Cli, fake: FakeCubiCasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CUBICASA_API_KEY")
    done = cli("orders", "list")
    assert done.code == ExitCode.AUTH
    assert done.err.startswith("cubicasa: no API key: set the CUBICASA_API_KEY")
    assert fake.requests == []


def test_not_found_exits_4(cli: Cli) -> None:
    done = cli("orders", "get", "no-such-order")
    assert done.code == ExitCode.NOT_FOUND
    assert done.err.startswith("cubicasa: 404 Not Found from GET ")
    assert done.err.count("\n") == 1


def test_a_400_exits_5_and_lists_the_fields(cli: Cli) -> None:
    done = cli(
        "drafts", "create", "--street", "1 Main St", "--city", "Springfield",
        "--country", "United States", "--owner-email", "stranger@example.com",
    )  # fmt: skip
    assert done.code == ExitCode.VALIDATION
    assert "body.owner_email: user is not a member of the company" in done.err
    assert done.err.strip().endswith("-- fix body.owner_email")
    assert "Traceback" not in done.err


def test_a_server_failure_exits_7(cli: Cli, fake: FakeCubiCasa) -> None:
    fake.fail(503, times=None)
    done = cli("company", "get", "--timeout", "5")
    assert done.code == ExitCode.SERVER
    assert done.err.startswith("cubicasa: 503 ")
    assert "try again later" in done.err
    assert "Traceback" not in done.err


def test_no_answer_exits_6(cli: Cli, fake: FakeCubiCasa) -> None:
    fake.drop_connection(times=None)
    done = cli("company", "get")
    assert done.code == ExitCode.NETWORK
    assert "check --base-url / CUBICASA_BASE_URL and the network" in done.err
    assert done.err.count("\n") == 1


def test_verbose_adds_the_traceback(cli: Cli) -> None:
    quiet = cli("orders", "get", "no-such-order")
    verbose = cli("orders", "get", "no-such-order", "--verbose")
    assert "Traceback" not in quiet.err
    assert "Traceback (most recent call last)" in verbose.err
    assert verbose.err.strip().splitlines()[-1] == quiet.err.strip()


def test_global_options_work_before_and_after_the_command(cli: Cli) -> None:
    before = cli("--api-key", "nope", "company", "get")
    after = cli("company", "get", "--api-key", "nope")
    both = cli("--api-key", "nope", "company", "get", "--api-key", FakeCubiCasa().api_key)
    assert before.code == after.code == ExitCode.AUTH
    assert both.code == 0


def test_a_refused_base_url_is_a_usage_error(cli: Cli, fake: FakeCubiCasa) -> None:
    done = cli("--base-url", "http://cubicasa.example.com/api", "company", "get")
    assert done.code == ExitCode.USAGE
    assert "use https://" in done.err
    assert fake.requests == []


def test_a_library_warning_is_one_line_on_stderr(cli: Cli) -> None:
    done = cli(
        "webhooks", "set", "--url", "https://hooks.example.com/x", "--trigger", "moved_to_failed"
    )
    assert done.code == 0
    assert done.err == (
        "cubicasa: warning: 'moved_to_failed' is documented as not supported yet: "
        "CubiCasa may never send it\n"
    )


def test_the_command_line_guide_lists_the_exit_codes() -> None:
    from tests.docs_pages import page

    section = page("guides/command-line.md")
    for code, meaning in MEANINGS.items():
        assert f"| {int(code)} | {meaning} |" in section


@pytest.mark.parametrize(
    ("error", "code"),
    [
        ("ResponseTooLargeError", ExitCode.SERVER),
        ("PaginationError", ExitCode.SERVER),
        ("CubiCasaError", ExitCode.FAILURE),
    ],
)
def test_errors_without_a_status_have_their_exit_code(
    error: str, code: ExitCode, capsys: pytest.CaptureFixture[str]
) -> None:
    import httpx

    from cubicasa import errors
    from cubicasa.cli._exit import report

    request = httpx.Request("GET", "https://cubicasa.example.com/v3/users")
    kind = getattr(errors, error)
    exc = kind(request, 1000) if error == "ResponseTooLargeError" else kind("pages repeat")
    assert report(exc, verbose=False) == code
    assert capsys.readouterr().err.count("\n") == 1
