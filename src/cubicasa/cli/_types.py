"""Option and argument types that refuse a bad value before anything is sent: IDs that are not
empty nor dot segments, and seconds that are a finite number within a range."""

from __future__ import annotations

import math
from typing import Any

import click


class NonEmptyText(click.ParamType):  # type: ignore[type-arg]  # generic only in new click
    """An ID, e-mail address or other name: not empty, not only spaces, no control characters."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if not text.strip():
            self.fail("must not be empty", param, ctx)
        if any(ord(c) < 32 or ord(c) == 127 for c in text):
            self.fail("must not hold control characters (a newline, a tab, ...)", param, ctx)
        return text


class Seconds(click.ParamType):  # type: ignore[type-arg]
    """A finite number of seconds, at least `minimum` (or above it, with `open_minimum`) and at
    most `maximum` (a day by default: sleeping or waiting longer overflows some platforms)."""

    name = "seconds"

    def __init__(
        self, minimum: float, *, open_minimum: bool = False, maximum: float = 86400.0
    ) -> None:
        self.minimum = minimum
        self.open_minimum = open_minimum
        self.maximum = maximum

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(number):  # nan and inf pass every comparison a range makes
            self.fail(f"{value!r} is not a finite number of seconds", param, ctx)
        too_small = number <= self.minimum if self.open_minimum else number < self.minimum
        if too_small:
            bound = f"more than {self.minimum:g}" if self.open_minimum else f"{self.minimum:g}"
            self.fail(f"{value!r} is too small: at least {bound}", param, ctx)
        if number > self.maximum:
            self.fail(f"{value!r} is too large: at most {self.maximum:g}", param, ctx)
        return number


class PathID(NonEmptyText):
    """An ID or e-mail address that goes into a URL's path: also not a dot segment (`.`, `..`,
    `%2e%2e`: the URL would resolve it to another operation), nor over 1,024 characters."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from cubicasa_api.types import path_segment  # not at import: it loads httpx

        text = super().convert(value, param, ctx)
        try:
            path_segment("it", text)
        except ValueError as exc:  # "it must not be made only of dots (...)"
            self.fail(str(exc).removeprefix("it "), param, ctx)
        return text


ID = PathID()
"""The type of every ID or e-mail argument of the command line."""
