"""Conformance: how far the API's answers match the spec. `ConformanceFinding` (one deviation,
`_finding`), the modes and each client's findings (`_mode`), the spec's responses per operation
(`_spec`) and the checks they compile to (`_checks`)."""

from ._finding import KINDS, ConformanceFinding
from ._mode import ENV, MODES

__all__ = ["ENV", "KINDS", "MODES", "ConformanceFinding"]
