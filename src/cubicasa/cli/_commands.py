"""What the command modules share: the command decorator, argument checks, list options."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ._output import Column, Output
from ._session import Session, global_options

if TYPE_CHECKING:
    from .. import CubiCasa

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def api_command(group: click.Group, name: str | None = None) -> Callable[[F], click.Command]:
    """`@api_command(group)`: a subcommand of `group` that talks to the API, with the global
    options; its docstring is its help (end it with an example)."""

    def decorate(function: F) -> click.Command:
        return group.command(name, context_settings=CONTEXT)(global_options(function))

    return decorate


def api_group(name: str, help: str, example: str) -> click.Group:
    """A group of commands (`cubicasa orders ...`), its help ending with an example."""
    text = f"{help}\n\n\b\nExample:\n    {example}"
    return click.Group(name, help=text, short_help=help, context_settings=CONTEXT)


@contextmanager
def checked_arguments() -> Iterator[None]:
    """The facade checks arguments before it sends anything, raising TypeError or ValueError:
    those are usage errors here."""
    try:
        yield
    except (TypeError, ValueError) as exc:
        raise click.UsageError(str(exc)) from exc


def list_options(function: F) -> F:
    """`--max N` and `--page-size N` for a list command."""
    function = click.option(
        "--max",
        "max_items",
        type=click.IntRange(min=1),
        metavar="N",
        help="Stop after N items [default: all of them].",
    )(function)
    return click.option(
        "--page-size",
        type=click.IntRange(min=1),
        metavar="N",
        help="Items per request [default: the server's].",
    )(function)


def json_object(value: str | None, name: str) -> dict[str, Any] | None:
    """A JSON object given as an option's text (e.g. `--preferences '{"style_2d": ...}'`)."""
    if value is None:
        return None
    try:
        data = json.loads(value)
    except ValueError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint=name) from None
    if not isinstance(data, dict):
        raise click.BadParameter("must be a JSON object ({...})", param_hint=name)
    return data


PREFERENCES_HELP = (
    'Styling preferences as the API\'s JSON object, e.g. \'{"style_2d": {"theme": "blue"}}\'.'
)


def show_result(session: Session, call: Callable[[CubiCasa], Any]) -> None:
    """Call the API with a client from the session's options, then show what came back."""
    with session.connect() as client, checked_arguments():
        result = call(client)
    Output(session).show(result)


def show_items(
    session: Session, pager: Callable[[CubiCasa], Iterable[Any]], columns: list[Column], noun: str
) -> None:
    """Walk a list (its arguments checked first) and show every item."""
    with session.connect() as client:
        with checked_arguments():
            items = pager(client)
        Output(session).show_list(items, columns, noun)
