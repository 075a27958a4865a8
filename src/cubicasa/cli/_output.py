"""What commands print: rich tables and key/value views on a terminal; exactly the API's JSON
(`to_dict()`) with `--json` or when stdout is not a terminal; progress on stderr, on a terminal
only. rich is imported only when something is drawn."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from ._session import Session

Column = tuple[str, str]
"""A table column: its header and the dotted path of the value in the item's JSON."""

Progress = Callable[[int, int | None], None]


class ReaderGone(Exception):
    """stdout's reader closed the pipe: stop quietly, successfully."""


def is_terminal(stream: IO[str] | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


def as_json(item: Any) -> Any:
    """An API object's JSON, exactly as `to_dict()` gives it (plain data passes through)."""
    to_dict = getattr(item, "to_dict", None)
    return to_dict() if callable(to_dict) else item


def lookup(data: Any, path: str) -> Any:
    """The value at a dotted path of JSON data, None where a step is missing."""
    for step in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(step)
    return data


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict) and value:
        rows: list[tuple[str, Any]] = []
        for key, inner in value.items():
            rows += _flatten(inner, f"{prefix}.{key}" if prefix else str(key))
        return rows
    return [(prefix, value)]


def cell(key: str, value: Any) -> str:
    """A value as a person reads it in a table (the JSON view keeps it exact)."""
    if value is None or value == {} or value == []:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key.endswith("_at") and isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _table(columns: Sequence[Column], rows: list[list[str]]) -> Any:
    """A rich table; identifiers are never cut short (people copy them into the next command)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(highlight=False)
    for index, (header, path) in enumerate(columns):
        if path in ("id", "email") or path.endswith("_id"):
            widest = max(len(row[index]) for row in rows)
            table.add_column(header, no_wrap=True, min_width=max(widest, len(header)))
        else:
            table.add_column(header)
    for row in rows:
        table.add_row(*(Text(value) for value in row))
    return table


class Output:
    """Where and how one command run prints."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def json(self) -> bool:
        return self.session.json or not is_terminal(sys.stdout)

    @property
    def progress_shown(self) -> bool:
        return not self.session.quiet and is_terminal(sys.stderr)

    def _console(self, *, stderr: bool = False) -> Console:
        from rich.console import Console

        return Console(file=sys.stderr if stderr else sys.stdout, highlight=False)

    def write_json(self, data: Any, *, lines: bool = False) -> None:
        text = json.dumps(data, ensure_ascii=False, indent=None if lines else 2)
        try:
            sys.stdout.write(text + "\n")
            sys.stdout.flush()
        except BrokenPipeError:  # `cubicasa orders list | head -1`: the reader has what it wanted
            raise ReaderGone from None

    def show(self, item: Any, *, title: str | None = None) -> None:
        """One object: a JSON document, or a key/value view."""
        data = as_json(item)
        if self.json:
            self.write_json(data)
            return
        from rich.table import Table
        from rich.text import Text

        table = Table(show_header=False, box=None, title=title, title_justify="left")
        table.add_column(style="bold")
        table.add_column()
        for key, value in _flatten(data):
            table.add_row(Text(self._label(key)), Text(cell(key, value)))
        self._console().print(table)

    def _label(self, path: str) -> str:
        """A dotted field path for a person: names that are not plain identifiers, or that hold
        the API key, are withheld (the JSON view keeps every name exact)."""
        from .._redact import safe_name

        secret = self.session.api_key or os.environ.get("CUBICASA_API_KEY")
        return ".".join(safe_name(part, secret=secret) for part in path.split("."))

    def show_list(self, items: Iterable[Any], columns: Sequence[Column], noun: str) -> int:
        """A list: JSON Lines as the items arrive, or a table once all are fetched, with a
        count of fetched items on stderr meanwhile (on a terminal). Returns how many."""
        count = 0
        if self.json:
            # Progress beside JSON only when the JSON goes elsewhere (a file, a pipe).
            shown = self.progress_shown and not is_terminal(sys.stdout)
            with self._counter(noun, shown=shown) as seen:
                for item in items:
                    self.write_json(as_json(item), lines=True)
                    count += 1
                    seen(count)
            return count
        rows: list[list[str]] = []
        with self._counter(noun, shown=self.progress_shown) as seen:
            for item in items:
                data = as_json(item)
                rows.append([cell(path, lookup(data, path)) for _, path in columns])
                seen(len(rows))
        count = len(rows)
        if rows:
            self._console().print(_table(columns, rows))
        self.note(f"{count} {noun}")
        return count

    @contextmanager
    def _counter(self, noun: str, *, shown: bool) -> Iterator[Callable[[int], None]]:
        if not shown:
            yield lambda done: None
            return
        from rich.progress import Progress as Bar
        from rich.progress import SpinnerColumn, TextColumn

        with Bar(
            SpinnerColumn(),
            TextColumn(f"{{task.completed}} {noun} fetched"),
            console=self._console(stderr=True),
            transient=True,
            # rich would otherwise route sys.stdout through its stderr console while the bar
            # runs, and the JSON Lines meant for a pipe or file would land on the terminal.
            redirect_stdout=False,
            redirect_stderr=False,
        ) as bar:
            task = bar.add_task(noun, total=None)
            yield lambda done: bar.update(task, completed=done)

    @contextmanager
    def download(self, label: str) -> Iterator[Progress | None]:
        """A progress callback `(bytes_done, total_or_None)` drawing a bar on stderr, or None
        when stderr is not a terminal (or with --quiet)."""
        if not self.progress_shown:
            yield None
            return
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )
        from rich.progress import Progress as Bar

        with Bar(
            TextColumn(label),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=self._console(stderr=True),
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        ) as bar:
            task = bar.add_task(label, total=None)
            yield lambda done, total: bar.update(task, completed=done, total=total)

    def note(self, text: str) -> None:
        """A remark for a person, on stderr (never with --quiet, never on stdout)."""
        if not self.session.quiet:
            print(text, file=sys.stderr, flush=True)
