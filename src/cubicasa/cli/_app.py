"""The root `cubicasa` group: subcommands loaded on first use from `COMMANDS`, the global
options, and `run()`, which turns every outcome into an exit code."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import sys
import warnings
from typing import Any

import click

from .._printable import printable
from .._version import __version__
from ._exit import CommandError, ExitCode, exit_code_table, report
from ._output import ReaderGone
from ._session import API_KEY_ENV, Session, global_options, stop_logging

COMMANDS: dict[str, str] = {
    "orders": "cubicasa.cli.orders:orders",
    "change-requests": "cubicasa.cli.change_requests:change_requests",
    "drafts": "cubicasa.cli.drafts:drafts",
    "gotoscan": "cubicasa.cli.gotoscan:gotoscan",
    "users": "cubicasa.cli.users:users",
    "offices": "cubicasa.cli.offices:offices",
    "company": "cubicasa.cli.company:company",
    "webhooks": "cubicasa.cli.webhooks:webhooks",
    "fake": "cubicasa.cli.fake:fake",
    "probe": "cubicasa.cli.probe:probe",
}
"""Each subcommand: its name -> "module:attribute" of its click command, imported when used."""

SUMMARIES: dict[str, str] = {
    "orders": "List, show, download, upgrade, re-deliver, redraw, watch orders; follow changes.",
    "change-requests": "Ask for a fix of a delivered order; list and show the requests.",
    "drafts": "Create, update and delete draft orders.",
    "gotoscan": "Create an order that someone else scans with the GoToScan app.",
    "users": "List, add, show, update and delete the company's users.",
    "offices": "List and add offices.",
    "company": "The company the key belongs to, its package, merge requests.",
    "webhooks": "Set or delete where CubiCasa sends order events; make a tokened URL.",
    "fake": "Run the fake CubiCasa locally, to try commands and code against.",
    "probe": "Check the live API against the spec, operation by operation.",
}
"""One line per subcommand for `cubicasa --help`, so that help imports none of them."""

HELP = f"""The CubiCasa Integrate API from a shell: orders, drafts, change requests, users,
offices, the company and webhooks.

Set the key once in the environment, not on the command line:

\b
    export CUBICASA_API_KEY=...        # Settings > Company > Developer
    cubicasa orders list --status Ready --max 5
    cubicasa orders get ORDER_ID --json | jq .info.status

On a terminal you get tables; with --json, or when stdout is a pipe or file, exactly the
API's JSON (one document, or JSON Lines for a list). The global options also work after a
command: `cubicasa orders list --json`.

\b
Exit codes:
{exit_code_table()}

\b
Shell completion (bash; zsh and fish likewise):
    eval "$(_CUBICASA_COMPLETE=bash_source cubicasa)"
"""


class LazyGroup(click.Group):
    """A group whose subcommands are "module:attribute" strings, imported when first used."""

    def __init__(
        self, *args: Any, lazy: dict[str, str], summaries: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy
        self.summaries = summaries

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module_name, _, attribute = self.lazy[cmd_name].partition(":")
        if importlib.util.find_spec(module_name) is None:
            if ctx.resilient_parsing:  # shell completion: just leave it out
                return None
            raise CommandError(
                ExitCode.FAILURE,
                f"the '{cmd_name}' command is not part of this installation "
                f"(module {module_name} is missing); upgrade cubicasa-integrate",
            )
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
        self.commands[cmd_name] = command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            summary = self.summaries.get(name)
            if summary is None:
                command = self.get_command(ctx, name)
                summary = command.get_short_help_str(limit=80) if command is not None else ""
            rows.append((name, summary))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    summaries=SUMMARIES,
    help=HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="cubicasa-integrate")
@global_options
def cli() -> None:
    pass


class _NotRaised(click.UsageError):
    pass


NO_ARGS_IS_HELP: type[click.UsageError] = getattr(click.exceptions, "NoArgsIsHelpError", _NotRaised)
"""What click >= 8.2 raises for a group run without a command (click 8.1 prints the help and
exits 0 itself)."""


def _verbose(argv: list[str]) -> bool:
    words = argv[: argv.index("--")] if "--" in argv else argv
    return "--verbose" in words or "-v" in words


def _command_path(argv: list[str]) -> str:
    """The command words typed (`cubicasa orders list`), options skipped, as far as they name
    commands: its help is the one a usage error points to."""
    path: list[str] = ["cubicasa"]
    group: click.Command = cli
    ctx = click.Context(cli, info_name="cubicasa", resilient_parsing=True)
    for word in argv:
        if word.startswith("-") or not isinstance(group, click.Group):
            continue
        sub = group.get_command(ctx, word)
        if sub is None:  # an option's value (`--timeout 5`)
            continue
        path.append(word)
        group = sub
    return " ".join(path)


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    print(f"cubicasa: warning: {printable(str(message))}", file=sys.stderr, flush=True)


def run(argv: list[str]) -> int:
    """Run `cubicasa` with `argv`; returns the exit status (errors are reported on stderr)."""
    session = Session()
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = _one_line_warning
        try:
            # Not standalone: click returns ctx.exit()'s code (and the command's return value,
            # always None here) and raises everything else for `report`.
            done = cli.main(args=argv, prog_name="cubicasa", standalone_mode=False, obj=session)
            return done if isinstance(done, int) and not isinstance(done, bool) else 0
        except NO_ARGS_IS_HELP as shown:  # `cubicasa`, `cubicasa orders`
            # Asking for nothing is asking what there is: the help as click formats it, on
            # stdout, and success (click >= 8.2 raises this as a usage error).
            ctx = shown.ctx or click.Context(cli, info_name="cubicasa")
            click.echo(ctx.get_help())
            return 0
        except SystemExit as exit_:  # click exits 1 itself on a broken pipe
            return exit_.code if isinstance(exit_.code, int) else 1
        except (ReaderGone, BrokenPipeError):  # `cubicasa orders list | head`: the reader left
            with contextlib.suppress(OSError, ValueError, AttributeError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except (Exception, KeyboardInterrupt) as exc:
            secret = session.api_key or os.environ.get(API_KEY_ENV)
            key_option = session.api_key is not None
            return report(
                exc,
                verbose=_verbose(argv),
                secret=secret,
                key_option=key_option,
                command_path=_command_path(argv),
            )
        finally:
            stop_logging()
