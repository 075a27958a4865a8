"""The local package index for `make publish` without `PUBLISH_URL`: a pypiserver on
127.0.0.1:$INDEX_PORT (8765) serving $INDEX_DIR (.index/), with upload authentication and
credentials made on first use (file mode 0600), seeded with the runtime dependencies' wheels so
a downstream install needs nothing else.

    python scripts/local_index.py start | stop | dependency-wheels
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
WHEELS_CACHE = ROOT / ".cache" / "dependency-wheels"


def find_uv() -> str:
    """The uv that `make` found or installed (the Makefile exports UV), else uv on PATH, else
    the private copy the Makefile installs into .tools/ (as when the tests run without make)."""
    found = os.environ.get("UV") or shutil.which("uv")
    if found:
        return found
    private = ROOT / ".tools" / "bin" / "uv"
    return str(private) if private.exists() else "uv"


UV = find_uv()


class IndexFailed(Exception):
    """The local index could not be started."""


def say(message: str) -> None:
    print(f"release: {message}", flush=True)


def folder() -> Path:
    return Path(os.environ.get("INDEX_DIR", ROOT / ".index")).resolve()


def port() -> int:
    return int(os.environ.get("INDEX_PORT", "8765"))


def credentials(where: Path) -> tuple[str, str]:
    """The local index's upload credentials, made on first use (file mode 0600)."""
    with warnings.catch_warnings():  # passlib imports the deprecated `crypt` module
        warnings.simplefilter("ignore", DeprecationWarning)
        from passlib.apache import HtpasswdFile

    where.mkdir(parents=True, exist_ok=True)
    stored = where / "credentials.json"
    if not stored.exists():
        data = {"username": "publisher", "password": secrets.token_urlsafe(24)}
        descriptor = os.open(stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(data, handle)
        htpasswd = HtpasswdFile(str(where / "htpasswd"), new=True)
        htpasswd.set_password(data["username"], data["password"])
        htpasswd.save()
        os.chmod(where / "htpasswd", 0o600)
    data = json.loads(stored.read_text())
    return data["username"], data["password"]


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


_started: list[subprocess.Popen[bytes]] = []


def start(where: Path, on_port: int) -> str:
    """Start pypiserver on 127.0.0.1:on_port serving where/packages, unless it already runs;
    returns its URL."""
    url = f"http://127.0.0.1:{on_port}"
    credentials(where)
    if _answers(url + "/simple/"):
        if not _ours(where):
            raise IndexFailed(
                f"an index already answers on 127.0.0.1:{on_port} that this checkout did not start"
                " (another checkout's?): stop it there (`make index-stop`), or pick another port"
                " with INDEX_PORT=..."
            )
        return url
    packages = where / "packages"
    packages.mkdir(parents=True, exist_ok=True)
    server = Path(sys.executable).parent / "pypi-server"
    log = open(where / "server.log", "ab")  # noqa: SIM115 - handed to the server process
    process = subprocess.Popen(
        [str(server) if server.exists() else "pypi-server", "run",
         "--host", "127.0.0.1", "--port", str(on_port),
         "--passwords", str(where / "htpasswd"), "--authenticate", "update",
         "--disable-fallback", str(packages)],
        stdout=log,
        stderr=log,
        start_new_session=True,
    )  # fmt: skip
    log.close()  # the server has its own copy of the descriptor
    _started.append(process)  # it outlives this call on purpose: keep it from being collected
    (where / "server.pid").write_text(str(process.pid))
    deadline = time.monotonic() + 20
    while not _answers(url + "/simple/"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise IndexFailed(f"the local index did not start; see {where / 'server.log'}")
        time.sleep(0.1)
    say(f"local index running at {url} (packages in {packages})")
    return url


def _ours(where: Path) -> bool:
    """Whether the index this checkout started (its pid in `where`) is still running."""
    pid_file = where / "server.pid"
    if not pid_file.exists():
        return False
    try:
        os.kill(int(pid_file.read_text()), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def running(on_port: int) -> bool:
    """Whether an index answers on 127.0.0.1:on_port."""
    return _answers(f"http://127.0.0.1:{on_port}/simple/")


def stop(where: Path) -> None:
    pid_file = where / "server.pid"
    if not pid_file.exists():
        say("no local index to stop")
        return
    pid = int(pid_file.read_text())
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    for process in [p for p in _started if p.pid == pid]:
        process.wait(timeout=10)
        _started.remove(process)
    pid_file.unlink()
    say(f"local index (pid {pid}) stopped")


def dependency_wheels() -> Path:
    """Wheels of the runtime dependencies and the [cli] and [testing] extras' (from uv.lock): the
    index serves only what is in it, so a downstream install needs them there. Cached per lock
    file."""
    extras = b"[cli][testing]"
    lock = hashlib.sha256((ROOT / "uv.lock").read_bytes() + extras).hexdigest()[:16]
    cache = WHEELS_CACHE / lock
    if (cache / "done").exists():
        return cache
    cache.mkdir(parents=True, exist_ok=True)
    requirements = subprocess.run(
        [UV, "export", "--quiet", "--frozen", "--no-dev", "--extra", "cli", "--extra", "testing",
         "--no-emit-project",
         "--no-hashes", "--format", "requirements.txt", "--directory", str(ROOT)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    listed = cache / "requirements.txt"
    listed.write_text(requirements)
    pip = shutil.which("python3") or sys.executable
    subprocess.run(
        [pip, "-m", "pip", "download", "--isolated", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--only-binary=:all:", "-r", str(listed), "-d", str(cache)],
        check=True,
    )  # fmt: skip
    (cache / "done").write_text("")
    return cache


def seed(where: Path) -> None:
    """Copy the runtime dependencies' wheels into the index."""
    packages = where / "packages"
    for wheel in dependency_wheels().glob("*.whl"):
        target = packages / wheel.name
        if not target.exists():
            shutil.copy2(wheel, target)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "start":
        start(folder(), port())
    elif command == "stop":
        stop(folder())
    elif command == "dependency-wheels":
        say(f"dependency wheels in {dependency_wheels()}")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
