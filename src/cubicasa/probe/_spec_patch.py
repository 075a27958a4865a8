"""The probe's spec patch: what a probe run learned, as a unified diff against the spec's YAML for a
maintainer to review and `git apply`. It never writes the spec itself.

Four kinds of change, each made as text so the rest of the file keeps its layout: new properties
(their schema inferred from the values seen, by genson), values added to the value lists (the
`enum` of an open `anyOf: [enum, string]` list, so the next probe finds them known) and noted in
their descriptions, repairs of breaking deviations (a required field left out leaves `required`;
a field of another JSON type gains that type), each with a description line saying what was seen
and when, and `x-evidence: observed` with the date for each operation whose answers conformed.
Only a probe of the live API observes it: against a loopback address (the fake, a local server)
the evidence levels stay as they are, and the patch's header says why. The header also
records the probed host and the date (never the key); `git apply` skips it.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import keyword
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import httpx

from .._redact import WITHHELD, safe_name
from ._report import breaking, member_schema
from ._results import ProbeReport
from ._yaml_text import (
    PatchError,
    _content,
    _indent,
    _key_of,
    _keys,
    _list_item,
    _scalar,
    _Yaml,
    _yaml_key,
    _yaml_lines,
)

SPEC_PATH = "openapi/cubicasa-integrate-v3.yaml"
MAX_DEPTH = 16
"""Levels of nesting a new field's schema is inferred to; deeper values get no schema."""
MAX_NODES = 10_000
"""Values (objects, arrays and scalars together) inferred from per new field."""
MAX_NEW_FIELDS = 200
"""New fields one patch adds to one schema; past it, the rest are left out (the header says so)."""
# Names a model already uses for itself (attributes, methods, the locals and helpers of its
# to_dict/from_dict): a field with one of these Python names would shadow it and break decoding.
_MODEL_NAMES = (
    "to_dict from_dict additional_properties additional_keys json_empty self cls T src_dict d "
    "field_dict model shape_error UNSET Unset Any Mapping cast arrays_as_came as_object "
    "came_empty failing_index model_repr wrong_type attrs_define attrs_field"
)


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


def _add_to_enum(doc: _Yaml, keys: list[str], values: list[str]) -> list[str]:
    """Add `values` to the value list at `keys`; what was left out, and why."""
    index = _enum_line(doc, keys)
    if index is None:
        return []
    line = doc.lines[index]
    match = re.fullmatch(r"(\s*(?:enum|examples):\s*\[)(.*)(\]\s*)", line.rstrip("\n"))
    if match is None:
        return []  # a block-style list: the description records the values
    listed = [item.strip() for item in match.group(2).split(",") if item.strip()]
    known = [item.strip("\"'") for item in listed]
    fresh = [value for value in values if value not in known]
    kept, left_out = _admitted("value", "/" + "/".join(keys), fresh, known, reserved=False)
    listed += [_list_item(value) for value in kept]
    doc.lines[index] = f"{match.group(1)}{', '.join(listed)}{match.group(3).rstrip()}\n"
    return left_out


def _python_name(name: str) -> str:
    """What decides whether two names get one Python name from the generator (`a.b`, `a-b`,
    `A_B` and `aB` all do): lower case, letters and digits only. Stricter than the generator on
    purpose: a name left out is listed in the patch's header, a collision breaks generation."""
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKC", name).casefold())


_RESERVED = frozenset(_python_name(name) for name in [*_MODEL_NAMES.split(), *keyword.kwlist])


def _admitted(
    what: str, place: str, new: Iterable[str], existing: Iterable[str], *, reserved: bool = True
) -> tuple[list[str], list[str]]:
    """The `new` names (fields, or enum values) that can join `existing` at `place` without two
    of them getting one Python name, shadowing a model attribute or a keyword (`reserved`), up to
    `MAX_NEW_FIELDS`; and a line on each left out (the cap's as one line)."""
    taken = {_python_name(name) for name in existing}
    kept: list[str] = []
    left_out: list[str] = []
    over_cap = 0
    for name in new:
        python = _python_name(name)
        if not python:
            reason = "it has no letter or digit to make a Python name of"
        elif reserved and python in _RESERVED:
            reason = "its Python name is a model attribute or a Python keyword"
        elif python in taken:
            reason = "its Python name is that of another one there"
        elif len(kept) >= MAX_NEW_FIELDS:
            over_cap += 1
            continue
        else:
            kept.append(name)
            taken.add(python)
            continue
        left_out.append(f"{what} {json.dumps(name)} at {place}: {reason}")
    if over_cap:
        left_out.append(
            f"{over_cap} more new {what}s at {place}: one patch adds at most {MAX_NEW_FIELDS}"
        )
    return kept, left_out


def _property_names(doc: _Yaml, keys: list[str]) -> list[str]:
    """The names under `properties` of the schema at `keys` ([] when it has none)."""
    try:
        index = doc.find([*keys, "properties"])
    except PatchError:
        return []
    indent = doc.child_indent(index)
    lines = doc.lines[index + 1 : doc.end_of(index)]
    names = [_key_of(line) for line in lines if _content(line) and _indent(line) == indent]
    return [name for name in names if name is not None]


def _not_required(doc: _Yaml, keys: list[str], key: str) -> None:
    """Take `key` out of the `required` list of the object schema at `keys`."""
    index = doc.find([*keys, "required"])
    line = doc.lines[index]
    match = re.fullmatch(r"(\s*required:\s*\[)(.*)(\]\s*)", line.rstrip("\n"))
    if match is not None:  # flow style: required: [id, info]
        listed = [item.strip() for item in match.group(2).split(",") if item.strip()]
        kept = [item for item in listed if item.strip("\"'") != key]
        if kept:
            doc.lines[index] = f"{match.group(1)}{', '.join(kept)}{match.group(3).rstrip()}\n"
        else:
            del doc.lines[index]
        return
    for i in range(index + 1, doc.end_of(index)):  # block style: - id
        if doc.lines[i].strip().lstrip("- ").strip("\"'") == key:
            del doc.lines[i]
            break


def _add_type(doc: _Yaml, keys: list[str], seen: str) -> None:
    """Let the property at `keys` also be of the JSON type `seen`: in its `type` (list), as a
    branch of its `anyOf`, or beside its `$ref` in a new `anyOf`."""
    node = doc.find(keys)
    pad = " " * doc.child_indent(node)
    try:
        index = doc.find([*keys, "type"])
    except PatchError:
        index = -1
    if index >= 0:
        value = doc.lines[index].split(":", 1)[1].strip()
        types = [t.strip().strip("\"'") for t in value.strip("[]").split(",") if t.strip()]
        if seen not in types:
            types.append(seen)
        doc.lines[index] = f"{pad}type: [{', '.join(_scalar(t) for t in types)}]\n"
        return
    try:
        index = doc.find([*keys, "anyOf"])
    except PatchError:
        index = -1
    if index >= 0:
        item_pad = " " * doc.child_indent(index)
        doc.lines.insert(doc.end_of(index), f"{item_pad}- type: {_scalar(seen)}\n")
        return
    index = doc.find([*keys, "$ref"])
    ref = doc.lines[index].split(":", 1)[1].strip()
    doc.lines[index : index + 1] = [
        f"{pad}anyOf:\n",
        f"{pad}  - $ref: {ref}\n",
        f"{pad}  - type: {_scalar(seen)}\n",
    ]


def _repair_breaking(doc: _Yaml, report: ProbeReport) -> None:
    """A deviation that raises on reading, repaired so that the regenerated model types the
    field as optional (left out) or as a union (another type), for mypy to show each reader."""
    host, date = probed_host(report), report.date
    done: set[tuple[str, str, str, str]] = set()
    for result in report.operations:
        for finding in result.findings:
            place = (
                member_schema(finding.operation_id, finding.where) if breaking(finding) else None
            )
            if place is None:
                continue  # an array item or the body of another type: for a person to decide
            parent, key = place
            mark = (parent["at"], key, finding.kind, finding.seen)
            if mark in done:
                continue
            done.add(mark)
            keys = _keys(parent["at"])
            if finding.kind == "missing_required":
                _not_required(doc, keys, key)
                note = (
                    f"Left out of an answer to {finding.operation_id} seen by `cubicasa probe` "
                    f"of {host} on {date}: not required."
                )
            else:
                _add_type(doc, [*keys, "properties", key], finding.seen)
                note = (
                    f"Seen as type {finding.seen} in an answer to {finding.operation_id} by "
                    f"`cubicasa probe` of {host} on {date}."
                )
            _description_lines(doc, doc.find([*keys, "properties", key]), note)


def build(report: ProbeReport, spec_text: str, *, show_values: bool = False) -> str:
    """The spec as the probe suggests it (text), from the spec's current text. A new field whose
    name is not a plain identifier is left out unless `show_values`; one holding the key always;
    and so are new fields and values that would break generation (`left_out`)."""
    return _build(report, spec_text, show_values=show_values)[0]


def left_out(report: ProbeReport, spec_text: str, *, show_values: bool = False) -> list[str]:
    """What the patch leaves out because generation would break or decoding slow down: a field or
    enum value whose Python name is another's (`manager` beside `Manager`, `a.b` beside `a-b`),
    a field named like a model attribute (`to_dict`) or a keyword, new fields past
    `MAX_NEW_FIELDS` per schema. One line each."""
    return _build(report, spec_text, show_values=show_values)[1]


def _build(report: ProbeReport, spec_text: str, *, show_values: bool) -> tuple[str, list[str]]:
    doc = _Yaml(spec_text)
    dropped: list[str] = []
    date = report.date
    host = probed_host(report)
    # New properties, grouped by the object they were found in.
    by_object: dict[str, dict[str, list[Any]]] = {}
    for (place, key), values in report.unknown.items():
        if safe_name(key, show=show_values) != WITHHELD:
            by_object.setdefault(place, {})[key] = values
    for place, found in sorted(by_object.items()):
        keys = _keys(place)
        names, why = _admitted("field", place, sorted(found), _property_names(doc, keys))
        dropped += why
        fields = {name: found[name] for name in names}
        if not fields:
            continue
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
        dropped += _add_to_enum(doc, _keys(place), values)
        addition = f"Also seen by `cubicasa probe` of {host} on {date}: {', '.join(values)}."
        _description_lines(doc, doc.find(_keys(place)), addition)
    _repair_breaking(doc, report)
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
    return doc.text(), dropped


def spec_patch(report: ProbeReport, spec_text: str, *, show_values: bool = False) -> str:
    """A unified diff of `SPEC_PATH` that `git apply` accepts ("" when nothing changes)."""
    new, dropped = _build(report, spec_text, show_values=show_values)
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
    return header(report) + _left_out_lines(dropped) + diff


def _left_out_lines(dropped: list[str]) -> str:
    """The header's list of what was left out (text `git apply` skips, as the rest of it)."""
    if not dropped:
        return ""
    lines = ["Left out, since generation would break or decoding slow down:"]
    lines += [f"- {line}" for line in dropped]
    return "\n".join(lines) + "\n\n"


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
