"""Without opentelemetry-api, nothing of OpenTelemetry is imported and calls work; with it and
no tracer provider set, no span is made."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from cubicasa import _observe

# Runs in a fresh interpreter where `opentelemetry` cannot be found (a finder refuses it).
SCRIPT = textwrap.dedent(
    """
    import importlib.abc, sys

    class NoOpenTelemetry(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "opentelemetry" or name.startswith("opentelemetry."):
                raise ModuleNotFoundError(name)
            return None

    sys.meta_path.insert(0, NoOpenTelemetry())
    import httpx
    from cubicasa import CubiCasa

    body = {"profile": {"name": "Agency", "email": None}}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
    with CubiCasa(
        "k", base_url="http://127.0.0.1:9/v3", http_client=httpx.Client(transport=transport)
    ) as client:
        assert client.company.get().profile.name == "Agency"
    assert not [m for m in sys.modules if m.startswith("opentelemetry")], "imported"
    print("ok")
    """
)


@pytest.mark.slow  # a subprocess
def test_without_opentelemetry_nothing_of_it_is_imported() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_installed_without_a_tracer_provider_records_nothing() -> None:
    from opentelemetry import trace  # the [otel] extra, installed for the tests

    assert _observe.otel() is trace
    assert not _observe.recording(trace)
