"""The release loop: compare APIs, pick the version, build, check, publish, install downstream.

    python scripts/release.py publish        # make publish
    python scripts/release.py api-diff       # make api-diff
    python scripts/release.py bump           # make bump
    python scripts/release.py index-start | index-stop | dependency-wheels

The work is done by kept tools: `uv build` builds, `twine check` checks the metadata, `uv publish`
uploads (with its credentials), `hatch version` reads and writes the version, griffe finds
breaking changes (`api_diff.py`, with the spec diff), pypiserver is the local index
(`local_index.py`), and `downstream_check.py` is run and type-checked in a fresh environment.

Where `publish` uploads: `PUBLISH_URL` (with `PUBLISH_USERNAME` + `PUBLISH_PASSWORD`, or
`PUBLISH_TOKEN`, from the environment; or `PUBLISH_USE_KEYRING=1` for keyring), installing from
`PUBLISH_INDEX_URL` (default: PUBLISH_URL + /simple/). Without `PUBLISH_URL`: the local index.
Credentials never go on a command line or into a log.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import httpx
import local_index
from api_diff import PACKAGES, Diff, compare

ROOT = Path(__file__).resolve().parent.parent
CHANGELOG = ROOT / "CHANGELOG.md"
DISTRIBUTION = "cubicasa-integrate"
SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
# The uv that `make` found or installed, else uv on PATH, else .tools/bin/uv.
UV = local_index.UV


class Refused(Exception):
    """A release step said no; the message says why. Nothing was uploaded."""


say = local_index.say


def run(
    *args: str, env: Mapping[str, str] | None = None, cwd: Path = ROOT, quiet: bool = False
) -> str:
    """Run a command; on failure raise Refused with its output (commands hold no secrets)."""
    done = subprocess.run(
        args, capture_output=True, text=True, env=dict(env) if env else None, cwd=cwd, check=False
    )
    if done.returncode != 0:
        raise Refused(f"`{' '.join(args[:3])} ...` failed:\n{done.stdout}{done.stderr}".rstrip())
    if not quiet and done.stdout.strip():
        print(done.stdout.rstrip())
    return done.stdout


def tool(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


# ----- versions (hatch reads and writes [tool.hatch.version]) ----------------------------------


def current_version(project: Path = ROOT) -> str:
    version = run(tool("hatch"), "version", cwd=project, quiet=True).strip().splitlines()[-1]
    parse(version)
    return version


def set_version(version: str, project: Path = ROOT) -> None:
    run(tool("hatch"), "version", version, cwd=project, quiet=True)


def parse(version: str) -> tuple[int, int, int]:
    match = SEMVER.match(version)
    if not match:
        raise Refused(f"{version!r} is not a semantic version X.Y.Z")
    return int(match[1]), int(match[2]), int(match[3])


def bumped(version: str, kind: str) -> str:
    major, minor, patch = parse(version)
    return {
        "major": f"{major + 1}.0.0",
        "minor": f"{major}.{minor + 1}.0",
        "patch": f"{major}.{minor}.{patch + 1}",
    }.get(kind, version)


# ----- the index ------------------------------------------------------------------------------


@dataclasses.dataclass
class Index:
    """Where to upload, where to install from, and with which credentials."""

    upload_url: str
    simple_url: str
    username: str | None
    password: str | None = dataclasses.field(repr=False)
    local: bool
    keyring: bool = False

    def auth(self) -> tuple[str, str] | None:
        return (self.username, self.password) if self.username and self.password else None

    def publish_env(self) -> dict[str, str]:
        """The environment for `uv publish`: its own variables carry the credentials."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("UV_PUBLISH_")}
        if self.username:
            env["UV_PUBLISH_USERNAME"] = self.username
        if self.password:
            env["UV_PUBLISH_PASSWORD"] = self.password
        return env


def resolve_index() -> Index:
    """The target index from the environment; refuses a real index without credentials."""
    url = os.environ.get("PUBLISH_URL")
    if not url:
        where = local_index.folder()
        base = local_index.start(where, local_index.port())
        username, password = local_index.credentials(where)
        return Index(base + "/", base + "/simple/", username, password, local=True)
    simple = os.environ.get("PUBLISH_INDEX_URL") or url.rstrip("/") + "/simple/"
    token = os.environ.get("PUBLISH_TOKEN")
    user = "__token__" if token else os.environ.get("PUBLISH_USERNAME")
    secret = token or os.environ.get("PUBLISH_PASSWORD")
    keyring = os.environ.get("PUBLISH_USE_KEYRING") == "1"
    if not (user and secret) and not keyring:
        raise Refused(
            "PUBLISH_URL is set but no credentials: set PUBLISH_USERNAME and PUBLISH_PASSWORD, or "
            "PUBLISH_TOKEN, in the environment (or PUBLISH_USE_KEYRING=1 to use keyring)"
        )
    return Index(url, simple, user, secret, local=False, keyring=keyring)


def _project_page(index: Index) -> httpx.Response:
    return httpx.get(
        index.simple_url + DISTRIBUTION + "/", auth=index.auth(), timeout=30, follow_redirects=True
    )


def released_versions(index: Index) -> list[str]:
    """Versions of the distribution on the index, oldest first."""
    response = _project_page(index)
    if response.status_code == 404:
        return []
    response.raise_for_status()
    pattern = re.compile(r"cubicasa[-_]integrate-(\d+\.\d+\.\d+)(?:\.tar\.gz|-py3)")
    return sorted(set(pattern.findall(response.text)), key=parse)


def fetch_sdist(index: Index, version: str, into: Path) -> Path:
    """Download and unpack the sdist of `version`; returns the unpacked tree."""
    page = _project_page(index)
    name = re.compile(rf"cubicasa[-_]integrate-{re.escape(version)}\.tar\.gz")
    links = [link for link in re.findall(r'href="([^"]+)"', page.text) if name.search(link)]
    if not links:
        raise Refused(f"no sdist of {version} on {index.simple_url}")
    url = page.url.join(links[0].split("#")[0])
    archive = into / f"{version}.tar.gz"
    got = httpx.get(url, auth=index.auth(), timeout=60, follow_redirects=True)
    archive.write_bytes(got.raise_for_status().content)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    (tree,) = [p for p in into.iterdir() if p.is_dir()]
    return tree


# ----- the plan: what changed, and the version it needs ---------------------------------------


@dataclasses.dataclass
class Plan:
    last: str | None
    diff: Diff | None
    required: str | None  # the lowest acceptable version; None for a first release

    def describe(self) -> str:
        if self.last is None or self.diff is None:
            return "No earlier release on the index: this is the first one."
        if not (self.diff.breaking or self.diff.added or self.diff.changed):
            return (
                f"Compared with {self.last}: no change to the public API or the spec; a release "
                f"of other changes (fixes, docs) is a patch: at least {self.required}."
            )
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


def plan(index: Index | None, workdir: Path, against: Path | None = None) -> Plan:
    """What changed since the last release (or `against`), and the version that requires."""
    if against is not None:
        last, old = "the given tree", against
    else:
        assert index is not None
        versions = released_versions(index)
        if not versions:
            return Plan(None, None, None)
        last = versions[-1]
        old = fetch_sdist(index, last, workdir)
    diff = compare(old, ROOT)
    base = last if SEMVER.match(last) else current_version()
    return Plan(last, diff, bumped(base, diff.bump))


# ----- build, check, upload, install downstream -----------------------------------------------


def require_committed(tree: Path = ROOT) -> None:
    """Refuse a working tree with uncommitted changes (a version bump included): a release is
    built from what is committed. `ALLOW_DIRTY=1` publishes anyway, and says so."""
    dirty = run("git", "-C", str(tree), "status", "--porcelain", quiet=True)
    if not dirty.strip():
        return
    if os.environ.get("ALLOW_DIRTY") == "1":
        say(f"ALLOW_DIRTY=1: publishing with uncommitted changes:\n{dirty.rstrip()}")
        return
    raise Refused(
        f"uncommitted changes (commit them first, e.g. the version bump; ALLOW_DIRTY=1 "
        f"publishes anyway):\n{dirty.rstrip()}"
    )


def check_generated(root: Path = ROOT) -> None:
    """generated/ of the checkout at `root` is what its spec produces, and committed."""
    run(sys.executable, str(root / "scripts" / "generate.py"), "--check", quiet=True)
    dirty = run("git", "-C", str(root), "status", "--porcelain", "--", "generated", quiet=True)
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
    """`uv publish` to the index; the credentials go through uv's own environment variables."""
    args = [UV, "publish", "--no-progress", "--publish-url", index.upload_url]
    if index.keyring:
        args += ["--keyring-provider", "subprocess"]
    env = index.publish_env()
    done = subprocess.run(
        [*args, *map(str, files)], capture_output=True, text=True, env=env, check=False
    )
    output = done.stdout + done.stderr
    if index.password:
        output = output.replace(index.password, "***")
    if done.returncode != 0:
        # uv says "error: Failed to publish ..." then "cause: ..." lines (the status, the reason).
        said = [line.strip() for line in output.splitlines()]
        reasons = [
            line.split(". Server says:")[0]
            for line in said
            if line.startswith(("error:", "cause:"))
        ]
        message = "the index refused the upload: " + ("; ".join(reasons) or output.strip())
        if "Broken pipe" in output or "connection reset" in output.lower():
            # An index that refuses the credentials may close the connection before it has read
            # the upload, so uv sees a broken pipe instead of the 401/403.
            message += " (the index closed the connection: check the user and password)"
        raise Refused(message)
    say(f"uploaded {', '.join(f.name for f in files)} to {index.upload_url}")


def downstream_check(index: Index, version: str, workdir: Path) -> None:
    """A fresh venv that sees only the index installs the version; `downstream_check.py` uses it
    there and is type-checked against it with mypy --strict (py.typed)."""
    venv = workdir / "downstream-venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_"))}
    env["UV_NO_CONFIG"] = "1"
    run(UV, "venv", "--quiet", "--python", sys.executable, str(venv), env=env, quiet=True)
    python = venv / "bin" / "python"
    credentials = index.auth()
    if credentials and not index.local:
        # Through a netrc file readable only by us: never on a command line.
        netrc = workdir / "netrc"
        descriptor = os.open(netrc, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            host = httpx.URL(index.simple_url).host
            handle.write(f"machine {host} login {credentials[0]} password {credentials[1]}\n")
        env["NETRC"] = str(netrc)
    wanted = f"{DISTRIBUTION}[cli,testing]=={version}"  # the command line and fixtures too
    run(UV, "pip", "install", "--quiet", "--no-cache", "--python", str(python),
        "--index-url", index.simple_url, wanted, env=env, quiet=True)  # fmt: skip
    check = ROOT / "scripts" / "downstream_check.py"
    run(str(python), str(check), version)
    # A downstream test suite: pytest with the installed `pytest11` plugin's fixtures (a normal
    # install is rewritten by pytest, which an editable one is not), outside this repository.
    suite = workdir / "downstream-tests"
    suite.mkdir()
    tests = suite / "test_with_the_fake.py"
    shutil.copyfile(ROOT / "scripts" / "downstream_test_fake.py", tests)
    # An empty config of its own, so no pytest settings of this repository apply (newer pytest
    # refuses /dev/null as a config file).
    config = suite / "pytest.ini"
    config.write_text("[pytest]\n", encoding="utf-8")
    run(str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(suite),
        "-c", str(config), str(tests), cwd=suite)  # fmt: skip
    run(tool("mypy"), "--strict", "--no-incremental", "--config-file", os.devnull,
        "--python-executable", str(python), str(check), str(tests), quiet=True)  # fmt: skip
    say(
        f"downstream check passed: {DISTRIBUTION}=={version} installed from {index.simple_url}, "
        "used against the fake, its pytest fixtures run, type-checked (py.typed), "
        "and its `cubicasa` command run"
    )


# ----- commands -------------------------------------------------------------------------------


def publish(tests_command: str | None) -> None:
    version = current_version()
    index = resolve_index()
    say(f"publishing {DISTRIBUTION} {version} to {index.upload_url}")
    require_committed()
    check_generated()
    say("generated/ matches the spec")
    if tests_command:
        say(f"running the release tests: {tests_command}")
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
            local_index.seed(local_index.folder())
        upload(index, files)
        downstream_check(index, version, work)
    print()
    print("Install it downstream with (--isolated: no pip configuration picks another index):")
    print(f"    pip install --isolated --index-url {index.simple_url} {DISTRIBUTION}=={version}")
    print("and the `cubicasa` command line (best in an environment of its own):")
    cli = f"'{DISTRIBUTION}[cli]=={version}'"
    print(f"    pip install --isolated --index-url {index.simple_url} {cli}")


def api_diff(against: str | None) -> Plan:
    local = not against and not os.environ.get("PUBLISH_URL")
    already = local and local_index.running(local_index.port())
    index = None if against else resolve_index()
    try:
        with tempfile.TemporaryDirectory(prefix="cubicasa-api-diff-") as scratch:
            decision = plan(index, Path(scratch), Path(against) if against else None)
    finally:
        if local and not already:  # started for this comparison only: leave nothing running
            local_index.stop(local_index.folder())
    print(decision.describe())
    return decision


def bump(against: str | None, project: Path = ROOT, changelog: Path = CHANGELOG) -> None:
    """Set the version the changes require (`hatch version`) and prepend their changelog."""
    decision = api_diff(against)
    if decision.required is None or decision.diff is None:
        say("nothing to bump: no earlier release")
        return
    old = current_version(project)
    if parse(old) >= parse(decision.required):
        say(f"{old} already satisfies the required {decision.required}")
        return
    set_version(decision.required, project)
    today = datetime.date.today().isoformat()
    log = changelog.read_text(encoding="utf-8")
    log, unreleased = take_unreleased(log)
    notes = "\n\n".join(part for part in (unreleased, decision.diff.changelog().rstrip()) if part)
    entry = f"## {decision.required} - {today}\n\n{notes}\n\n"
    head, _, rest = log.partition("\n## ")
    # A fresh `## Unreleased` stays on top for the next changes; the release goes below it.
    entry = f"{UNRELEASED}\n\n{entry}"
    changelog.write_text(
        f"{head}\n{entry}## {rest}" if rest else f"{log.rstrip()}\n\n{entry}", encoding="utf-8"
    )
    say(f"version {old} -> {decision.required}; {changelog.name}: Unreleased moved into it")


UNRELEASED = "## Unreleased"


def take_unreleased(log: str) -> tuple[str, str]:
    """The changelog without its `## Unreleased` section, and that section's text (stripped)."""
    start = log.find(f"\n{UNRELEASED}\n")
    if start < 0:
        return log, ""
    body_start = start + len(UNRELEASED) + 2
    end = log.find("\n## ", body_start - 1)
    end = len(log) if end < 0 else end
    return log[:start] + log[end:], log[body_start:end].strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The release loop (see the module docstring).")
    commands = parser.add_subparsers(dest="command", required=True)
    pub = commands.add_parser("publish")
    pub.add_argument("--tests", default="", help="shell command running the release tests first")
    for name in ("api-diff", "bump"):
        sub = commands.add_parser(name)
        sub.add_argument("--against", help="compare with this source tree instead of the index")
    for name in ("index-start", "index-stop", "dependency-wheels"):
        commands.add_parser(name)
    args = parser.parse_args(argv)
    try:
        if args.command == "publish":
            publish(args.tests or None)
        elif args.command == "api-diff":
            api_diff(args.against)
        elif args.command == "bump":
            bump(args.against)
        else:
            return local_index.main([args.command.removeprefix("index-")])
    except (Refused, local_index.IndexFailed) as refusal:
        print(f"release: REFUSED: {refusal}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
