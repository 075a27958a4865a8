"""The release loop: compare APIs, pick the version, build, check, publish, install downstream.

    python scripts/release.py publish        # make publish
    python scripts/release.py api-diff       # make api-diff
    python scripts/release.py bump           # make bump
    python scripts/release.py index-start | index-stop
    python scripts/release.py dependency-wheels

Where `publish` uploads: `PUBLISH_URL` (with `PUBLISH_USERNAME` + `PUBLISH_PASSWORD`, or
`PUBLISH_TOKEN`, from the environment; or `PUBLISH_USE_KEYRING=1` for keyring), installing from
`PUBLISH_INDEX_URL` (default: PUBLISH_URL + /simple/). Without `PUBLISH_URL`: a local pypiserver on
127.0.0.1:$INDEX_PORT (8765) serving $INDEX_DIR (.index/), with upload authentication and
credentials made on first use. Credentials never go on a command line or into a log.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
VERSION_FILE = ROOT / "src" / "cubicasa" / "_version.py"
SPEC = ROOT / "openapi" / "cubicasa-integrate-v3.yaml"
CHANGELOG = ROOT / "CHANGELOG.md"
DISTRIBUTION = "cubicasa-integrate"
PACKAGES = ("cubicasa", "cubicasa_api", "cubicasa_webhook_models")
WHEELS_CACHE = ROOT / ".cache" / "dependency-wheels"
SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
# The uv that `make` found or installed (the Makefile exports UV); plain "uv" otherwise.
UV = os.environ.get("UV") or shutil.which("uv") or "uv"


class Refused(Exception):
    """A release step said no; the message says why. Nothing was uploaded."""


def say(message: str) -> None:
    print(f"release: {message}", flush=True)


def run(*args: str, env: Mapping[str, str] | None = None, quiet: bool = False) -> str:
    """Run a command; on failure raise Refused with its output (commands hold no secrets)."""
    done = subprocess.run(
        args, capture_output=True, text=True, env=dict(env) if env else None, check=False
    )
    if done.returncode != 0:
        raise Refused(f"`{' '.join(args[:3])} ...` failed:\n{done.stdout}{done.stderr}".rstrip())
    if not quiet and done.stdout.strip():
        print(done.stdout.rstrip())
    return done.stdout


def tool(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


# ----- versions -------------------------------------------------------------------------------


def current_version() -> str:
    found = re.search(r'__version__ = "([^"]+)"', VERSION_FILE.read_text(encoding="utf-8"))
    if not found or not SEMVER.match(found[1]):
        raise Refused(f'{VERSION_FILE.relative_to(ROOT)} must set __version__ = "X.Y.Z"')
    return found[1]


def parse(version: str) -> tuple[int, int, int]:
    match = SEMVER.match(version)
    if not match:
        raise Refused(f"{version!r} is not a semantic version X.Y.Z")
    return int(match[1]), int(match[2]), int(match[3])


def bumped(version: str, kind: str) -> str:
    major, minor, patch = parse(version)
    if kind == "major":
        return f"{major + 1}.0.0"
    if kind == "minor":
        return f"{major}.{minor + 1}.0"
    if kind == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return version


# ----- the index ------------------------------------------------------------------------------


@dataclasses.dataclass
class Index:
    """Where to upload, where to install from, and with which credentials."""

    upload_url: str
    simple_url: str
    username: str | None
    password: str | None = dataclasses.field(repr=False)
    local: bool

    def auth(self) -> tuple[str, str] | None:
        return (self.username, self.password) if self.username and self.password else None

    def twine_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TWINE_")}
        if self.username:
            env["TWINE_USERNAME"] = self.username
        if self.password:
            env["TWINE_PASSWORD"] = self.password
        return env


def index_dir() -> Path:
    return Path(os.environ.get("INDEX_DIR", ROOT / ".index")).resolve()


def index_port() -> int:
    return int(os.environ.get("INDEX_PORT", "8765"))


def local_credentials(folder: Path) -> tuple[str, str]:
    """The local index's upload credentials, made on first use (file mode 0600)."""
    with warnings.catch_warnings():  # passlib imports the deprecated `crypt` module
        warnings.simplefilter("ignore", DeprecationWarning)
        from passlib.apache import HtpasswdFile

    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / "credentials.json"
    if not stored.exists():
        data = {"username": "publisher", "password": secrets.token_urlsafe(24)}
        descriptor = os.open(stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(data, handle)
        htpasswd = HtpasswdFile(str(folder / "htpasswd"), new=True)
        htpasswd.set_password(data["username"], data["password"])
        htpasswd.save()
        os.chmod(folder / "htpasswd", 0o600)
    data = json.loads(stored.read_text())
    return data["username"], data["password"]


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


_started: list[subprocess.Popen[bytes]] = []


def start_local_index(folder: Path, port: int) -> str:
    """Start pypiserver on 127.0.0.1:port serving folder/packages, unless it already runs."""
    url = f"http://127.0.0.1:{port}"
    local_credentials(folder)
    if _answers(url + "/simple/"):
        return url
    packages = folder / "packages"
    packages.mkdir(parents=True, exist_ok=True)
    log = open(folder / "server.log", "ab")  # noqa: SIM115 - handed to the server process
    process = subprocess.Popen(
        [
            tool("pypi-server"),
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--passwords",
            str(folder / "htpasswd"),
            "--authenticate",
            "update",
            "--disable-fallback",
            str(packages),
        ],
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    log.close()  # the server has its own copy of the descriptor
    _started.append(process)  # it outlives this call on purpose: keep it from being collected
    (folder / "server.pid").write_text(str(process.pid))
    deadline = time.monotonic() + 20
    while not _answers(url + "/simple/"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise Refused(f"the local index did not start; see {folder / 'server.log'}")
        time.sleep(0.1)
    say(f"local index running at {url} (packages in {packages})")
    return url


def stop_local_index(folder: Path) -> None:
    pid_file = folder / "server.pid"
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


def resolve_index() -> Index:
    """The target index from the environment; refuses a real index without credentials."""
    url = os.environ.get("PUBLISH_URL")
    if not url:
        folder = index_dir()
        base = start_local_index(folder, index_port())
        username, password = local_credentials(folder)
        return Index(base + "/", base + "/simple/", username, password, local=True)
    simple = os.environ.get("PUBLISH_INDEX_URL") or url.rstrip("/") + "/simple/"
    token = os.environ.get("PUBLISH_TOKEN")
    user = "__token__" if token else os.environ.get("PUBLISH_USERNAME")
    secret = token or os.environ.get("PUBLISH_PASSWORD")
    if not (user and secret) and os.environ.get("PUBLISH_USE_KEYRING") != "1":
        raise Refused(
            "PUBLISH_URL is set but no credentials: set PUBLISH_USERNAME and PUBLISH_PASSWORD, or "
            "PUBLISH_TOKEN, in the environment (or PUBLISH_USE_KEYRING=1 to use keyring)"
        )
    return Index(url, simple, user, secret, local=False)


def released_versions(index: Index) -> list[str]:
    """Versions of the distribution on the index, oldest first."""
    response = httpx.get(
        index.simple_url + DISTRIBUTION + "/", auth=index.auth(), timeout=30, follow_redirects=True
    )
    if response.status_code == 404:
        return []
    response.raise_for_status()
    pattern = re.compile(r"cubicasa[-_]integrate-(\d+\.\d+\.\d+)(?:\.tar\.gz|-py3)")
    return sorted(set(pattern.findall(response.text)), key=parse)


def fetch_sdist(index: Index, version: str, into: Path) -> Path:
    """Download and unpack the sdist of `version`; returns the unpacked tree."""
    page = httpx.get(
        index.simple_url + DISTRIBUTION + "/", auth=index.auth(), timeout=30, follow_redirects=True
    )
    links = re.findall(r'href="([^"]+)"', page.text)
    wanted = [
        link
        for link in links
        if re.search(rf"cubicasa[-_]integrate-{re.escape(version)}\.tar\.gz", link)
    ]
    if not wanted:
        raise Refused(f"no sdist of {version} on {index.simple_url}")
    url = str(httpx.URL(index.simple_url + DISTRIBUTION + "/").join(wanted[0].split("#")[0]))
    archive = into / f"{version}.tar.gz"
    archive.write_bytes(
        httpx.get(url, auth=index.auth(), timeout=60, follow_redirects=True)
        .raise_for_status()
        .content
    )
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    (tree,) = [p for p in into.iterdir() if p.is_dir()]
    return tree


# ----- what changed ---------------------------------------------------------------------------


@dataclasses.dataclass
class Diff:
    breaking: list[str] = dataclasses.field(default_factory=list)
    added: list[str] = dataclasses.field(default_factory=list)
    changed: list[str] = dataclasses.field(default_factory=list)

    @property
    def bump(self) -> str:
        if self.breaking:
            return "major"
        if self.added:
            return "minor"
        return "patch"

    def changelog(self) -> str:
        lines = []
        for title, items in (
            ("Breaking", self.breaking),
            ("Added", self.added),
            ("Changed", self.changed),
        ):
            if items:
                lines.append(f"### {title}")
                lines.extend(f"- {item}" for item in items)
                lines.append("")
        return "\n".join(lines) or "### Changed\n- No change to the public API or the spec.\n"


def _public_paths(tree: Path) -> set[str]:
    import griffe

    paths: set[str] = set()
    for package in PACKAGES:
        module = griffe.load(package, search_paths=[tree / "src", tree / "generated"])

        def walk(obj: Any, prefix: str) -> None:
            for name, member in obj.members.items():
                if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
                    continue
                path = f"{prefix}.{name}"
                if member.is_alias:
                    paths.add(path)
                    continue
                paths.add(path)
                if member.is_module or member.is_class:
                    walk(member, path)

        walk(module, package)
    return paths


def python_diff(old: Path, new: Path) -> Diff:
    """Breaking changes (griffe) and additions of the public Python API between two trees."""
    import griffe

    diff = Diff()
    for package in PACKAGES:
        before = griffe.load(package, search_paths=[old / "src", old / "generated"])
        after = griffe.load(package, search_paths=[new / "src", new / "generated"])
        for breakage in griffe.find_breaking_changes(before, after):
            diff.breaking.append(f"Python: {breakage.explain().strip()}")
    added = sorted(_public_paths(new) - _public_paths(old))
    diff.added.extend(f"Python: `{path}`" for path in added)
    return diff


def _operations(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                found[op["operationId"]] = {"method": method.upper(), "path": path, **op}
    return found


def _params(op: dict[str, Any], spec: dict[str, Any]) -> dict[str, bool]:
    result = {}
    for param in op.get("parameters", []):
        if "$ref" in param:
            param = spec["components"]["parameters"][param["$ref"].rsplit("/", 1)[1]]
        result[f"{param['in']}:{param['name']}"] = bool(param.get("required"))
    return result


def spec_diff(old: dict[str, Any], new: dict[str, Any]) -> Diff:
    """Operations, parameters, required fields and schemas added or removed."""
    diff = Diff()
    before, after = _operations(old), _operations(new)
    for op_id in sorted(before.keys() - after.keys()):
        diff.breaking.append(f"spec: operation `{op_id}` removed")
    for op_id in sorted(after.keys() - before.keys()):
        diff.added.append(
            f"spec: operation `{op_id}` ({after[op_id]['method']} {after[op_id]['path']})"
        )
    for op_id in sorted(before.keys() & after.keys()):
        a, b = before[op_id], after[op_id]
        if (a["method"], a["path"]) != (b["method"], b["path"]):
            diff.breaking.append(
                f"spec: `{op_id}` moved from {a['method']} {a['path']} to {b['method']} {b['path']}"
            )
        old_params, new_params = _params(a, old), _params(b, new)
        for name in sorted(old_params.keys() - new_params.keys()):
            diff.breaking.append(f"spec: `{op_id}` parameter `{name}` removed")
        for name in sorted(new_params.keys() - old_params.keys()):
            target = diff.breaking if new_params[name] else diff.added
            kind = "required" if new_params[name] else "optional"
            target.append(f"spec: `{op_id}` {kind} parameter `{name}` added")
        for name in sorted(old_params.keys() & new_params.keys()):
            if new_params[name] and not old_params[name]:
                diff.breaking.append(f"spec: `{op_id}` parameter `{name}` became required")
        if a.get("x-evidence") != b.get("x-evidence"):
            diff.changed.append(
                f"spec: `{op_id}` evidence {a.get('x-evidence')} -> {b.get('x-evidence')}"
            )
    old_schemas = old.get("components", {}).get("schemas", {})
    new_schemas = new.get("components", {}).get("schemas", {})
    for name in sorted(old_schemas.keys() - new_schemas.keys()):
        diff.breaking.append(f"spec: schema `{name}` removed")
    for name in sorted(new_schemas.keys() - old_schemas.keys()):
        diff.added.append(f"spec: schema `{name}` added")
    for name in sorted(old_schemas.keys() & new_schemas.keys()):
        was = set(old_schemas[name].get("required", []))
        now = set(new_schemas[name].get("required", []))
        for field in sorted(now - was):
            diff.breaking.append(f"spec: schema `{name}` field `{field}` became required")
        for field in sorted(was - now):
            diff.changed.append(f"spec: schema `{name}` field `{field}` is no longer required")
        props_before = set(old_schemas[name].get("properties", {}))
        props_after = set(new_schemas[name].get("properties", {}))
        for field in sorted(props_before - props_after):
            diff.breaking.append(f"spec: schema `{name}` field `{field}` removed")
        for field in sorted(props_after - props_before):
            diff.added.append(f"spec: schema `{name}` field `{field}` added")
    return diff


def compare(old: Path, new: Path) -> Diff:
    python = python_diff(old, new)
    spec = spec_diff(
        yaml.safe_load((old / "openapi" / SPEC.name).read_text(encoding="utf-8")),
        yaml.safe_load((new / "openapi" / SPEC.name).read_text(encoding="utf-8")),
    )
    return Diff(
        breaking=python.breaking + spec.breaking,
        added=python.added + spec.added,
        changed=python.changed + spec.changed,
    )


@dataclasses.dataclass
class Plan:
    last: str | None
    diff: Diff | None
    required: str | None  # the lowest acceptable version; None for a first release

    def describe(self) -> str:
        if self.last is None or self.diff is None:
            return "No earlier release on the index: this is the first one."
        return (
            f"Compared with {self.last}: a {self.diff.bump} change; the version must be at "
            f"least {self.required}.\n\n{self.diff.changelog()}"
        )


def require_version(version: str, decision: Plan) -> None:
    """Refuse a version lower than the bump the changes since the last release require."""
    if decision.required and parse(version) < parse(decision.required):
        kind = decision.diff.bump if decision.diff else "required"
        raise Refused(
            f"version {version} is lower than the {kind} bump the changes require "
            f"({decision.required}); run `make bump`"
        )


def plan(index: Index, workdir: Path, against: Path | None = None) -> Plan:
    """What changed since the last release, and the version that requires."""
    if against is not None:
        last, old = "the given tree", against
    else:
        versions = released_versions(index)
        if not versions:
            return Plan(None, None, None)
        last = versions[-1]
        old = fetch_sdist(index, last, workdir)
    diff = compare(old, ROOT)
    base = last if SEMVER.match(last) else current_version()
    return Plan(last, diff, bumped(base, diff.bump))


# ----- build and check ------------------------------------------------------------------------


def check_generated() -> None:
    run(sys.executable, str(ROOT / "scripts" / "generate.py"), "--check", quiet=True)
    dirty = run("git", "-C", str(ROOT), "status", "--porcelain", "--", "generated", quiet=True)
    if dirty.strip():
        raise Refused(f"generated/ has uncommitted changes:\n{dirty.rstrip()}")


def build(version: str, out: Path) -> list[Path]:
    if out.exists():
        shutil.rmtree(out)
    run(UV, "build", "--quiet", "--out-dir", str(out), str(ROOT), quiet=True)
    files = sorted(p for p in out.iterdir() if p.name.endswith((".whl", ".tar.gz")))
    names = [f.name for f in files]
    expected = {
        f"cubicasa_integrate-{version}.tar.gz",
        f"cubicasa_integrate-{version}-py3-none-any.whl",
    }
    if set(names) != expected:
        raise Refused(f"build made {names}, expected {sorted(expected)}")
    return files


def check_wheel(wheel: Path) -> None:
    """The wheel holds the three packages with py.typed, and no tests, caches or secrets."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    problems = []
    for package in PACKAGES:
        if f"{package}/__init__.py" not in names:
            problems.append(f"missing package {package}")
        if f"{package}/py.typed" not in names:
            problems.append(f"missing {package}/py.typed")
    forbidden = re.compile(
        r"(^|/)(tests?|__pycache__|\.pytest_cache|\.mypy_cache|\.ruff_cache|\.index|\.venv)(/|$)"
        r"|\.pyc$|(^|/)(credentials\.json|htpasswd|\.env|\.pypirc)$"
    )
    problems += [f"should not ship: {name}" for name in names if forbidden.search(name)]
    if problems:
        raise Refused("wheel check failed:\n  " + "\n  ".join(problems))
    say(f"wheel check: {len(names)} files, {', '.join(PACKAGES)} with py.typed, nothing stray")


def upload(index: Index, files: list[Path]) -> None:
    args = [
        tool("twine"),
        "upload",
        "--non-interactive",
        "--disable-progress-bar",
        "--repository-url",
        index.upload_url,
        *map(str, files),
    ]
    done = subprocess.run(args, capture_output=True, text=True, env=index.twine_env(), check=False)
    output = done.stdout + done.stderr
    if index.password:
        output = output.replace(index.password, "***")
    if done.returncode != 0:
        reason = re.search(r"HTTPError: (.+)", output)
        raise Refused(
            "the index refused the upload: " + (reason[1].strip() if reason else output.strip())
        )
    say(f"uploaded {', '.join(f.name for f in files)} to {index.upload_url}")


DOWNSTREAM_SNIPPET = '''\
"""A downstream service's use of the installed package, type-checked with mypy --strict."""
from cubicasa import CubiCasa, NotFoundError
from cubicasa.models import Order
from cubicasa.testing import FakeCubiCasa

fake = FakeCubiCasa()
with fake.client() as client:
    assert isinstance(client, CubiCasa)
    first: Order = client.orders.get("312babc6-e742-4d54-ac49-e0f7b16ec15a")
    ids: list[str] = [order.id for order in client.orders.list(page_size=1)]
    error: type[Exception] = NotFoundError
'''


def downstream_check(index: Index, version: str, workdir: Path) -> None:
    """A fresh venv that sees only the index installs the version and uses it."""
    venv = workdir / "downstream-venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_"))}
    env["UV_NO_CONFIG"] = "1"
    run(UV, "venv", "--quiet", "--python", sys.executable, str(venv), env=env, quiet=True)
    python = venv / "bin" / "python"
    index_url = index.simple_url
    credentials = index.auth()
    if credentials and not index.local:
        # Through a netrc file readable only by us: never on a command line.
        host = httpx.URL(index_url).host
        netrc = workdir / "netrc"
        descriptor = os.open(netrc, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(f"machine {host} login {credentials[0]} password {credentials[1]}\n")
        env["NETRC"] = str(netrc)
    run(
        UV,
        "pip",
        "install",
        "--quiet",
        "--no-cache",
        "--python",
        str(python),
        "--index-url",
        index_url,
        f"{DISTRIBUTION}=={version}",
        env=env,
        quiet=True,
    )
    run(str(python), str(ROOT / "scripts" / "downstream_check.py"), version)
    snippet = workdir / "downstream_snippet.py"
    snippet.write_text(DOWNSTREAM_SNIPPET, encoding="utf-8")
    run(
        tool("mypy"),
        "--strict",
        "--no-incremental",
        "--config-file",
        os.devnull,
        "--python-executable",
        str(python),
        str(snippet),
        quiet=True,
    )
    say(
        f"downstream check passed: {DISTRIBUTION}=={version} installed from {index_url}, "
        "used against the fake, and type-checked (py.typed)"
    )


def dependency_wheels() -> Path:
    """Wheels of the runtime dependencies (from uv.lock), for the local index: the index serves
    only what is in it, so a downstream install needs them there. Cached per lock file."""
    lock = hashlib.sha256((ROOT / "uv.lock").read_bytes()).hexdigest()[:16]
    folder = WHEELS_CACHE / lock
    if (folder / "done").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    requirements = run(
        UV,
        "export",
        "--quiet",
        "--frozen",
        "--no-dev",
        "--no-emit-project",
        "--no-hashes",
        "--format",
        "requirements.txt",
        "--directory",
        str(ROOT),
        quiet=True,
    )
    extra = folder / "requirements.txt"
    extra.write_text(requirements)
    pip = shutil.which("python3") or sys.executable
    run(
        pip,
        "-m",
        "pip",
        "download",
        "--isolated",
        "--quiet",
        "--no-deps",
        "--only-binary=:all:",
        "-r",
        str(extra),
        "-d",
        str(folder),
        quiet=True,
    )
    (folder / "done").write_text("")
    return folder


def seed_local_index(index: Index) -> None:
    packages = index_dir() / "packages"
    for wheel in dependency_wheels().glob("*.whl"):
        target = packages / wheel.name
        if not target.exists():
            shutil.copy2(wheel, target)


# ----- commands -------------------------------------------------------------------------------


def publish(tests_command: str | None) -> None:
    version = current_version()
    index = resolve_index()
    say(f"publishing {DISTRIBUTION} {version} to {index.upload_url}")
    check_generated()
    say("generated/ matches the spec")
    if tests_command:
        say(f"running the fast tests: {tests_command}")
        done = subprocess.run(tests_command, shell=True, cwd=ROOT, check=False)  # noqa: S602
        if done.returncode != 0:
            raise Refused("the tests failed")
    if version in released_versions(index):
        raise Refused(
            f"{version} is already on {index.simple_url}: an index is never overwritten; "
            "run `make bump` for the next version"
        )
    with tempfile.TemporaryDirectory(prefix="cubicasa-release-") as scratch:
        work = Path(scratch)
        decision = plan(index, work)
        say(decision.describe().splitlines()[0])
        require_version(version, decision)
        files = build(version, ROOT / "dist" / version)
        run(tool("twine"), "check", "--strict", *map(str, files), quiet=True)
        say("twine check passed")
        check_wheel(next(f for f in files if f.suffix == ".whl"))
        if index.local:
            seed_local_index(index)
        upload(index, files)
        downstream_check(index, version, work)
    print()
    print("Install it downstream with:")
    print(f"    pip install --index-url {index.simple_url} {DISTRIBUTION}=={version}")


def api_diff(against: str | None) -> Plan:
    with tempfile.TemporaryDirectory(prefix="cubicasa-api-diff-") as scratch:
        decision = plan(resolve_index(), Path(scratch), Path(against) if against else None)
    print(decision.describe())
    return decision


def bump(against: str | None) -> None:
    decision = api_diff(against)
    if decision.required is None or decision.diff is None:
        say("nothing to bump: no earlier release")
        return
    old = current_version()
    if parse(old) >= parse(decision.required):
        say(f"{old} already satisfies the required {decision.required}")
        return
    text = VERSION_FILE.read_text(encoding="utf-8")
    VERSION_FILE.write_text(text.replace(f'"{old}"', f'"{decision.required}"'), encoding="utf-8")
    today = datetime.date.today().isoformat()
    entry = f"## {decision.required} - {today}\n\n{decision.diff.changelog().rstrip()}\n\n"
    log = CHANGELOG.read_text(encoding="utf-8")
    head, _, rest = log.partition("\n## ")
    CHANGELOG.write_text(
        f"{head}\n{entry}## {rest}" if rest else f"{log}\n{entry}", encoding="utf-8"
    )
    say(f"version {old} -> {decision.required}; CHANGELOG.md updated")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The release loop (see the module docstring).")
    commands = parser.add_subparsers(dest="command", required=True)
    pub = commands.add_parser("publish")
    pub.add_argument("--tests", default="", help="shell command running the fast tests first")
    for name in ("api-diff", "bump"):
        sub = commands.add_parser(name)
        sub.add_argument("--against", help="compare with this source tree instead of the index")
    commands.add_parser("index-start")
    commands.add_parser("index-stop")
    commands.add_parser("dependency-wheels")
    args = parser.parse_args(argv)
    try:
        if args.command == "publish":
            publish(args.tests or None)
        elif args.command == "api-diff":
            api_diff(args.against)
        elif args.command == "bump":
            bump(args.against)
        elif args.command == "index-start":
            start_local_index(index_dir(), index_port())
        elif args.command == "index-stop":
            stop_local_index(index_dir())
        else:
            say(f"dependency wheels in {dependency_wheels()}")
    except Refused as refusal:
        print(f"release: REFUSED: {refusal}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
