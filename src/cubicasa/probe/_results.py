"""What a probe run found: one `OperationResult` per operation, the `--write` cycle's
`WriteCycle`, the whole `ProbeReport`, and the `ProbeError` raised when it cannot run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..conformance import ConformanceFinding
from ..errors import CubiCasaError

__all__ = ["OperationResult", "ProbeError", "ProbeReport", "WriteCycle"]


class ProbeError(CubiCasaError):
    """The probe could not run at all (no key, base URL unreachable, 401, production refused)."""


@dataclass
class OperationResult:
    """How one operation answered."""

    operation_id: str
    method: str
    path: str
    evidence: str
    outcome: str = "skipped"
    status: int | None = None
    reason: str = ""
    findings: list[ConformanceFinding] = field(default_factory=list)
    calls: int = 0
    found: set[tuple[str, str, str]] = field(default_factory=set, repr=False)

    def add(self, finding: ConformanceFinding) -> None:
        """Keep `finding` unless one with its key (operation, kind, location) is already kept."""
        if finding.key not in self.found:
            self.found.add(finding.key)
            self.findings.append(finding)


@dataclass
class WriteCycle:
    """What the `--write` cycle made in the account, and whether it cleaned up after itself."""

    created: list[str] = field(default_factory=list)
    """IDs of the drafts it created (as the create answers gave them)."""
    deleted: list[str] = field(default_factory=list)
    """IDs of those it deleted again."""
    left_behind: list[str] = field(default_factory=list)
    """IDs of drafts it created and could not delete: delete them by hand."""
    uncertain: str = ""
    """Set when a create may have made a draft whose ID the probe does not know."""

    @property
    def clean(self) -> bool:
        """Nothing is left in the account (as far as the answers tell)."""
        return not self.left_behind and not self.uncertain


@dataclass
class ProbeReport:
    """A whole run: one result per operation of the spec, by operationId."""

    base_url: str
    spec_sha256: str
    date: str
    operations: list[OperationResult]
    # For the spec patch: values of open value lists and unknown fields, by spec place.
    observed: dict[str, list[Any]] = field(default_factory=dict)
    unknown: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    unknown_values: dict[str, list[Any]] = field(default_factory=dict)
    write_cycle: WriteCycle | None = None

    def result(self, operation_id: str) -> OperationResult:
        for result in self.operations:
            if result.operation_id == operation_id:
                return result
        raise KeyError(operation_id)
