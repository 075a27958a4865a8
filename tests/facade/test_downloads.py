"""The combined PDF: in memory, or streamed to disk with nothing partial left behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

import cubicasa
from tests.facade.conftest import Backends, Dropped, json_response, run

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4096 + b"\n%%EOF\n"  # about 1 MiB


def pdf(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=PDF, headers={"Content-Type": "application/pdf"})


def test_get_combined_pdf_returns_the_bytes(backends: Backends) -> None:
    client, recorder = backends.sync(pdf)
    assert client.orders.get_combined_pdf("o1") == PDF
    assert recorder.paths == ["/orders/o1/combined-pdf"]


def test_download_writes_the_file_and_reports_progress(backends: Backends, tmp_path: Path) -> None:
    client, recorder = backends.sync(pdf)
    progress: list[tuple[int, int | None]] = []
    target = tmp_path / "plan.pdf"
    result = client.orders.download_combined_pdf(
        "o1", target, progress=lambda done, total: progress.append((done, total))
    )
    assert result == target
    assert target.read_bytes() == PDF
    assert progress[-1] == (len(PDF), len(PDF))
    assert len(progress) > 1  # chunk by chunk, not one read
    assert recorder.requests[0].headers["accept"] == "application/pdf"
    assert list(tmp_path.iterdir()) == [target]


def test_a_download_cut_mid_body_leaves_no_file(backends: Backends, tmp_path: Path) -> None:
    client, _ = backends.sync(lambda r: Dropped(PDF, after=len(PDF) // 3))
    target = tmp_path / "plan.pdf"
    target_before = tmp_path / "kept.pdf"
    target_before.write_bytes(b"old")
    with pytest.raises(cubicasa.APIConnectionError):
        client.orders.download_combined_pdf("o1", target)
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.pdf"]  # no temporary file either


def test_a_cut_download_keeps_an_earlier_file_at_the_path(
    backends: Backends, tmp_path: Path
) -> None:
    client, _ = backends.sync(lambda r: Dropped(PDF, after=100))
    target = tmp_path / "plan.pdf"
    target.write_bytes(b"the previous complete download")
    with pytest.raises(cubicasa.APIConnectionError):
        client.orders.download_combined_pdf("o1", target)
    assert target.read_bytes() == b"the previous complete download"


def test_a_body_that_is_not_a_pdf_is_refused(backends: Backends, tmp_path: Path) -> None:
    client, _ = backends.sync(lambda r: json_response({"url": "https://files.test/plan.pdf"}))
    with pytest.raises(cubicasa.ResponseValidationError, match="PDF"):
        client.orders.download_combined_pdf("o1", tmp_path / "plan.pdf")
    with pytest.raises(cubicasa.ResponseValidationError, match="PDF"):
        client.orders.get_combined_pdf("o1")
    assert list(tmp_path.iterdir()) == []


def test_a_404_download_raises_and_writes_nothing(backends: Backends, tmp_path: Path) -> None:
    client, _ = backends.sync(lambda r: json_response({"message": "no such order"}, 404))
    with pytest.raises(cubicasa.NotFoundError, match="no such order"):
        client.orders.download_combined_pdf("o1", tmp_path / "plan.pdf")
    assert list(tmp_path.iterdir()) == []


def test_async_download_and_cut(backends: Backends, tmp_path: Path) -> None:
    good, _ = backends.async_(pdf)
    cut, _ = backends.async_(lambda r: Dropped(PDF, after=1000))

    async def main() -> Any:
        async with good, cut:
            path = await good.orders.download_combined_pdf("o1", tmp_path / "a.pdf")
            data = await good.orders.get_combined_pdf("o1")
            with pytest.raises(cubicasa.APIConnectionError):
                await cut.orders.download_combined_pdf("o1", tmp_path / "b.pdf")
            return path, data

    path, data = run(main())
    assert path.read_bytes() == PDF
    assert data == PDF
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf"]


def test_a_directory_or_missing_folder_is_refused(tmp_path: Path) -> None:
    with cubicasa.CubiCasa(api_key="k") as client:
        with pytest.raises(IsADirectoryError):
            client.orders.download_combined_pdf("o1", tmp_path)
        with pytest.raises(FileNotFoundError):
            client.orders.download_combined_pdf("o1", tmp_path / "missing" / "x.pdf")
