"""A downloaded PDF has the permissions a file the user creates would have: 0666 less the umask
for a new file (not the temporary file's 0600), the old mode for a file it replaces."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.facade.conftest import Backends, run

PDF = b"%PDF-1.7\n" + b"x" * 1000 + b"\n%%EOF\n"


def pdf(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=PDF, headers={"Content-Type": "application/pdf"})


@pytest.fixture
def umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask")
def test_a_new_download_respects_the_umask(backends: Backends, tmp_path: Path) -> None:
    client, _ = backends.sync(pdf)
    target = client.orders.download_combined_pdf("o1", tmp_path / "plan.pdf")
    assert mode(target) == 0o644
    os.umask(0o027)
    other = client.orders.download_combined_pdf("o1", tmp_path / "other.pdf")
    assert mode(other) == 0o640


@pytest.mark.usefixtures("umask")
def test_a_replaced_file_keeps_its_mode(backends: Backends, tmp_path: Path) -> None:
    client, _ = backends.sync(pdf)
    target = tmp_path / "plan.pdf"
    target.write_bytes(b"old")
    target.chmod(0o604)
    client.orders.download_combined_pdf("o1", target)
    assert target.read_bytes() == PDF
    assert mode(target) == 0o604


@pytest.mark.usefixtures("umask")
def test_an_async_download_respects_the_umask(backends: Backends, tmp_path: Path) -> None:
    client, _ = backends.async_(pdf)

    async def go() -> Path:
        async with client:
            return await client.orders.download_combined_pdf("o1", tmp_path / "plan.pdf")

    assert mode(run(go())) == 0o644
