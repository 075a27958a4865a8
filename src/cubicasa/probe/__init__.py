"""`cubicasa probe` as a library: `run_probe()` calls the API's read-only operations (and, on
request, a self-cleaning draft cycle) and checks each answer (`_run`); what it found (`_results`);
the reports (`_report`); and the spec patch a run suggests (`_spec_patch`). The command line
(`cubicasa.cli.probe`) only parses options."""

from ._report import OUTCOMES, exit_status, report_json, report_markdown, write_cycle_summary
from ._results import OperationResult, ProbeError, ProbeReport, WriteCycle
from ._run import run_probe
from ._spec_patch import SPEC_PATH, spec_patch

__all__ = [
    "OUTCOMES",
    "SPEC_PATH",
    "OperationResult",
    "ProbeError",
    "ProbeReport",
    "WriteCycle",
    "exit_status",
    "report_json",
    "report_markdown",
    "run_probe",
    "spec_patch",
    "write_cycle_summary",
]
