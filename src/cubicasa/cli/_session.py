"""The global options, the `Session` they fill, and the `CubiCasa` built from them.

Every API command takes the global options too (`cubicasa orders list --json` and
`cubicasa --json orders list` are the same); a value given on the command wins over the group's.
Tests route the clients through an injected httpx client with `injected_http_client`.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ._exit import CommandError, ExitCode
from ._types import Seconds

if TYPE_CHECKING:
    import httpx

    from .. import CubiCasa

F = TypeVar("F", bound=Callable[..., Any])

API_KEY_ENV = "CUBICASA_API_KEY"
BASE_URL_ENV = "CUBICASA_BASE_URL"

_http_client_factory: Callable[[], httpx.Client] | None = None


@contextmanager
def injected_http_client(factory: Callable[[], httpx.Client]) -> Iterator[None]:
    """While active, every client the command line builds sends through `factory()`'s
    `httpx.Client` (e.g. `httpx.Client(transport=fake.transport)`), closed after the command."""
    global _http_client_factory
    previous, _http_client_factory = _http_client_factory, factory
    try:
        yield
    finally:
        _http_client_factory = previous


@dataclass
class Session:
    """What the global options chose, for one run of `cubicasa`."""

    api_key: str | None = None
    base_url: str | None = None
    timeout: float | None = None
    json: bool = False
    wide: bool = False
    quiet: bool = False
    verbose: bool = False

    @contextmanager
    def connect(self) -> Iterator[CubiCasa]:
        """A `CubiCasa` from the options (else CUBICASA_API_KEY / CUBICASA_BASE_URL), closed
        after use.

        Raises:
            CommandError: no API key (exit code AUTH).
            click.UsageError: a malformed key or a refused base URL.
        """
        from .. import DEFAULT_TIMEOUT, CubiCasa, CubiCasaError

        key = self.api_key if self.api_key is not None else os.environ.get(API_KEY_ENV)
        if not key:
            raise CommandError(
                ExitCode.AUTH,
                f"no API key: set the {API_KEY_ENV} environment variable (a Manager finds the key "
                "in the web app under Settings > Company > Developer)",
            )
        http = _http_client_factory() if _http_client_factory is not None else None
        try:
            try:
                client = CubiCasa(
                    key,
                    base_url=self.base_url,
                    timeout=DEFAULT_TIMEOUT if self.timeout is None else self.timeout,
                    http_client=http,
                )
            except CubiCasaError as exc:
                from_environment = self.base_url is None and BASE_URL_ENV in os.environ
                if from_environment and ("base URL" in str(exc) or BASE_URL_ENV in str(exc)):
                    # CUBICASA_BASE_URL set but empty or refused: the environment, not the
                    # command typed, is wrong.
                    raise CommandError(ExitCode.CONFIG, str(exc)) from None
                raise click.UsageError(str(exc)) from None
            except (TypeError, ValueError) as exc:
                # Every option was checked by its type already: what is left comes from the
                # environment (e.g. CUBICASA_CONFORMANCE=bogus), a configuration error.
                raise CommandError(ExitCode.CONFIG, str(exc)) from None
            with client:
                yield client
        finally:
            if http is not None:
                http.close()


pass_session = click.make_pass_decorator(Session, ensure=True)


def _store(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is None or value is False:
            return  # not given here: keep what the group (or the default) chose
        session = ctx.ensure_object(Session)
        setattr(session, name, value)
        if name == "verbose":
            _log_to_stderr()

    return callback


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a record comes (tests swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.setStream(sys.stderr)
        super().emit(record)


def _log_to_stderr() -> None:
    logger = logging.getLogger("cubicasa")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        handler.previous_level = logger.level  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)


def stop_logging() -> None:
    """Undo `--verbose`'s logging (when `cubicasa` runs inside another program)."""
    logger = logging.getLogger("cubicasa")
    for handler in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
        logger.removeHandler(handler)
        logger.setLevel(handler.previous_level)  # type: ignore[attr-defined]


def _option(*decls: str, **attrs: Any) -> Callable[[F], F]:
    name = decls[0].lstrip("-").replace("-", "_")
    return click.option(*decls, expose_value=False, callback=_store(name), **attrs)


def _apply(command: F, options: list[Callable[[F], F]]) -> F:
    for add in reversed(options):
        command = add(command)
    return command


def connection_options(command: F) -> F:
    """`--api-key`, `--base-url`, `--timeout`, `--quiet`, `--verbose`: they fill the `Session`
    (read it with `pass_session`), not the command's arguments."""
    return _apply(
        command,
        [
            _option(
                "--api-key",
                metavar="KEY",
                help=f"The API key [default: ${API_KEY_ENV}]. Prefer the variable: a key typed "
                "on the command line stays in your shell history.",
            ),
            _option(
                "--base-url",
                metavar="URL",
                help=f"The API's base URL [default: ${BASE_URL_ENV}, else production].",
            ),
            _option(
                "--timeout",
                type=Seconds(0, open_minimum=True),
                metavar="SECONDS",
                help="Seconds to wait for each answer [default: 60, 5 to connect].",
            ),
            _option("--quiet", "-q", is_flag=True, help="No progress and no notes on stderr."),
            _option(
                "--verbose", "-v", is_flag=True, help="Log requests; show tracebacks on errors."
            ),
        ],
    )


def json_option(command: F) -> F:
    """`--json`: JSON on stdout even on a terminal."""
    return _option(
        "--json",
        is_flag=True,
        help="JSON on stdout (JSON Lines for lists); the default when stdout is not a terminal.",
    )(command)


def wide_option(command: F) -> F:
    """`--wide`: whole IDs in tables (they are shortened to fit a terminal otherwise)."""
    return _option(
        "--wide", is_flag=True, help="Whole IDs in tables (shortened to fit otherwise)."
    )(command)


def global_options(command: F) -> F:
    """Every global option (the root group and each API command take them)."""
    return connection_options(wide_option(json_option(command)))
