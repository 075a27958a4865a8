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
        with self._lock:
            deviation = self._by_operation.setdefault(operation_id, Deviation())
            deviation.add.update(_members("add", add))
            deviation.remove.extend(_pointers("remove", remove))
            deviation.replace.update(_members("replace", replace))
            deviation.status = status if status is not None else deviation.status
            deviation.content_type = content_type or deviation.content_type
            deviation.path_missing = deviation.path_missing or bool(path_missing)

    def clear(self) -> None:
        with self._lock:
            self._by_operation.clear()

    def answer(self, operation_id: str, respond: Callable[[], FakeResponse]) -> FakeResponse:
        deviation = self._by_operation.get(operation_id)
        return respond() if deviation is None else deviation.answer(respond)
