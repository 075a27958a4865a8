"""Retry waits are recorded, not slept: a hostile case that retries twice would otherwise sleep
0.5 s and 1 s of back-off each time. Tests that care assert the recorded waits (`waits`)."""

from __future__ import annotations

import pytest

from cubicasa import _transport


@pytest.fixture(autouse=True)
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The back-off waits the client asked for, in order (sync and async clients alike)."""
    waited: list[float] = []

    async def asleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(_transport, "sleep", waited.append)
    monkeypatch.setattr(_transport, "asleep", asleep)
    return waited
