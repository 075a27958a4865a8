"""Field names from an answer, made fit for a log line, a report, a spec patch or a terminal: a
name that is not a plain identifier, or that holds the API key, becomes a placeholder."""

from __future__ import annotations

import re
from typing import Final

PLAIN_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")
"""What a field name written as is must look like (no spaces, markup, line breaks or e-mails)."""
WITHHELD: Final = "<name withheld>"
"""What stands for a name that is not written as is."""

_INDEX = re.compile(r"[0-9]+|\*")


def safe_name(name: str, *, secret: str | None = None, show: bool = False) -> str:
    """`name` when it is plain (or `show` is true), else `WITHHELD`; a name that holds `secret`
    (the API key) is withheld even with `show`."""
    if secret and secret in name:
        return WITHHELD
    if show or PLAIN_NAME.fullmatch(name):
        return name
    return WITHHELD


def safe_pointer(pointer: str, *, secret: str | None = None, show: bool = False) -> str:
    """A JSON pointer (`/items/0/info/rush`) with each member name passed through `safe_name`;
    array indices (and `*`) are kept. `status`, `content-type` and "" (the body) pass as is."""
    if not pointer.startswith("/"):
        return pointer if pointer in ("", "status", "content-type") else WITHHELD
    parts = []
    for raw in pointer.split("/")[1:]:
        if _INDEX.fullmatch(raw):
            parts.append(raw)
            continue
        name = raw.replace("~1", "/").replace("~0", "~")
        parts.append(raw if safe_name(name, secret=secret, show=show) == name else WITHHELD)
    return "/" + "/".join(parts)
