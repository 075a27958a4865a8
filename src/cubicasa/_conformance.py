"""Conformance as the client runs: the findings (`ConformanceFinding`), the modes
(`conformance=`, `CUBICASA_CONFORMANCE`), each client's findings so far, and the one log line per
distinct deviation per process.

Which responses deviate is decided by `_conformance_spec` (the spec's responses, per operation)
with the checks of `_conformance_checks`. Stricter than JSON Schema on purpose: a key not under
`properties` is an `unknown_field` even where `additionalProperties: true`, a value outside the
enum branch of `anyOf: [enum, string]` is an `unknown_value`, and a status matched only by
`default` is an `undocumented_status`. Findings never hold a value from the response unless the
caller asks for them (the probe's `--show-values`).

What is kept is bounded, whatever a server sends: a client keeps at most `MAX_FINDINGS` distinct
findings and the process logs at most `MAX_LOGGED` distinct lines (then one line saying so).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

from ._conformance_spec import checker
from ._names import safe_pointer
from .errors import MAX_ERROR_BODY_PARSED, scrub

if TYPE_CHECKING:
    import httpx


__all__ = [
    "ENV",
    "KINDS",
    "MAX_FINDINGS",
    "MAX_LOGGED",
    "MODES",
    "Conformance",
    "ConformanceFinding",
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
# Distinct findings one client keeps, and distinct deviations one process logs. A server that
# sends a new unknown field name in every answer makes a new distinct finding each time: past
# these caps, further new ones are dropped (the process logs that once), so memory stays bounded.
MAX_FINDINGS: Final = 1000
MAX_LOGGED: Final = 1000

logger = logging.getLogger("cubicasa.conformance")

_INDEX = re.compile(r"/\d+(?=/|$)")
_UNSEEN: Any = object()


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

    def scrubbed(self, secret: str | None) -> ConformanceFinding:
        """This finding without `secret` (the API key) in any attribute: a field name holding it
        is withheld from `where`, and its every form in `seen`, `detail` or `value` (a content
        type `application/x-<key>`, an echoed value) is `***`. Itself when nothing held it."""
        if not secret:
            return self
        changed = {
            "where": safe_pointer(self.where, secret=secret, show=True),
            "detail": scrub(self.detail, secret),
            "seen": scrub(self.seen, secret),
            "value": scrub(self.value, secret),
        }
        if all(value == getattr(self, name) for name, value in changed.items()):
            return self
        return dataclasses.replace(self, **changed)

    def message(self, secret: str | None = None) -> str:
        """One line for a log: the operation, the place (`where`, as `client.conformance` shows
        it: the first place seen) and the spec's expectation; a field name that is not a plain
        identifier or that holds `secret` (the key) is withheld."""
        where = safe_pointer(self.where, secret=secret) or "the body"
        return f"{self.operation_id}: {self.kind} at {where}: {self.detail}"


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
_STRICT_SHOWN = 20  # findings named in one strict-mode error; the rest are counted


class Conformance:
    """One client's conformance checking: the response hook, and the distinct findings so far
    (at most `MAX_FINDINGS`)."""

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
        fresh = self._keep(operation_id, result.run.raw)
        if self.mode == "log":
            if fresh:
                # An error answer's deviations are notes (strict ignores them too), logged below
                # WARNING so that a failed call does not print more than its error.
                level = logging.WARNING if response.is_success else logging.INFO
                _log_once(fresh, level, self._secret)
        elif response.is_success:
            from .errors import ResponseValidationError

            distinct = _distinct(result.findings)
            named = "; ".join(f.message(self._secret) for f in distinct[:_STRICT_SHOWN])
            if len(distinct) > _STRICT_SHOWN:
                named += f"; and {len(distinct) - _STRICT_SHOWN} more"
            raise ResponseValidationError(
                response, f"the response does not conform to the spec ({named})"
            )

    def _keep(
        self, operation_id: str, raw: Iterable[tuple[str, str, str, str, Any]]
    ) -> list[ConformanceFinding]:
        """The findings not kept before, now kept (up to `MAX_FINDINGS`)."""
        fresh = []
        for kind, where, *rest in raw:
            key = (operation_id, kind, _location(where))
            if key not in self._findings:
                with self._lock:
                    if key not in self._findings and len(self._findings) < MAX_FINDINGS:
                        finding = ConformanceFinding(operation_id, kind, where, *rest)
                        finding = finding.scrubbed(self._secret)
                        self._findings[key] = finding
                        fresh.append(finding)
        return fresh


def _reuse_json(response: httpx.Response, value: Any) -> None:
    """Let `response.json()` return what was decoded here, instead of decoding the body again
    (the generated parsers call it right after this hook; on a page of 100 orders that decode
    costs as much as the whole check)."""
    decode = response.json

    def json_(**kwargs: Any) -> Any:
        return decode(**kwargs) if kwargs else value

    response.__dict__["json"] = json_


def _distinct(findings: Iterable[ConformanceFinding]) -> list[ConformanceFinding]:
    seen: dict[tuple[str, str, str], ConformanceFinding] = {}
    for finding in findings:
        seen.setdefault(finding.key, finding)
    return list(seen.values())


def _log_once(
    findings: Iterable[ConformanceFinding], level: int = logging.WARNING, secret: str | None = None
) -> None:
    fresh = []
    full = False
    with _logged_lock:
        for finding in _distinct(findings):
            if finding.key in _logged:
                continue
            if len(_logged) >= MAX_LOGGED:
                full = True
                break
            _logged.add(finding.key)
            fresh.append(finding)
            if len(_logged) == MAX_LOGGED:
                full = True  # said once: later findings find the set full and say nothing
    for finding in fresh:
        logger.log(level, "response differs from the spec: %s", finding.message(secret))
    if full and fresh:
        logger.log(
            level,
            "%d distinct deviations logged: further ones are not logged by this process "
            "(client.conformance keeps up to %d per client)",
            MAX_LOGGED,
            MAX_FINDINGS,
        )
