"""Conformance: how a response differs from the spec, found as the client runs and by the probe.

The spec's responses come from `cubicasa_api/conformance.json` (written by `make generate`); each
schema is compiled once into a checking function. Stricter than JSON Schema on purpose: a key not
under `properties` is an `unknown_field` even where `additionalProperties: true`, a value outside
the enum branch of `anyOf: [enum, string]` is an `unknown_value`, and a status matched only by
`default` is an `undocumented_status`. Findings never hold a value from the response unless the
caller asks for them (the probe's `--show-values`).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Final, Literal

from ._error_shape import path_unknown
from ._names import safe_pointer
from .errors import MAX_ERROR_BODY_PARSED

if TYPE_CHECKING:
    import httpx


__all__ = [
    "ENV",
    "KINDS",
    "MODES",
    "Checker",
    "Conformance",
    "ConformanceFinding",
    "checker",
    "resolve_mode",
]

ENV: Final = "CUBICASA_CONFORMANCE"
MODES: Final = ("off", "log", "strict")
Mode = Literal["off", "log", "strict"]
KINDS: Final = (
    "unknown_field",
    "missing_required",
    "wrong_type",
    "unknown_value",
    "undocumented_status",
    "undocumented_content_type",
    "invalid_json",
    "unreachable_path",
)

logger = logging.getLogger("cubicasa.conformance")

_INDEX = re.compile(r"/\d+(?=/|$)")
_UNSEEN: Any = object()
_SHAPES = 256  # clean object shapes remembered per schema (each a few hundred bytes)


@functools.lru_cache(maxsize=4096)
def _location(where: str) -> str:
    return _INDEX.sub("/*", where)


@dataclass(frozen=True, slots=True)
class ConformanceFinding:
    """One way a response differed from the spec.

    Attributes:
        operation_id: the spec's operationId, e.g. `getOrder`.
        kind: `unknown_field`, `missing_required`, `wrong_type`, `unknown_value`,
            `undocumented_status`, `undocumented_content_type`, `invalid_json`, or
            `unreachable_path` (an inferred operation answered 404 or 405).
        where: a JSON pointer into the body (`/items/0/info/rush`), or `status` / `content-type`.
        detail: what the spec expects there (never a value from the response).
        seen: the JSON type found (`string`, `object`, ...), or the status / content type.
    """

    operation_id: str
    kind: str
    where: str
    detail: str
    seen: str = ""
    value: Any = field(default=None, compare=False, repr=False)

    @property
    def location(self) -> str:
        """`where` without array indices: findings with one location are one deviation."""
        return _location(self.where)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.operation_id, self.kind, self.location)

    def message(self, secret: str | None = None) -> str:
        """One line for a log: the operation, the place (`where`, as `client.conformance` shows
        it: the first place seen) and the spec's expectation; a field name that is not a plain
        identifier or that holds `secret` (the key) is withheld."""
        where = safe_pointer(self.where, secret=secret) or "the body"
        return f"{self.operation_id}: {self.kind} at {where}: {self.detail}"


# --- compiling the spec's schemas ----------------------------------------------------------------

_TYPE_OF: dict[type, str] = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


def json_type(value: Any) -> str:
    return _TYPE_OF.get(type(value), "unknown")


class _Run:
    """What one check collects: findings as plain tuples (a client turns only new ones into
    `ConformanceFinding`s), and for the probe the values seen in open value lists, outside
    closed ones, and of unknown fields (for inferring their schema)."""

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


Check = Callable[[Any, str, _Run], None]


def _ok(value: Any, where: str, run: _Run) -> None:
    return None


def _expected_types(types: Iterable[str]) -> str:
    return " or ".join(types)


class _Compiler:
    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas
        self.compiled: dict[str, Check] = {}
        # Checks whose findings the value's type alone decides (value lists: for the client).
        self.leaves: set[Check] = {_ok}
        self.value_lists: set[Check] = set()
        self.leaf_types: dict[Check, frozenset[type]] = {}  # leaves, value lists -> their types

    def ref(self, name: str) -> Check:
        found = self.compiled.get(name)
        if found is None:
            slot: list[Check] = []
            self.compiled[name] = lambda v, w, r: slot[0](v, w, r)  # while compiling itself
            slot.append(self.node(self.schemas[name]))
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
        expected = f"type {_expected_types(types)}"

        def wrong(value: Any, where: str, run: _Run) -> None:
            kind = _TYPE_OF.get(type(value), "unknown")
            if kind not in allowed:
                run.add("wrong_type", where, f"expected {expected}, got {kind}", value)

        inner: Check | None = None
        if "properties" in node:
            return self.object(node, wrong)  # checks the type itself: one call less per object
        if "items" in node:
            inner = self.array(node, wrong)
            if inner is not _ok:
                return inner
        elif "enum" in node:
            inner = self.enum(node)
        elif "values" in node:
            inner = self.open_values(node)
        if inner is _ok:
            inner = None

        def check(value: Any, where: str, run: _Run) -> None:
            kind = _TYPE_OF.get(type(value), "unknown")
            if kind not in allowed:
                run.add("wrong_type", where, f"expected {expected}, got {kind}", value)
            elif inner is not None and kind != "null":
                inner(value, where, run)

        if inner is None:  # judged by the value's type alone
            self.leaves.add(check)
            self.leaf_types[check] = frozenset(t for t, name in _TYPE_OF.items() if name in allowed)
        elif "values" in node and "properties" not in node and "items" not in node:
            self.value_lists.add(check)  # the same, but the probe collects the values
            self.leaf_types[check] = frozenset(t for t, name in _TYPE_OF.items() if name in allowed)
        return check

    def object(self, node: dict[str, Any], wrong: Check) -> Check:
        """An object. Its keys and the types of its plain members decide most findings, so a
        shape (keys, member types) once found clean is not checked member by member again;
        members with a structure or a value list of their own are always checked."""
        at = node["at"]
        properties = {key: self.node(sub) for key, sub in node["properties"].items()}
        known = frozenset(properties)
        required = tuple(node.get("required", ()))
        items = tuple((key, f"/{_escape(key)}", sub) for key, sub in properties.items())
        flat = tuple(i for i in items if i[2] in self.leaves or i[2] in self.value_lists)
        lists = tuple(i for i in items if i[2] in self.value_lists)
        nested = tuple(i for i in items if i not in flat)
        clean: set[tuple[tuple[str, ...], tuple[type, ...]]] = set()

        def check(value: Any, where: str, run: _Run) -> None:
            if type(value) is not dict:
                wrong(value, where, run)
                return
            shape = (tuple(value), tuple(map(type, value.values())))
            if shape in clean:
                if run.keep_values:
                    for key, suffix, sub in lists:
                        if key in value:
                            sub(value[key], where + suffix, run)
            else:
                before = len(run.raw)
                for key in required:
                    if key not in value:
                        run.add(
                            "missing_required",
                            f"{where}/{_escape(key)}",
                            "required",
                            None,
                            "absent",
                        )
                if not known.issuperset(value):
                    for key in value:
                        if key not in known:
                            run.add(
                                "unknown_field",
                                f"{where}/{_escape(key)}",
                                f"not among the properties of {at or 'the body'}",
                                value[key],
                            )
                            run.unknown.append((at, key, value[key]))
                for key, suffix, sub in flat:
                    if key in value:
                        sub(value[key], where + suffix, run)
                if len(run.raw) == before and len(clean) < _SHAPES:
                    clean.add(shape)
            for key, suffix, sub in nested:
                if key in value:
                    sub(value[key], where + suffix, run)

        return check

    def array(self, node: dict[str, Any], wrong: Check) -> Check:
        item = self.node(node["items"])
        if item is _ok:
            return _ok

        # Items judged by their type alone: one set test for the whole array (value lists too,
        # except for the probe, which collects their values).
        plain = self.leaf_types.get(item)
        collect = item in self.value_lists

        def check(value: Any, where: str, run: _Run) -> None:
            if type(value) is not list:
                wrong(value, where, run)
                return
            if (
                plain is not None
                and not (collect and run.keep_values)
                and plain.issuperset(map(type, value))
            ):
                return
            for index, element in enumerate(value):
                item(element, f"{where}/{index}", run)

        return check

    def enum(self, node: dict[str, Any]) -> Check:
        values = frozenset(node["enum"])
        detail = "one of " + ", ".join(str(v) for v in node["enum"])

        def check(value: Any, where: str, run: _Run) -> None:
            if value not in values:
                run.add("unknown_value", where, detail, value)

        return check

    def open_values(self, node: dict[str, Any]) -> Check:
        at = node["at"]
        known = frozenset(node["values"])

        def check(value: Any, where: str, run: _Run) -> None:
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
        expected = f"type {_expected_types(names)}"

        def check(value: Any, where: str, run: _Run) -> None:
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

        return check


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


# --- operations ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _media(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


class CheckResult:
    """What one response showed: its findings; for the probe, values of open value lists and of
    unknown fields (for the spec patch)."""

    __slots__ = ("operation_id", "run")

    def __init__(self, operation_id: str, run: _Run) -> None:
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
        self._compiler = _Compiler(data["schemas"])
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
        return bool(declared) and _media(content_type) in declared and _is_json(content_type)

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
        run = _Run(keep_values)
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


# --- the running client --------------------------------------------------------------------------


def resolve_mode(value: Any) -> Mode:
    """`conformance=` of a client, else `CUBICASA_CONFORMANCE`, else `log`."""
    source = "conformance"
    if value is None:
        value = os.environ.get(ENV) or "log"
        source = ENV
    if not isinstance(value, str):
        raise TypeError(f"{source} must be one of {', '.join(MODES)} (a string), got {value!r}")
    mode = value.strip().lower()
    if mode not in MODES:
        raise ValueError(f"{source} must be one of {', '.join(MODES)}, got {value!r}")
    return mode  # type: ignore[return-value]


_logged: set[tuple[str, str, str]] = set()  # distinct findings already logged by this process
_logged_lock = threading.Lock()


class Conformance:
    """One client's conformance checking: the response hook, and the distinct findings so far."""

    def __init__(self, mode: Mode, base_path: str, secret: str | None = None) -> None:
        self.mode = mode
        self._secret = secret  # the API key, kept out of log lines and errors
        self._base_path = base_path.rstrip("/")
        self._findings: dict[tuple[str, str, str], ConformanceFinding] = {}
        self._routes: dict[tuple[str, bytes], str | None] = {}  # (method, raw path) -> its op
        self._lock = threading.Lock()

    @property
    def findings(self) -> list[ConformanceFinding]:
        with self._lock:
            return list(self._findings.values())

    def hooks(self) -> list[Callable[[httpx.Response], None]]:
        return [] if self.mode == "off" else [self.hook]

    def async_hooks(self) -> list[Callable[[httpx.Response], Any]]:
        return [] if self.mode == "off" else [self.ahook]

    def _operation(self, response: httpx.Response) -> str | None:
        request = response.request
        route = (request.method, request.url.raw_path)
        found: str | None = self._routes.get(route, _UNSEEN)
        if found is _UNSEEN:
            path = request.url.path
            found = None
            if path.startswith(self._base_path):
                found = checker().operation_for(request.method, path[len(self._base_path) :])
            if len(self._routes) < 1024:
                self._routes[route] = found
        return found

    def hook(self, response: httpx.Response) -> None:
        operation_id = self._operation(response)
        if operation_id is not None:
            content_type = response.headers.get("content-type")
            read = checker().reads_body(operation_id, response.status_code, content_type)
            if read:
                response.read()
            self._report(operation_id, response, content_type, read)

    async def ahook(self, response: httpx.Response) -> None:
        operation_id = self._operation(response)
        if operation_id is not None:
            content_type = response.headers.get("content-type")
            read = checker().reads_body(operation_id, response.status_code, content_type)
            if read:
                await response.aread()
            self._report(operation_id, response, content_type, read)

    def _report(
        self, operation_id: str, response: httpx.Response, content_type: str | None, read: bool
    ) -> None:
        body: Any = b""
        parsed = False
        if read and not response.is_success and len(response.content) > MAX_ERROR_BODY_PARSED:
            return  # the error is quoted from its start unparsed (`errors`): no check either
        if read:
            body = response.content
            try:
                body = json.loads(body)
            except (ValueError, RecursionError):
                pass  # reported as invalid_json
            else:
                parsed = True
                _reuse_json(response, body)
        status = response.status_code
        result = checker().check(operation_id, status, content_type, body, parsed=parsed)
        if not result.run.raw:
            return
        fresh = []
        for raw in result.run.raw:
            key = (operation_id, raw[0], _location(raw[1]))
            if key not in self._findings:
                with self._lock:
                    if key not in self._findings:
                        self._findings[key] = ConformanceFinding(operation_id, *raw)
                        fresh.append(self._findings[key])
        if self.mode == "log":
            if fresh:
                # An error answer's deviations are notes (strict ignores them too), logged below
                # WARNING so that a failed call does not print more than its error.
                level = logging.WARNING if response.is_success else logging.INFO
                _log_once(fresh, level, self._secret)
        elif response.is_success:
            from .errors import ResponseValidationError

            raise ResponseValidationError(
                response,
                "the response does not conform to the spec ("
                + "; ".join(f.message(self._secret) for f in _distinct(result.findings))
                + ")",
            )


def _reuse_json(response: httpx.Response, value: Any) -> None:
    """Let `response.json()` return what was decoded here, instead of decoding the body again
    (the generated parsers call it right after this hook; on a page of 100 orders that decode
    costs as much as the whole check)."""
    decode = response.json

    def json_(**kwargs: Any) -> Any:
        return decode(**kwargs) if kwargs else value

    response.__dict__["json"] = json_


@functools.lru_cache(maxsize=64)
def _is_json(content_type: str | None) -> bool:
    media = _media(content_type)
    return media == "application/json" or media.endswith("+json")


def _distinct(findings: Iterable[ConformanceFinding]) -> list[ConformanceFinding]:
    seen: dict[tuple[str, str, str], ConformanceFinding] = {}
    for finding in findings:
        seen.setdefault(finding.key, finding)
    return list(seen.values())


def _log_once(
    findings: Iterable[ConformanceFinding], level: int = logging.WARNING, secret: str | None = None
) -> None:
    fresh = []
    with _logged_lock:
        for finding in _distinct(findings):
            if finding.key not in _logged:
                _logged.add(finding.key)
                fresh.append(finding)
    for finding in fresh:
        logger.log(level, "response differs from the spec: %s", finding.message(secret))
