"""The spec's YAML as lines of text, found and edited in place so that the rest of the file keeps
its layout, comments and order (a YAML library would rewrite it all): what the probe's spec patch
edits through."""

from __future__ import annotations

import json
import re
from typing import Any

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_TYPE_NAMES = frozenset({"string", "integer", "number", "boolean", "object", "array", "null"})


class PatchError(Exception):
    """A place of the spec the patch could not find in the YAML text."""


def _keys(at: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in at.split("/")[1:]]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _key_of(line: str) -> str | None:
    text = line.strip()
    if text.startswith("- "):
        return None
    match = re.match(r"""("(?:[^"\\]|\\.)*"|'[^']*'|[^:#]+?):(?:\s|$)""", text)
    if match is None:
        return None
    key = match.group(1)
    if key.startswith('"'):
        return str(json.loads(key))
    if key.startswith("'"):
        return key[1:-1]
    return key


class _Yaml:
    """A YAML document as lines, with block-style lookup by a path of keys."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)

    def end_of(self, index: int) -> int:
        """The index after the last line of the block that starts at `index`."""
        indent = _indent(self.lines[index])
        end = index + 1
        last = index + 1
        while end < len(self.lines):
            line = self.lines[end]
            if _content(line):
                if _indent(line) <= indent:
                    break
                last = end + 1
            end += 1
        return last

    def find(self, keys: list[str]) -> int:
        """The line index of the key at the end of `keys` (block style)."""
        start, end, indent = 0, len(self.lines), -1
        found = -1
        for key in keys:
            child_indent = None
            found = -1
            for index in range(start, end):
                line = self.lines[index]
                if not _content(line):
                    continue
                if child_indent is None:
                    child_indent = _indent(line)
                    if child_indent <= indent:
                        break
                if _indent(line) == child_indent and _key_of(line) == key:
                    found = index
                    break
            if found < 0:
                raise PatchError("/".join(keys))
            start, end, indent = found + 1, self.end_of(found), _indent(self.lines[found])
        return found

    def child_indent(self, index: int) -> int:
        for line in self.lines[index + 1 : self.end_of(index)]:
            if _content(line):
                return _indent(line)
        return _indent(self.lines[index]) + 2

    def text(self) -> str:
        return "".join(self.lines)


def _yaml_key(key: str) -> str:
    return key if _PLAIN_KEY.fullmatch(key) else json.dumps(key)


def _scalar(value: Any) -> str:
    """A JSON type name as the spec writes it (plain), anything else as a JSON string."""
    if isinstance(value, str) and value in _TYPE_NAMES:
        return value if value != "null" else '"null"'
    return json.dumps(value)


def _list_item(value: str) -> str:
    """A value for a flow list: plain where YAML reads it back as that string, else quoted."""
    plain = re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", value)
    keyword = value.lower() in ("true", "false", "null", "yes", "no", "on", "off", "y", "n")
    return value if plain and not keyword else json.dumps(value)


def _yaml_lines(schema: dict[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for key, value in schema.items():
        name = _yaml_key(key)
        if isinstance(value, dict):
            if value:
                lines.append(f"{pad}{name}:\n")
                lines += _yaml_lines(value, indent + 2)
            else:
                lines.append(f"{pad}{name}: {{}}\n")
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            lines.append(f"{pad}{name}:\n")
            for item in value:
                sub = _yaml_lines(item, indent + 4)
                lines.append(f"{pad}  - " + sub[0].lstrip(" ") if sub else f"{pad}  - {{}}\n")
                lines += sub[1:]
        elif isinstance(value, list):
            lines.append(f"{pad}{name}: [{', '.join(_scalar(v) for v in value)}]\n")
        else:
            lines.append(f"{pad}{name}: {_scalar(value)}\n")
    return lines
