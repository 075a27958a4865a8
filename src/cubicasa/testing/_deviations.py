"""The fake disagreeing with the spec on purpose (`fake.deviate()`), so that conformance checking
and `cubicasa probe` are tested without the real API: extra, missing or changed fields, another
status or content type, or a 404 for the operation's path."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._http import FakeResponse, json_response
from ._operations import table

Json = Any


@dataclass
class Deviation:
    """How one operation's answers differ from the spec (every call, until cleared)."""

    add: dict[str, Json] = field(default_factory=dict)
    remove: list[str] = field(default_factory=list)
    replace: dict[str, Json] = field(default_factory=dict)
    status: int | None = None
    content_type: str | None = None
    path_missing: bool = False

    def answer(self, respond: Callable[[], FakeResponse]) -> FakeResponse:
        if self.path_missing:  # the path itself is not there: nothing runs
            return json_response(404, {"detail": "Not Found"})
        response = respond()
        if (self.add or self.remove or self.replace) and response.status < 300:
            body = json.loads(response.body)
            for pointer in self.remove:
                _edit(body, pointer, None, delete=True)
            for pointer, value in self.replace.items():
                _edit(body, pointer, value, only_existing=True)
            for pointer, value in self.add.items():
                _edit(body, pointer, value)
            response.body = json.dumps(body).encode()
        if self.status is not None:
            response.status = self.status
        if self.content_type is not None:
            response.headers = {**response.headers, "Content-Type": self.content_type}
        return response


def _split(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def _edit(
    node: Json, pointer: str, value: Json, *, delete: bool = False, only_existing: bool = False
) -> None:
    """Set (or delete) the member at `pointer`; `*` stands for every element of an array."""
    parts = _split(pointer)
    parents: list[Json] = [node]
    for part in parts[:-1]:
        following: list[Json] = []
        for parent in parents:
            if part == "*" and isinstance(parent, list):
                following.extend(parent)
            elif isinstance(parent, dict) and isinstance(parent.get(part), dict | list):
                following.append(parent[part])
            elif isinstance(parent, list) and part.isdigit() and int(part) < len(parent):
                following.append(parent[int(part)])
        parents = following
    last = parts[-1]
    for parent in parents:
        if isinstance(parent, dict):
            if delete:
                parent.pop(last, None)
            elif not only_existing or last in parent:
                parent[last] = value


def _pointers(name: str, pointers: Iterable[str]) -> list[str]:
    found = list(pointers)
    for pointer in found:
        if not isinstance(pointer, str):
            raise TypeError(f"{name}: JSON pointers are strings, got {pointer!r}")
        if not pointer.startswith("/") or pointer == "/":
            raise ValueError(f"{name}: {pointer!r} is not a JSON pointer to a member (/a/b)")
    return found


def _spec_data() -> dict[str, Any]:
    """The spec's answers as `make generate` compiled them (the operations table)."""
    return table()


def _reaches(node: Any, parts: list[str], schemas: dict[str, Any]) -> bool:
    """Whether a JSON pointer's parts can name something in a value of the schema `node`."""
    while isinstance(node, dict) and "ref" in node:
        node = schemas[node["ref"]]
    if not parts:
        return True
    if not isinstance(node, dict):
        return False
    if "anyOf" in node:
        return any(_reaches(branch, parts, schemas) for branch in node["anyOf"])
    if not ({"types", "properties", "items"} & node.keys()):
        return True  # a member of unknown shape: anything may be inside
    part, rest = parts[0], parts[1:]
    if part == "*" or part.isdigit():
        return "items" in node and _reaches(node["items"], rest, schemas)
    properties = node.get("properties", {})
    return part in properties and _reaches(properties[part], rest, schemas)


def _check_matches(operation_id: str, name: str, pointers: Iterable[str], *, parent: bool) -> None:
    """A pointer that names nothing in the operation's JSON answer is a mistake (a deviation that
    would silently do nothing): ValueError naming it. `add` needs only the parent to exist."""
    data = _spec_data()
    answers = [
        media["application/json"]
        for status, media in data["operations"][operation_id]["responses"].items()
        if status.startswith("2") and "application/json" in media
    ]
    if not answers:
        return  # no JSON answer (a PDF, say): nothing to check against
    for pointer in pointers:
        parts = _split(pointer)
        wanted = parts[:-1] if parent else parts
        if not any(_reaches(answer, wanted, data["schemas"]) for answer in answers):
            raise ValueError(
                f"{name}: {pointer!r} matches nothing in {operation_id}'s answer as the spec "
                "describes it (a pointer names object members and array indices or `*`)"
            )


def _members(name: str, members: Mapping[str, Json] | None) -> dict[str, Json]:
    if members is None:
        return {}
    if not isinstance(members, Mapping):
        raise TypeError(f"{name} must be a mapping of JSON pointer -> value, got {members!r}")
    _pointers(name, members)
    return dict(members)


class Deviations:
    """The deviations set on one fake, by operationId."""

    def __init__(self, operation_ids: Iterable[str]) -> None:
        self._known = frozenset(operation_ids)
        self._by_operation: dict[str, Deviation] = {}
        self._lock = threading.Lock()

    def set(
        self,
        operation_id: str,
        *,
        add: Mapping[str, Json] | None = None,
        remove: Iterable[str] = (),
        replace: Mapping[str, Json] | None = None,
        status: int | None = None,
        content_type: str | None = None,
        path_missing: bool = False,
    ) -> None:
        if not isinstance(operation_id, str):
            raise TypeError(f"operation_id must be a string, got {operation_id!r}")
        if operation_id not in self._known:
            raise ValueError(f"operation_id: no operation {operation_id!r} in the spec")
        if isinstance(remove, str):
            raise TypeError("remove must be a list of JSON pointers, not one string")
        if status is not None and (
            not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599
        ):
            raise ValueError(f"status must be an HTTP status code (100-599), got {status!r}")
        if content_type is not None and not isinstance(content_type, str):
            raise TypeError(f"content_type must be a string, got {content_type!r}")
        added, replaced, removed = _members("add", add), _members("replace", replace), list(remove)
        _check_matches(operation_id, "add", added, parent=True)
        _check_matches(operation_id, "replace", replaced, parent=False)
        _check_matches(operation_id, "remove", _pointers("remove", removed), parent=False)
        with self._lock:
            deviation = self._by_operation.setdefault(operation_id, Deviation())
            deviation.add.update(added)
            deviation.remove.extend(removed)
            deviation.replace.update(replaced)
            deviation.status = status if status is not None else deviation.status
            deviation.content_type = content_type or deviation.content_type
            deviation.path_missing = deviation.path_missing or bool(path_missing)

    def clear(self) -> None:
        with self._lock:
            self._by_operation.clear()

    def answer(self, operation_id: str, respond: Callable[[], FakeResponse]) -> FakeResponse:
        deviation = self._by_operation.get(operation_id)
        return respond() if deviation is None else deviation.answer(respond)
