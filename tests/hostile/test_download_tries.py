"""A download's tries, whatever mix of failures (a 5xx, a body cut off, in any order): one
budget of 1 + max_retries requests in all (see also test_download_budget.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cubicasa import APIConnectionError, InternalServerError, _retry
from tests.hostile import MODES, PDF, call
from tests.hostile.server import answer, head, sequence, serve

BAD_GATEWAY = answer(502, b"<h1>bad gateway</h1>", Content_Type="text/html")


@pytest.fixture(autouse=True)
def _no_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    async def none(seconds: float) -> None:
        return None

    monkeypatch.setattr(_retry, "sleep", lambda seconds: None)
    monkeypatch.setattr(_retry, "asleep", none)


def _pdf_cut(conn: Any, request: Any) -> None:
    conn.sendall(head(200, {"Content-Type": "application/pdf", "Content-Length": len(PDF)}))
    conn.sendall(PDF[:100])
    conn.shutdown(2)
    raise OSError("cut")


MIXES = {
    "502, cut, 502 ...": [BAD_GATEWAY, _pdf_cut, BAD_GATEWAY],
    "cut, 502, cut ...": [_pdf_cut, BAD_GATEWAY, _pdf_cut],
    "cut every time": [_pdf_cut],
    "502 every time": [BAD_GATEWAY],
}


@pytest.mark.parametrize("mix", list(MIXES))
@pytest.mark.parametrize("mode", MODES)
def test_a_download_makes_three_tries_in_all(mode: str, mix: str, tmp_path: Path) -> None:
    target = tmp_path / "plan.pdf"
    with serve(sequence(*MIXES[mix])) as server:
        with pytest.raises((InternalServerError, APIConnectionError)):
            call(mode, server.base_url, lambda c: c.orders.download_combined_pdf("o-1", target))
        assert server.count == 3
    assert list(tmp_path.iterdir()) == []  # no file, no temporary file


@pytest.mark.parametrize("mode", MODES)
def test_max_retries_sets_the_whole_budget(mode: str, tmp_path: Path) -> None:
    with serve(sequence(_pdf_cut, BAD_GATEWAY)) as server:
        with pytest.raises(InternalServerError):
            call(
                mode,
                server.base_url,
                lambda c: c.orders.download_combined_pdf("o-1", tmp_path / "p.pdf"),
                max_retries=4,
            )
        assert server.count == 5
