"""What a download may write over: a new file or a regular file the user may write. A device,
FIFO or socket at the path is refused (it used to be replaced by a regular file), and so is a
read-only file; nothing is sent, nothing is left beside the target."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from cubicasa.cli import main
from tests.hostile import KEY, MODES, PDF, call
from tests.hostile.server import answer, serve

PDF_ANSWER = answer(200, PDF, Content_Type="application/pdf")


def _download(mode: str, base_url: str, target: Path) -> object:
    return call(mode, base_url, lambda c: c.orders.download_combined_pdf("o-1", target))


@pytest.mark.parametrize("mode", MODES)
def test_a_fifo_at_the_path_is_refused_and_kept(mode: str, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with serve(PDF_ANSWER) as server:
        with pytest.raises(OSError, match="not a regular file") as caught:
            _download(mode, server.base_url, fifo)
        assert server.count == 0
    assert caught.value.filename == str(fifo)
    assert fifo.is_fifo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


@pytest.fixture
def device(tmp_path: Path) -> Iterator[Path]:
    """A character device: a null device made in `tmp_path` (root), else this test's own pty."""
    path = tmp_path / "null"
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        leader, follower = os.openpty()
        yield Path(os.ttyname(follower))
        os.close(leader)
        os.close(follower)
        return
    yield path


@pytest.mark.parametrize("mode", MODES)
def test_a_character_device_at_the_path_is_refused(mode: str, device: Path) -> None:
    with serve(PDF_ANSWER) as server:
        with pytest.raises(OSError, match="not a regular file"):
            _download(mode, server.base_url, device)
        assert server.count == 0
    assert device.is_char_device()


def test_a_socket_at_the_path_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    try:
        with serve(PDF_ANSWER) as server, pytest.raises(OSError, match="not a regular file"):
            _download("sync", server.base_url, path)
    finally:
        listener.close()
    assert path.is_socket()


@pytest.mark.parametrize("mode", MODES)
def test_a_read_only_file_is_refused_not_replaced(mode: str, tmp_path: Path) -> None:
    target = tmp_path / "plan.pdf"
    target.write_bytes(b"keep me")
    target.chmod(0o444)
    with serve(PDF_ANSWER) as server:
        with pytest.raises(PermissionError, match="read-only"):
            _download(mode, server.base_url, target)
        assert server.count == 0
    assert target.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.pdf"]


@pytest.mark.parametrize("mode", MODES)
def test_a_writable_regular_file_is_still_replaced(mode: str, tmp_path: Path) -> None:
    target = tmp_path / "plan.pdf"
    target.write_bytes(b"old")
    with serve(PDF_ANSWER) as server:
        _download(mode, server.base_url, target)
    assert target.read_bytes() == PDF


def test_the_command_line_refuses_a_device(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], device: Path
) -> None:
    with serve(PDF_ANSWER) as server:
        monkeypatch.setenv("CUBICASA_API_KEY", KEY)
        monkeypatch.setenv("CUBICASA_BASE_URL", server.base_url)
        code = main(["orders", "pdf", "o-1", "--output", str(device)])
        assert server.count == 0
    assert code != 0
    assert "not a regular file" in capsys.readouterr().err
    assert device.is_char_device()
