"""Exit codes, and how any error becomes one line on stderr plus its exit code."""

from __future__ import annotations

import sys
import traceback
from enum import IntEnum

import click

API_KEY_HINT = (
    "check that CUBICASA_API_KEY holds your company's API key (a Manager finds it in the web app "
    "under Settings > Company > Developer)"
)


class ExitCode(IntEnum):
    """The exit status of `cubicasa`, one per kind of failure."""

    OK = 0
    FAILURE = 1
    USAGE = 2
    AUTH = 3
    NOT_FOUND = 4
    VALIDATION = 5
    NETWORK = 6
    SERVER = 7
    CONFIG = 8
    INTERRUPTED = 130


MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "success",
    ExitCode.FAILURE: "any other failure",
    ExitCode.USAGE: "usage: a bad option or argument, refused before anything is sent",
    ExitCode.AUTH: "auth: no API key, a wrong key (401) or not allowed (403)",
    ExitCode.NOT_FOUND: "not found (404)",
    ExitCode.VALIDATION: "validation: CubiCasa rejected the request's content (400, 409, 422)",
    ExitCode.NETWORK: "network: no answer (DNS, refused connection, timeout)",
    ExitCode.SERVER: "server: 5xx, 429 after retries, or a malformed or oversized answer",
    ExitCode.CONFIG: "config: a bad setting in the environment (e.g. CUBICASA_CONFORMANCE)",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C)",
}


def exit_code_table() -> str:
    """The exit codes as lines `  N  meaning`, for `cubicasa --help`."""
    return "\n".join(f"  {int(code):>3}  {text}" for code, text in MEANINGS.items())


class CommandError(Exception):
    """An error a command reports as one line with a chosen exit code."""

    def __init__(self, code: ExitCode, message: str) -> None:
        super().__init__(message)
        self.code = code


def _classify(exc: BaseException) -> tuple[ExitCode, str]:
    """The exit code and the message (without the `cubicasa:` prefix) for an exception."""
    from .. import errors  # httpx with it: not needed for `cubicasa --help`

    if isinstance(exc, CommandError):
        return exc.code, str(exc)
    if isinstance(exc, click.UsageError):
        where = exc.ctx.command_path if exc.ctx is not None else "cubicasa"
        return ExitCode.USAGE, f"{exc.format_message()} (see '{where} --help')"
    if isinstance(exc, click.ClickException):
        return ExitCode(exc.exit_code) if exc.exit_code in MEANINGS else ExitCode.FAILURE, (
            exc.format_message()
        )
    if isinstance(exc, click.Abort | KeyboardInterrupt):
        return ExitCode.INTERRUPTED, "interrupted"
    if isinstance(exc, errors.AuthenticationError):
        return ExitCode.AUTH, f"{exc} -- {API_KEY_HINT}"
    if isinstance(exc, errors.PermissionDeniedError):
        return ExitCode.AUTH, f"{exc} -- this API key may not do this (a role restriction?)"
    if isinstance(exc, errors.NotFoundError):
        from .._error_shape import is_api_error

        if not is_api_error(None, exc.body, parsed=True):  # not the API's own "not found"
            return ExitCode.NOT_FOUND, (
                f"{exc} -- the API does not seem to have this path: the spec's path may be "
                "wrong (`cubicasa probe` checks every path)"
            )
        return ExitCode.NOT_FOUND, f"{exc} -- check the ID, and that it belongs to this company"
    if isinstance(exc, errors.BadRequestError):
        from .._redact import safe_name

        fields = ", ".join(safe_name(where) for where, _ in exc.errors)
        hint = f" -- fix {fields}" if fields else ""
        return ExitCode.VALIDATION, f"CubiCasa rejected the request: {exc}{hint}"
    if isinstance(exc, errors.ConflictError | errors.UnprocessableEntityError):
        return ExitCode.VALIDATION, f"CubiCasa refused the request: {exc}"
    if isinstance(exc, errors.APIConnectionError):
        return ExitCode.NETWORK, f"{exc} -- check --base-url / CUBICASA_BASE_URL and the network"
    if isinstance(exc, errors.InternalServerError | errors.RateLimitError):
        return ExitCode.SERVER, f"{exc} -- CubiCasa could not answer now; try again later"
    if isinstance(
        exc,
        errors.ResponseValidationError | errors.PaginationError | errors.ResponseTooLargeError,
    ):
        return ExitCode.SERVER, f"{exc}"
    if isinstance(exc, errors.CubiCasaError):
        return ExitCode.FAILURE, str(exc)
    if isinstance(exc, OSError):  # a file that cannot be written, ...
        where = f": {exc.filename}" if exc.filename else ""
        return ExitCode.FAILURE, f"{exc.strerror or exc}{where}"
    return ExitCode.FAILURE, f"unexpected error {type(exc).__name__}: {exc}"


def report(exc: BaseException, *, verbose: bool, secret: str | None = None) -> int:
    """Print `exc` as one line on stderr (after its traceback with --verbose); its exit code.
    `secret` (the API key) never appears in that line, whatever the server echoed."""
    code, message = _classify(exc)
    if secret:
        message = message.replace(secret, "<the API key>")
    if verbose and not isinstance(exc, click.UsageError | click.Abort | KeyboardInterrupt):
        traceback.print_exception(exc, file=sys.stderr)
    line = " ".join(message.split())
    if code is ExitCode.FAILURE and not verbose and not isinstance(exc, CommandError):
        line += " (--verbose shows the traceback)"
    print(f"cubicasa: {line}", file=sys.stderr, flush=True)
    return int(code)
