"""The spec's response schemas compiled into checking functions, each with a fast twin.

A check (`value, where, run`) records every deviation under `value` with its JSON pointer. Its
twin (`values -> bool`) only answers "all of these are certainly clean", for every value found
at one place of the spec at once (the 100 orders of a page, then their 100 `info` objects, ...),
with C-level passes (`map`, `zip`, set operations) instead of a Python call per value: objects
must have a key tuple found clean before, their members are taken column by column and their
JSON types compared with that key tuple's table, and members with a structure of their own go,
as a column, to their own twin. No pointer is built and no finding made. A check asks its twin
first and does the slow, recording work only where the twin says no.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from itertools import chain
from typing import Any, Final

__all__ = ["SHAPES", "Check", "Compiler", "Run", "Twin", "escape", "json_type"]

# Clean shapes remembered per object schema: key tuples, each with a table of the types its
# members may have (a few hundred bytes). Only key tuples without unknown fields or missing
# required ones are remembered, so a server sending endless new field names never grows them;
# past the cap, objects of further shapes are simply checked the slow way.
SHAPES: Final = 256

_TYPE_OF: dict[type, str] = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}
_ANY: Final = frozenset(_TYPE_OF)
_DICT: Final = frozenset({dict})
_LIST: Final = frozenset({list})
_contains = frozenset.__contains__
_not_null = partial(operator.is_not, None)


def json_type(value: Any) -> str:
    return _TYPE_OF.get(type(value), "unknown")


def _python_types(names: Iterable[str]) -> frozenset[type]:
    wanted = set(names)
    return frozenset(t for t, name in _TYPE_OF.items() if name in wanted)


class Run:
    """What one check collects: findings as plain tuples (a client turns only new ones into
    findings), and for the probe the values seen in open value lists, outside closed ones, and
    of unknown fields (for inferring their schema)."""

    __slots__ = ("keep_values", "observed", "outside", "raw", "unknown")

    def __init__(self, keep_values: bool) -> None:
        self.keep_values = keep_values
        self.raw: list[tuple[str, str, str, str, Any]] = []  # kind, where, detail, seen, value
        self.observed: list[tuple[str, str]] = []  # (spec place, value) of open value lists
        self.unknown: list[tuple[str, str, Any]] = []  # (object's spec place, key, value)
        self.outside: list[tuple[str, Any]] = []  # (anyOf's spec place, value outside its enum)

    def add(self, kind: str, where: str, detail: str, value: Any, seen: str | None = None) -> None:
        seen = _TYPE_OF.get(type(value), "unknown") if seen is None else seen
        self.raw.append((kind, where, detail, seen, value if self.keep_values else None))


Check = Callable[[Any, str, Run], None]
Twin = Callable[[Sequence[Any]], bool]  # values found at one place -> all certainly clean


def _ok(value: Any, where: str, run: Run) -> None:
    return None


def _always(values: Sequence[Any]) -> bool:
    return True


def escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


class Compiler:
    """Compiles schemas (the compact form `make generate` writes) into checks, once per schema."""

    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas
        self.compiled: dict[str, Check] = {}
        self.twins: dict[Check, Twin] = {_ok: _always}  # every check -> its fast twin
        # Checks whose findings the value's type alone decides -> those types (value lists too:
        # for a client they are judged by type; the probe also collects their values).
        self.leaf_types: dict[Check, frozenset[type]] = {_ok: _ANY}
        self.value_lists: set[Check] = set()
        self.shapes: list[tuple[str, dict[tuple[str, ...], Any]]] = []  # (object's place, shapes)

    def ref(self, name: str) -> Check:
        found = self.compiled.get(name)
        if found is None:  # while compiling itself (a recursive schema), calls go through a slot
            slot: list[Check] = []
            twin_slot: list[Twin] = []

            def pending(v: Any, w: str, r: Run) -> None:
                slot[0](v, w, r)

            self.compiled[name] = pending
            self.twins[pending] = lambda values: twin_slot[0](values)
            slot.append(self.node(self.schemas[name]))
            twin_slot.append(self.twins[slot[0]])
            found = self.compiled[name] = slot[0]
        return found

    def node(self, node: dict[str, Any]) -> Check:
        if "ref" in node:
            return self.ref(node["ref"])
        if "anyOf" in node:
            return self.any_of(node)
        types = node.get("types")
        if types is None:
            return _ok  # no type: the spec does not know the shape
        allowed = set(types)
        if "number" in allowed:
            allowed.add("integer")
        python = _python_types(allowed)
        expected = f"type {' or '.join(types)}"

        def wrong(value: Any, where: str, run: Run) -> None:
            kind = _TYPE_OF.get(type(value), "unknown")
            if kind not in allowed:
                run.add("wrong_type", where, f"expected {expected}, got {kind}", value)

        if "properties" in node:
            return self.object(node, wrong, python)  # checks the type itself: one call less
        inner: Check | None = None
        listed: frozenset[Any] | None = None
        if "items" in node:
            array = self.array(node, wrong, python)
            if array is not None:
                return array
        elif "enum" in node:
            inner, listed = self.enum(node)
        elif "values" in node:
            inner = self.open_values(node)

        def check(value: Any, where: str, run: Run) -> None:
            kind = _TYPE_OF.get(type(value), "unknown")
            if kind not in allowed:
                run.add("wrong_type", where, f"expected {expected}, got {kind}", value)
            elif inner is not None and kind != "null":
                inner(value, where, run)

        if listed is None:  # judged by the value's type alone (for a client)
            self.leaf_types[check] = python
            if inner is not None:
                self.value_lists.add(check)  # the probe collects these values
            self.twins[check] = lambda values: python.issuperset(map(type, values))
        else:
            closed = listed

            def twin(values: Sequence[Any]) -> bool:
                if not python.issuperset(map(type, values)):
                    return False
                try:
                    return closed.issuperset(filter(_not_null, values))
                except TypeError:  # unhashable: an object or array where a listed value belongs
                    return False

            self.twins[check] = twin
        return check

    def object(self, node: dict[str, Any], wrong: Check, python: frozenset[type]) -> Check:
        """An object. Its keys and the JSON types of its members decide most findings: a key
        tuple found clean is remembered with a table of the types its members may have, and
        members with a structure or a closed value list of their own go to their own twins.
        Only where that fails are members checked one by one."""
        at = node["at"]
        properties = {key: self.node(sub) for key, sub in node["properties"].items()}
        known = frozenset(properties)
        required = tuple(node.get("required", ()))
        items = tuple((key, f"/{escape(key)}", sub) for key, sub in properties.items())
        flat = tuple(i for i in items if i[2] in self.leaf_types)
        nested = tuple(i for i in items if i not in flat)
        twins = self.twins
        leaf_types = self.leaf_types
        # key tuple found clean -> (allowed types per position, (position, twin) of the members
        # with a structure or a closed value list of their own)
        clean: dict[tuple[str, ...], tuple[tuple[frozenset[type], ...], tuple[Any, ...]]] = {}
        self.shapes.append((at, clean))

        def remember(keys: tuple[str, ...]) -> None:
            if keys not in clean and len(clean) < SHAPES:
                table = tuple(leaf_types.get(properties[k], _ANY) for k in keys)
                deeper = tuple(
                    (n, twins[properties[k]])
                    for n, k in enumerate(keys)
                    if properties[k] not in leaf_types
                )
                clean[keys] = (table, deeper)

        def same_shape(shape: tuple[str, ...], values: Sequence[Any]) -> bool:
            """Objects with one key tuple: their members column by column."""
            entry = clean.get(shape)
            if entry is None:
                return False
            table, deeper = entry
            columns = tuple(zip(*map(dict.values, values), strict=True))
            for allowed, column in zip(table, columns, strict=True):
                if allowed is not _ANY and not allowed.issuperset(map(type, column)):
                    return False
            return all(member(columns[position]) for position, member in deeper)

        def one(value: dict[str, Any]) -> bool:
            """One object (most answers are one): the same tests without the columns."""
            entry = clean.get(tuple(value))
            if entry is None or not all(map(_contains, entry[0], map(type, value.values()))):
                return False
            if not entry[1]:
                return True
            members = tuple(value.values())
            return all(member((members[position],)) for position, member in entry[1])

        def twin(values: Sequence[Any]) -> bool:
            if len(values) == 1 and type(values[0]) is dict:
                return one(values[0])
            kinds = set(map(type, values))
            if kinds != _DICT:
                if not python.issuperset(kinds):
                    return False
                values = [v for v in values if type(v) is dict]
                if not values:
                    return True
            shapes = list(map(tuple, values))
            if shapes.count(shapes[0]) == len(shapes):  # the usual case: one shape for all
                return same_shape(shapes[0], values)
            groups: dict[tuple[str, ...], list[Any]] = {}
            for shape, value in zip(shapes, values, strict=True):
                groups.setdefault(shape, []).append(value)
            return all(same_shape(shape, group) for shape, group in groups.items())

        def check(value: Any, where: str, run: Run) -> None:
            if type(value) is not dict:
                wrong(value, where, run)
                return
            if not run.keep_values and one(value):
                return
            before = len(run.raw)
            for key in required:
                if key not in value:
                    run.add(
                        "missing_required", f"{where}/{escape(key)}", "required", None, "absent"
                    )
            if not known.issuperset(value):
                for key in value:
                    if key not in known:
                        run.add(
                            "unknown_field",
                            f"{where}/{escape(key)}",
                            f"not among the properties of {at or 'the body'}",
                            value[key],
                        )
                        run.unknown.append((at, key, value[key]))
            for key, suffix, sub in flat:
                if key in value:
                    sub(value[key], where + suffix, run)
            if len(run.raw) == before:
                remember(tuple(value))
            for key, suffix, sub in nested:
                if key in value:
                    sub(value[key], where + suffix, run)

        twins[check] = twin
        return check

    def array(self, node: dict[str, Any], wrong: Check, python: frozenset[type]) -> Check | None:
        """An array, or None when its items are not checked (then only its type is)."""
        item = self.node(node["items"])
        if item is _ok:
            return None
        # Items judged by their type alone: one set test for the whole array (value lists too,
        # except for the probe, which collects their values).
        plain = self.leaf_types.get(item)
        collect = item in self.value_lists
        item_twin = self.twins[item]

        def twin(values: Sequence[Any]) -> bool:
            kinds = set(map(type, values))
            if kinds != _LIST:
                if not python.issuperset(kinds):
                    return False
                values = [v for v in values if type(v) is list]
            if plain is not None:
                return plain.issuperset(map(type, chain.from_iterable(values)))
            return item_twin(list(chain.from_iterable(values)))

        def check(value: Any, where: str, run: Run) -> None:
            if type(value) is not list:
                wrong(value, where, run)
                return
            if not (collect and run.keep_values):
                if plain is not None and plain.issuperset(map(type, value)):
                    return
                if not run.keep_values and item_twin(value):
                    return
            for index, element in enumerate(value):
                if run.keep_values or not item_twin([element]):
                    item(element, f"{where}/{index}", run)

        self.twins[check] = twin
        return check

    def enum(self, node: dict[str, Any]) -> tuple[Check, frozenset[Any]]:
        values = frozenset(node["enum"])
        detail = "one of " + ", ".join(str(v) for v in node["enum"])

        def check(value: Any, where: str, run: Run) -> None:
            if not _member(value, values):
                run.add("unknown_value", where, detail, value)

        return check, values

    def open_values(self, node: dict[str, Any]) -> Check:
        at = node["at"]
        known = frozenset(node["values"])

        def check(value: Any, where: str, run: Run) -> None:
            if run.keep_values and value not in known:
                run.observed.append((at, value))

        return check

    def any_of(self, node: dict[str, Any]) -> Check:
        """`anyOf`: the branch for the value's JSON type. A string outside the enum branch of
        `[enum, string]` is an `unknown_value` (the open branch only keeps it readable)."""
        branches = [self.schemas[b["ref"]] if "ref" in b else b for b in node["anyOf"]]
        by_type: dict[str, Check] = {}
        enum_values: frozenset[Any] | None = None
        enum_detail = ""
        at = node["at"]
        names: list[str] = []
        for raw, branch in zip(node["anyOf"], branches, strict=True):
            types = branch.get("types")
            if types is None:
                return _ok
            if "enum" in branch:
                enum_values = frozenset(branch["enum"])
                enum_detail = "one of " + ", ".join(str(v) for v in branch["enum"])
            compiled = self.node(raw)
            for kind in [*types, *(["integer"] if "number" in types else [])]:
                by_type.setdefault(kind, compiled)
                if kind not in names:
                    names.append(kind)
        expected = f"type {' or '.join(names)}"
        twin_by_type = {
            python: self.twins[by_type[name]]
            for python, name in _TYPE_OF.items()
            if name in by_type
        }

        def check(value: Any, where: str, run: Run) -> None:
            kind = _TYPE_OF.get(type(value), "unknown")
            branch = by_type.get(kind)
            if branch is None:
                run.add("wrong_type", where, f"expected {expected}, got {kind}", value)
            elif enum_values is not None and kind == "string" and value not in enum_values:
                run.add("unknown_value", where, enum_detail, value)
                if run.keep_values:
                    run.outside.append((at, value))
            else:
                branch(value, where, run)

        def twin(values: Sequence[Any]) -> bool:
            groups: dict[type, list[Any]] = {}
            for value in values:
                groups.setdefault(type(value), []).append(value)
            for kind, group in groups.items():
                branch = twin_by_type.get(kind)
                if branch is None or not branch(group):
                    return False
                if kind is str and enum_values is not None and not enum_values.issuperset(group):
                    return False
            return True

        self.twins[check] = twin
        return check


def _member(value: Any, values: frozenset[Any]) -> bool:
    try:
        return value in values
    except TypeError:  # unhashable (an object or array where a listed value belongs)
        return False
