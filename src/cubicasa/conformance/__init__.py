"""Conformance: how far the API's answers match the spec. `ConformanceFinding` (one deviation),
the modes and each client's findings (`_mode`), the spec's responses per operation (`_spec`) and
the checks they compile to (`_checks`)."""

from ._finding import KINDS, ConformanceFinding
from ._mode import ENV, MAX_FINDINGS, MAX_LOGGED, MODES, Conformance, Mode, resolve_mode
from ._spec import Checker, CheckResult, checker, is_json

__all__ = [
    "ENV",
    "KINDS",
    "MAX_FINDINGS",
    "MAX_LOGGED",
    "MODES",
    "CheckResult",
    "Checker",
    "Conformance",
    "ConformanceFinding",
    "Mode",
    "checker",
    "is_json",
    "resolve_mode",
]
