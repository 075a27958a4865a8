"""What commands print: rich tables and key/value views on a terminal; exactly the API's JSON
(`to_dict()`) with `--json` or when stdout is not a terminal; progress on stderr, on a terminal
only. rich is imported only when something is drawn."""

from __future__ import annotations

import json
import os
import stat
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

from .._printable import json_text, printable

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
    """A value as a person reads it in a table (the JSON view keeps it exact); control and bidi
    characters a server sent show as escapes (`\\x1b`), never act on the terminal."""
    if value is None or value == {} or value == []:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key.endswith("_at") and isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return printable(", ".join(str(v) for v in value))
    if isinstance(value, list | dict):
        return printable(json.dumps(value, ensure_ascii=False))
    return printable(str(value))


def plural(count: int, noun: str) -> str:
    """`1 order`, `2 orders`, `1 change request`: `noun` is given in the plural."""
    return f"{count} {noun[:-1] if count == 1 and noun.endswith('s') else noun}"


ID_SHOWN = 8
"""Characters of an ID a table shows without `--wide` (enough to tell rows apart and to find
the row again; `--wide` or `--json` give it whole)."""


def is_identifier(path: str) -> bool:
    """A column of the API's own IDs (not `external_id`, which people choose)."""
    return path == "id" or (path.endswith("_id") and not path.endswith("external_id"))


def short_id(value: str) -> str:
    return value if len(value) <= ID_SHOWN + 1 else value[:ID_SHOWN] + "…"


def shorten_ids(columns: Sequence[Column], rows: list[list[str]]) -> list[list[str]]:
    """The rows with each ID column shortened (`short_id`), unless two IDs of the column would
    then read the same: that column stays whole."""
    rows = [list(row) for row in rows]
    for index, (_, path) in enumerate(columns):
        if not is_identifier(path):
            continue
        whole = [row[index] for row in rows if row[index] != "-"]
        short = [short_id(value) for value in whole]
        if len(set(short)) == len(set(whole)):
            for row in rows:
                row[index] = short_id(row[index]) if row[index] != "-" else "-"
    return rows


def fit_columns(
    columns: Sequence[Column], rows: list[list[str]], width: int, *, wide: bool = False
) -> tuple[list[int], list[int]]:
    """Which columns a table of `width` characters shows, and which of them may wrap.

    Commands list their columns most useful first, and the last ones go first: while the table
    at its natural width (each column as wide as its widest cell) is wider than `width`, down to
    three columns; then, while it does not fit even with text wrapped at spaces (a column whose
    cells hold spaces needs only its longest word, at least 12), down to two. The first two
    always stay, and with `wide` the ID columns too (asked for whole, they are shown even when
    the table is then wider than the terminal). So an order is one line, and a change request's
    long text wraps rather than disappears."""
    wrapping = [i for i in range(len(columns)) if any(" " in row[i] for row in rows)]
    natural, needed = [], []
    for index, (header, _) in enumerate(columns):
        cells = [row[index] for row in rows]
        natural.append(max([len(header), *(len(text) for text in cells)]))
        words = [len(word) for text in cells for word in text.split()]
        needed.append(max(len(header), 12, *words) if index in wrapping else natural[-1])
    shown = list(range(len(columns)))

    def total(indices: list[int], widths: list[int] = needed) -> int:
        return sum(widths[i] for i in indices) + 3 * len(indices) + 1  # rich's box and padding

    kept = {0, 1} | (
        {i for i, (_, path) in enumerate(columns) if is_identifier(path)} if wide else set()
    )
    while total(shown, natural) > width and len(shown) > 3:
        droppable = [i for i in shown if i not in kept]
        if not droppable:
            break
        shown.remove(droppable[-1])
    while total(shown) > width:
        droppable = [i for i in shown if i not in kept]
        if not droppable:
            break
        shown.remove(droppable[-1])
    return shown, [i for i in wrapping if i in shown]


def _table(
    columns: Sequence[Column], rows: list[list[str]], width: int, *, wide: bool = False
) -> Any:
    """A rich table of the columns that fit in `width`; nothing is cut with an ellipsis."""
    from rich.table import Table
    from rich.text import Text

    shown, wrapping = fit_columns(columns, rows, width, wide=wide)
    table = Table(highlight=False)
    for index in shown:
        header, _ = columns[index]
        if index in wrapping:
            table.add_column(header, overflow="fold")
        else:
            widest = max([len(header), *(len(row[index]) for row in rows)])
            table.add_column(header, no_wrap=True, min_width=widest, overflow="ignore")
    for row in rows:
        table.add_row(*(Text(row[index]) for index in shown))
    return table


def view_lines(rows: list[tuple[str, list[str]]], width: int) -> list[tuple[str, str]]:
    """A key/value view as (label, text) lines for a terminal `width` wide: a value that does
    not fit beside its label goes on the lines below it, indented, wrapped at spaces only, so
    a URL or an ID is never cut (the terminal wraps a line longer than itself; it stays one
    line to select). Each item of a list gets a line of its own."""
    if not rows:
        return []
    label_width = min(max(len(label) for label, _ in rows), 28)
    lines: list[tuple[str, str]] = []
    for label, values in rows:
        flat = values[0] if len(values) == 1 else None
        if flat is not None and len(label) <= label_width and label_width + 2 + len(flat) <= width:
            lines.append((label.ljust(label_width), "  " + flat))
            continue
        lines.append((label, ""))
        for value in values:
            for piece in textwrap.wrap(
                value,
                width=max(width - 4, 20),
                break_long_words=False,
                break_on_hyphens=False,
            ) or [value]:
                lines.append(("", "    " + piece))
    return lines


def view_values(key: str, value: Any) -> list[str]:
    """A value of the key/value view: a list of strings one item a line, else as `cell`."""
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value)
    return [cell(key, value)]


def _is_pipe(stream: IO[str] | None) -> bool:
    try:
        return stream is not None and stat.S_ISFIFO(os.fstat(stream.fileno()).st_mode)
    except (AttributeError, ValueError, OSError):  # no file descriptor (a test's StringIO)
        return False


class Output:
    """Where and how one command run prints."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def json(self) -> bool:
        return self.session.json or not is_terminal(sys.stdout)

    @property
    def progress_shown(self) -> bool:
        """Progress on stderr: on a terminal, unless --quiet, and only while stdout is the
        terminal too or a file. When stdout is a pipe, its reader (`jq`) may write to the same
        terminal at any moment, and a spinner erasing "its" line would erase or garble theirs."""
        return not self.session.quiet and is_terminal(sys.stderr) and not _is_pipe(sys.stdout)

    def _console(self, *, stderr: bool = False) -> Console:
        from rich.console import Console

        return Console(file=sys.stderr if stderr else sys.stdout, highlight=False)

    def write_json(self, data: Any, *, lines: bool = False) -> None:
        # C1 controls and bidi overrides as \\uXXXX: the same JSON, inert on a terminal.
        text = json_text(data, indent=None if lines else 2)
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
        from rich.text import Text

        console = self._console()
        rows = [(self._label(key), view_values(key, value)) for key, value in _flatten(data)]
        if title:
            console.print(Text(title, style="bold"), soft_wrap=True)
        for label, text in view_lines(rows, console.width):
            console.print(Text.assemble((label, "bold"), text), soft_wrap=True)

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
        if not self.session.wide:
            rows = shorten_ids(columns, rows)
        if rows:
            console = self._console()
            console.print(_table(columns, rows, console.width, wide=self.session.wide))
        self.note(plural(count, noun))
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
            TextColumn("{task.description} fetched"),
            console=self._console(stderr=True),
            transient=True,
            # rich would otherwise route sys.stdout through its stderr console while the bar
            # runs, and the JSON Lines meant for a pipe or file would land on the terminal.
            # What goes to stderr (log lines, warnings) is printed above the spinner instead
            # of into its line.
            redirect_stdout=False,
            redirect_stderr=True,
        ) as bar:
            task = bar.add_task(plural(0, noun), total=None)
            yield lambda done: bar.update(task, completed=done, description=plural(done, noun))

    @contextmanager
    def download(self, label: str) -> Iterator[Progress | None]:
        """A progress callback `(bytes_done, total_or_None)` drawing a bar on stderr, or None
        when stderr is not a terminal (or with --quiet). Unlike a list's counter, it is drawn
        whatever stdout is: what a download prints comes after the bar is gone."""
        if self.session.quiet or not is_terminal(sys.stderr):
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
            redirect_stderr=True,
        ) as bar:
            task = bar.add_task(label, total=None)
            yield lambda done, total: bar.update(task, completed=done, total=total)

    def note(self, text: str) -> None:
        """A remark for a person, on stderr (never with --quiet, never on stdout)."""
        if not self.session.quiet:
            print(printable(text), file=sys.stderr, flush=True)
