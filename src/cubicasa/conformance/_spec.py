"""The spec's responses per operation, read from `cubicasa_api/conformance.json` (written by
`make generate`): which operation a request is, and every deviation of one response from what
the spec declares for its status and content type."""

from __future__ import annotations

import functools
import json
import re
import threading
from functools import cache
from typing import Any

from .._error_shape import path_unknown
from ._checks import Check, Compiler, Run
from ._finding import ConformanceFinding

__all__ = ["CheckResult", "Checker", "checker", "is_json"]


@functools.lru_cache(maxsize=64)
def _media(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


@functools.lru_cache(maxsize=64)
def is_json(content_type: str | None) -> bool:
    media = _media(content_type)
    return media == "application/json" or media.endswith("+json")


class CheckResult:
    """What one response showed: its findings; for the probe, values of open value lists and of
    unknown fields (for the spec patch)."""

    __slots__ = ("operation_id", "run")

    def __init__(self, operation_id: str, run: Run) -> None:
        self.operation_id = operation_id
        self.run = run

    @property
    def findings(self) -> list[ConformanceFinding]:
        return [ConformanceFinding(self.operation_id, *raw) for raw in self.run.raw]

    @property
    def observed(self) -> list[tuple[str, str]]:
        return self.run.observed

    @property
    def unknown(self) -> list[tuple[str, str, Any]]:
        return self.run.unknown

    @property
    def outside(self) -> list[tuple[str, Any]]:
        return self.run.outside


class Checker:
    """The spec's responses, compiled per operation, status and content type on first use."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.spec_sha256: str = data["spec_sha256"]
        self.operations: dict[str, Any] = data["operations"]
        self._compiler = Compiler(data["schemas"])
        self._compiled: dict[tuple[str, str, str], Check] = {}
        self._fast: dict[tuple[str, int, str | None], Check] = {}
        self._lock = threading.Lock()
        self._routes = _routes(self.operations)

    def operation_for(self, method: str, path: str) -> str | None:
        """The operationId whose method and path template match (literal segments win)."""
        route = self._routes.get(method.upper())
        if route is None:
            return None
        match = route[0].fullmatch(path)
        return route[1][match.lastgroup] if match is not None and match.lastgroup else None

    def reads_body(self, operation_id: str, status: int, content_type: str | None) -> bool:
        """Whether checking this answer needs its body: only a declared JSON answer does (so a
        streamed download is never read by the check, whatever its headers say)."""
        if status in (404, 405) and self.is_inferred(operation_id):
            return False
        declared = self.operations[operation_id]["responses"].get(str(status))
        return bool(declared) and _media(content_type) in declared and is_json(content_type)

    def is_inferred(self, operation_id: str) -> bool:
        return bool(self.operations[operation_id]["evidence"] == "inferred")

    def check(
        self,
        operation_id: str,
        status: int,
        content_type: str | None,
        body: bytes | Any,
        *,
        parsed: bool = False,
        keep_values: bool = False,
    ) -> CheckResult:
        """Every deviation of one response. `body` is the raw bytes, or the decoded JSON when
        `parsed` is true; it is read only when the status and content type are declared JSON."""
        run = Run(keep_values)
        result = CheckResult(operation_id, run)
        if (
            status in (404, 405)
            and self.is_inferred(operation_id)
            and path_unknown(status, content_type, body, parsed=parsed)
        ):  # the path itself may be wrong: that alone is reported, not the error body's shape
            run.add("unreachable_path", "status", _unreachable(status), None, str(status))
            return result
        fast = self._fast.get((operation_id, status, content_type))
        if fast is not None and parsed:  # a declared status and JSON content type seen before
            fast(body, "", run)
            return result
        responses = self.operations[operation_id]["responses"]
        declared = responses.get(str(status))
        if declared is None:
            expected = ", ".join(s for s in responses if s != "default")
            run.add("undocumented_status", "status", f"one of {expected}", None, str(status))
            return result
        if not declared:
            return result  # no body declared
        media = _media(content_type)
        if media not in declared:
            expected = "one of " + ", ".join(declared)
            run.add("undocumented_content_type", "content-type", expected, None, media or "none")
            return result
        if not (media == "application/json" or media.endswith("+json")):
            return result
        if parsed:
            value = body
        else:
            try:
                value = json.loads(body)
            except (ValueError, RecursionError):  # not JSON, or nested too deeply to read
                run.add("invalid_json", "", f"a JSON document ({media})", None, "unparseable")
                return result
        compiled = self._compiled_for(operation_id, str(status), media)
        if len(self._fast) < 512:
            self._fast[(operation_id, status, content_type)] = compiled
        compiled(value, "", run)
        return result

    def _compiled_for(self, operation_id: str, status: str, media: str) -> Check:
        key = (operation_id, status, media)
        found = self._compiled.get(key)
        if found is None:
            with self._lock:
                schema = self.operations[operation_id]["responses"][status][media]
                found = self._compiled[key] = self._compiler.node(schema)
        return found


def _unreachable(status: int) -> str:
    what = "Not Found" if status == 404 else "Method Not Allowed"
    return f"the inferred path answered {status} {what}: the path or method may be wrong"


def _routes(operations: dict[str, Any]) -> dict[str, tuple[re.Pattern[str], dict[str, str]]]:
    """Per method, one regex of every path template as a named alternative (literal segments
    first, so `/orders/draft` is not taken for `/orders/{id}`): one match call per response."""
    by_method: dict[str, list[tuple[int, str, str]]] = {}
    for operation_id, op in operations.items():
        template: str = op["path"]
        regex = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        by_method.setdefault(op["method"], []).append((template.count("{"), operation_id, regex))
    routes = {}
    for method, entries in by_method.items():
        entries.sort()
        groups = {f"o{n}": operation_id for n, (_, operation_id, _) in enumerate(entries)}
        pattern = "|".join(f"(?P<o{n}>{regex})" for n, (_, _, regex) in enumerate(entries))
        routes[method] = (re.compile(pattern), groups)
    return routes


@cache
def checker() -> Checker:
    """The checker for the spec the installed client was generated from (read once)."""
    from importlib.resources import files

    text = files("cubicasa_api").joinpath("conformance.json").read_text(encoding="utf-8")
    return Checker(json.loads(text))
