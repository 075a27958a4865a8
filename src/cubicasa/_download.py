"""Where a download goes: chunk by chunk into a temporary file beside the target, renamed into
place only once the body is complete, so a dropped connection leaves nothing at the path. The
request loop (`_base_client`) sends, restarts and checks the download's rate and decoded size
(`_body.DownloadStream`); this module only writes."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from .errors import ResponseValidationError

Progress = Callable[[int, int | None], None]
CHUNK_SIZE = 256 * 1024
PDF_MAGIC = b"%PDF-"


class Sink:
    """The temporary file, its byte count, and the check that the body is a PDF."""

    def __init__(self, target: Path, progress: Progress | None) -> None:
        self.target = target
        self.progress = progress
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        self.tmp = Path(name)
        self.file = os.fdopen(fd, "wb")
        self.done = 0
        self.head = b""

    def start(self, response: httpx.Response) -> None:
        self.response = response
        length = response.headers.get("content-length", "")
        self.total = int(length) if length.isdigit() else None

    def write(self, chunk: bytes) -> None:
        if len(self.head) < len(PDF_MAGIC):
            self.head += chunk[: len(PDF_MAGIC)]
            if len(self.head) >= len(PDF_MAGIC) and not self.head.startswith(PDF_MAGIC):
                start = chunk[:300].decode("utf-8", "replace")
                raise ResponseValidationError(self.response, "expected a PDF document", start)
        self.file.write(chunk)
        self.done += len(chunk)
        if self.progress is not None:
            self.progress(self.done, self.total)

    def finish(self) -> Path:
        if not self.head.startswith(PDF_MAGIC):
            start = self.head.decode("utf-8", "replace")
            raise ResponseValidationError(self.response, "expected a PDF document", start)
        # mkstemp makes the file 0600; give it the mode `open(target, "wb")` would have.
        os.fchmod(self.file.fileno(), _mode_for(self.target))
        self.file.close()
        os.replace(self.tmp, self.target)
        return self.target

    def restart(self) -> None:
        """Empty the temporary file for another try (progress starts again from 0)."""
        self.file.seek(0)
        self.file.truncate()
        self.done = 0
        self.head = b""

    def discard(self) -> None:
        self.file.close()
        with contextlib.suppress(FileNotFoundError):
            self.tmp.unlink()


def _umask() -> int:
    """The process's umask, read without changing it where the system shows it (Linux): setting
    it to read it back would briefly affect files other threads create."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    current = os.umask(0o022)
    os.umask(current)
    return current


def _mode_for(target: Path) -> int:
    """An existing file keeps its permissions (as when it is overwritten in place); a new one gets
    0666 less the umask, as any file the user creates."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_umask()


def target_of(path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a directory: give the file path to write")
    if not target.parent.is_dir():
        raise FileNotFoundError(f"{target.parent} does not exist")
    return target


def streamed_request(request: dict[str, Any]) -> dict[str, Any]:
    """The request of a download, asking for the body uncompressed (a PDF barely compresses; an
    identity body cannot inflate into a bomb)."""
    headers = {
        **request.get("headers", {}),
        "Accept": "application/pdf",
        "Accept-Encoding": "identity",
    }
    return {**request, "headers": headers}
