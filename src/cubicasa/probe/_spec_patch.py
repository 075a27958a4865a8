"""The probe's spec patch: what a probe run learned, as a unified diff against the spec's YAML for a
maintainer to review and `git apply`. It never writes the spec itself.

Three kinds of change, each made as text so the rest of the file keeps its layout: new properties
(their schema inferred from the values seen, by genson), values added to the value lists (the
`enum` of an open `anyOf: [enum, string]` list, so the next probe finds them known) and noted in
their descriptions, and `x-evidence: observed` with the date for each operation whose answers
conformed. Only a probe of the live API observes it: against a loopback address (the fake, a local
server) the evidence levels stay as they are, and the patch's header says why. The header also
records the probed host and the date (never the key); `git apply` skips it.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from typing import Any

import httpx

from .._redact import WITHHELD, safe_name
from ._results import ProbeReport

SPEC_PATH = "openapi/cubicasa-integrate-v3.yaml"
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_TYPE_NAMES = frozenset({"string", "integer", "number", "boolean", "object", "array", "null"})
MAX_DEPTH = 16
"""Levels of nesting a new field's schema is inferred to; deeper values get no schema."""
MAX_NODES = 10_000
"""Values (objects, arrays and scalars together) inferred from per new field."""


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


def _too_big(values: list[Any]) -> str:
    """Why `values` are too deep or too big to infer a schema from ("" when they are not)."""
    stack: list[tuple[Any, int]] = [(value, 1) for value in values]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            return f"more than {MAX_NODES} values"
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                return f"nested more than {MAX_DEPTH} levels deep"
            inner = value.values() if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in inner)
    return ""


def _named_plainly(value: Any, show_values: bool) -> Any:
    """`value` without members whose names may not be written (called on bounded values)."""
    if isinstance(value, list):
        return [_named_plainly(item, show_values) for item in value]
    if isinstance(value, dict):
        return {
            key: _named_plainly(inner, show_values)
            for key, inner in value.items()
            if safe_name(key, show=show_values) != WITHHELD
        }
    return value


def inferred_schema(values: list[Any], *, show_values: bool = False) -> dict[str, Any]:
    """A schema for the values seen, in the spec's style (objects open, nothing required). Values
    nested deeper than `MAX_DEPTH` or larger than `MAX_NODES` get an open schema whose
    description says why, instead of an inference that would exhaust the stack."""
    too_big = _too_big(values)
    if too_big:
        return {"description": f"NOT INFERRED: the values seen were {too_big}; describe by hand."}
    from genson import SchemaBuilder  # type: ignore[import-untyped]

    builder = SchemaBuilder()
    for value in values:
        builder.add_object(_named_plainly(value, show_values))
    schema: dict[str, Any] = _house_style(builder.to_schema())
    return schema


def _house_style(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_house_style(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    styled = {k: _house_style(v) for k, v in schema.items() if k not in ("$schema", "required")}
    types = styled.get("type")
    if types == "object" or (isinstance(types, list) and "object" in types):
        styled["additionalProperties"] = True
    return styled


def _description_lines(doc: _Yaml, index: int, addition: str) -> None:
    """Append `addition` to the description of the node whose key is at `index`."""
    start, end = index + 1, doc.end_of(index)
    child = doc.child_indent(index)
    pad = " " * child
    for i in range(start, end):
        line = doc.lines[i]
        if _indent(line) != child or _key_of(line) != "description":
            continue
        value = line.split(":", 1)[1].strip()
        block_end = doc.end_of(i)
        if value in (">-", ">", "|", "|-", ">+", "|+"):
            inner = doc.child_indent(i)
            doc.lines.insert(block_end, " " * inner + addition + "\n")
            return
        old = " ".join(
            [value]
            + [doc.lines[j].strip() for j in range(i + 1, block_end) if _content(doc.lines[j])]
        )
        if old.startswith('"'):
            old = str(json.loads(old))
        elif old.startswith("'"):
            old = old[1:-1].replace("''", "'")
        doc.lines[i:block_end] = [
            f"{pad}description: >-\n",
            f"{pad}  {old}\n",
            f"{pad}  {addition}\n",
        ]
        return
    doc.lines.insert(start, f"{pad}description: {json.dumps(addition)}\n")


def _new_values(report: ProbeReport) -> dict[str, list[str]]:
    places: dict[str, list[str]] = {}
    for source in (report.observed, report.unknown_values):
        for place, values in source.items():
            seen = places.setdefault(place, [])
            for value in values:
                text = " ".join(str(value).split())[:60]
                if text and text not in seen:
                    seen.append(text)
    return places


def probed_host(report: ProbeReport) -> str:
    return httpx.URL(report.base_url).host


def observes_the_live_api(report: ProbeReport) -> bool:
    """False for a probe of this machine (the fake, a local server): it observes no live API."""
    host = probed_host(report)
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


_SEEN = re.compile(r"Also seen by `cubicasa probe`[^:]*: ([^\n]*?)\.(?:\s|$)")


def _recorded(doc: _Yaml, index: int) -> set[str]:
    """Values a description under the node at `index` already records as seen."""
    block = " ".join(line.strip() for line in doc.lines[index : doc.end_of(index)])
    return {value for match in _SEEN.finditer(block) for value in match.group(1).split(", ")}


def _enum_line(doc: _Yaml, keys: list[str]) -> int | None:
    """The line of the flow-style `enum: [...]` of the value list at `keys`: its own, or that of
    the enum branch of its `anyOf` (inline or a `$ref` to a schema); an open string list's known
    values are its `examples`."""
    for name in ("enum", "examples"):  # a closed list; an open one's known values
        try:
            return doc.find([*keys, name])
        except PatchError:
            pass
    try:
        any_of = doc.find([*keys, "anyOf"])
    except PatchError:
        return None
    for line in doc.lines[any_of + 1 : doc.end_of(any_of)]:
        ref = re.search(r"\$ref:\s*[\"']?#/components/schemas/([^\"'\s}]+)", line)
        if ref:
            try:
                return doc.find(["components", "schemas", ref.group(1), "enum"])
            except PatchError:
                continue
    return None


def _add_to_enum(doc: _Yaml, keys: list[str], values: list[str]) -> None:
    index = _enum_line(doc, keys)
    if index is None:
        return
    line = doc.lines[index]
    match = re.fullmatch(r"(\s*(?:enum|examples):\s*\[)(.*)(\]\s*)", line.rstrip("\n"))
    if match is None:
        return  # a block-style list: the description records the values
    listed = [item.strip() for item in match.group(2).split(",") if item.strip()]
    known = {item.strip("\"'") for item in listed}
    listed += [_list_item(value) for value in values if value not in known]
    doc.lines[index] = f"{match.group(1)}{', '.join(listed)}{match.group(3).rstrip()}\n"


def build(report: ProbeReport, spec_text: str, *, show_values: bool = False) -> str:
    """The spec as the probe suggests it (text), from the spec's current text. A new field whose
    name is not a plain identifier is left out unless `show_values`; one holding the key always."""
    doc = _Yaml(spec_text)
    date = report.date
    host = probed_host(report)
    # New properties, grouped by the object they were found in.
    by_object: dict[str, dict[str, list[Any]]] = {}
    for (place, key), values in report.unknown.items():
        if safe_name(key, show=show_values) != WITHHELD:
            by_object.setdefault(place, {})[key] = values
    for place, fields in sorted(by_object.items()):
        keys = _keys(place)
        node = doc.find(keys)
        try:
            properties = doc.find([*keys, "properties"])
        except PatchError:
            pad = " " * doc.child_indent(node)
            doc.lines.insert(node + 1, f"{pad}properties:\n")
            properties = node + 1
        indent = doc.child_indent(properties)
        if indent <= _indent(doc.lines[properties]):
            indent = _indent(doc.lines[properties]) + 2
        insert_at = doc.end_of(properties)
        new_lines: list[str] = []
        for key in sorted(fields):
            schema = inferred_schema(fields[key], show_values=show_values)
            schema["description"] = (
                f"INFERRED: seen by `cubicasa probe` of {host} on {date}; not in the "
                "documentation. " + schema.get("description", "")
            ).strip()
            new_lines.append(f"{' ' * indent}{_yaml_key(key)}:\n")
            new_lines += _yaml_lines(schema, indent + 2)
        doc.lines[insert_at:insert_at] = new_lines
    # Values of open value lists (and outside a closed list) into the descriptions.
    for place, seen in sorted(_new_values(report).items()):
        node = doc.find(_keys(place))
        values = [value for value in seen if value not in _recorded(doc, node)]
        if not values:
            continue  # a probe of a spec that already has them: nothing new
        _add_to_enum(doc, _keys(place), values)
        addition = f"Also seen by `cubicasa probe` of {host} on {date}: {', '.join(values)}."
        _description_lines(doc, doc.find(_keys(place)), addition)
    # Operations whose answers conformed: observed, when it was the live API that answered.
    for result in report.operations:
        if result.outcome != "conforms" or not observes_the_live_api(report):
            continue
        op = doc.find(["paths", result.path, result.method.lower()])
        evidence = doc.find(["paths", result.path, result.method.lower(), "x-evidence"])
        pad = " " * _indent(doc.lines[evidence])
        doc.lines[evidence] = f"{pad}x-evidence: observed\n"
        try:
            observed = doc.find(["paths", result.path, result.method.lower(), "x-observed"])
            doc.lines[observed] = f'{pad}x-observed: "{date}"\n'
        except PatchError:
            doc.lines.insert(evidence + 1, f'{pad}x-observed: "{date}"\n')
        del op
    return doc.text()


def spec_patch(report: ProbeReport, spec_text: str, *, show_values: bool = False) -> str:
    """A unified diff of `SPEC_PATH` that `git apply` accepts ("" when nothing changes)."""
    new = build(report, spec_text, show_values=show_values)
    diff = "".join(
        difflib.unified_diff(
            spec_text.splitlines(keepends=True),
            new.splitlines(keepends=True),
            f"a/{SPEC_PATH}",
            f"b/{SPEC_PATH}",
        )
    )
    if not diff:
        return ""
    return header(report) + diff


def header(report: ProbeReport) -> str:
    """Where the patch comes from, as text `git apply` skips: host and date, never the key."""
    conformed = sum(result.outcome == "conforms" for result in report.operations)
    lines = [f"Spec patch from `cubicasa probe` of {probed_host(report)} on {report.date}."]
    if observes_the_live_api(report):
        lines.append(f"{conformed} operation(s) conformed: marked `x-evidence: observed`.")
    else:
        lines.append(
            "The probed host is this machine (a fake or a local server), not the live API: "
            "no operation is marked observed; new fields and values are as that server sent them."
        )
    return "\n".join(lines) + "\n\n"
