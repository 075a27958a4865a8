"""Conformance as the client runs: the findings (`ConformanceFinding`), the modes
(`conformance=`, `CUBICASA_CONFORMANCE`), each client's findings so far, and the one log line per
distinct deviation per process.

Which responses deviate is decided by `_spec` (the spec's responses, per operation) with the
checks of `_checks`; a finding is a `_finding.ConformanceFinding`. Stricter than JSON Schema on
purpose: a key not under
`properties` is an `unknown_field` even where `additionalProperties: true`, a value outside the
enum branch of `anyOf: [enum, string]` is an `unknown_value`, and a status matched only by
`default` is an `undocumented_status`. Findings never hold a value from the response unless the
caller asks for them (the probe's `--show-values`).

What is kept is bounded, whatever a server sends: a client keeps at most `MAX_FINDINGS` distinct
findings and the process logs at most `MAX_LOGGED` distinct lines (then one line saying so).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final, Literal

from ._finding import ConformanceFinding, location_of
from ._spec import CheckResult, checker

if TYPE_CHECKING:
    import httpx


__all__ = [
    "ENV",
    "MAX_FINDINGS",
    "MAX_LOGGED",
    "MODES",
    "Conformance",
    "Mode",
    "resolve_mode",
]

ENV: Final = "CUBICASA_CONFORMANCE"
MODES: Final = ("off", "log", "strict")
Mode = Literal["off", "log", "strict"]
# Distinct findings one client keeps, and distinct deviations one process logs. A server that
# sends a new unknown field name in every answer makes a new distinct finding each time: past
# these caps, further new ones are dropped (the process logs that once), so memory stays bounded.
MAX_FINDINGS: Final = 1000
MAX_LOGGED: Final = 1000

logger = logging.getLogger("cubicasa.conformance")

_UNSEEN: Any = object()


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
    """One client's conformance: its mode, and the distinct findings so far (at most
    `MAX_FINDINGS`). The request loop checks each answer (`_spec.Checker.check`) and calls
    `note` only when the check found something."""

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

    def operation_for(self, request: httpx.Request) -> str | None:
        """The operationId a request to any path is (for `request()`; the API's own calls know
        theirs), or None when no path of the spec matches."""
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

    def note(self, result: CheckResult, response: httpx.Response) -> None:
        """Keep and log (or, in strict mode, raise for a 2xx) what a check of `response` found."""
        operation_id = result.operation_id
        fresh = self._keep(operation_id, result.run.raw)
        if self.mode == "log":
            if fresh:
                # An error answer's deviations are notes (strict ignores them too), logged below
                # WARNING so that a failed call does not print more than its error.
                level = logging.WARNING if response.is_success else logging.INFO
                _log_once(fresh, level, self._secret)
        elif response.is_success:
            from ..errors import ResponseValidationError

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
            key = (operation_id, kind, location_of(where))
            if key not in self._findings:
                with self._lock:
                    if key not in self._findings and len(self._findings) < MAX_FINDINGS:
                        finding = ConformanceFinding(operation_id, kind, where, *rest)
                        self._findings[key] = finding
                        fresh.append(finding)
        return fresh


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
