"""A download shares one retry budget between its tries and its restarts: with `max_retries=2`,
a 503, then two bodies that break off, is three requests and an error, not three restarts of up
to three tries each."""

from __future__ import annotations

from pathlib import Path

import pytest

import cubicasa
from tests.hostile import MODES, PDF, call
from tests.hostile.server import answer, cut, sequence, serve


@pytest.fixture(autouse=True)
def _no_real_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waited: list[float] = []

    async def asleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(cubicasa._retry, "sleep", waited.append)
    monkeypatch.setattr(cubicasa._retry, "asleep", asleep)
    return waited


@pytest.mark.parametrize("mode", MODES)
def test_tries_and_restarts_of_a_download_count_against_one_budget(
    mode: str, tmp_path: Path
) -> None:
    half = len(PDF) // 2
    script = sequence(
        answer(503, b'{"message": "busy"}'), cut(200, PDF, after=half), cut(200, PDF, after=half)
    )
    with serve(script) as server:
        with pytest.raises(cubicasa.APIConnectionError, match="after 3 tries"):
            call(
                mode,
                server.base_url,
                lambda c: c.orders.download_combined_pdf("o-1", tmp_path / "p.pdf"),
            )
        assert server.count == 3
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mode", MODES)
def test_a_download_restarted_within_the_budget_completes(mode: str, tmp_path: Path) -> None:
    script = sequence(answer(503, b'{"message": "busy"}'), cut(200, PDF, after=9), answer(200, PDF))
    with serve(script) as server:
        call(
            mode,
            server.base_url,
            lambda c: c.orders.download_combined_pdf("o-1", tmp_path / "p.pdf"),
        )
        assert server.count == 3
    assert (tmp_path / "p.pdf").read_bytes() == PDF
