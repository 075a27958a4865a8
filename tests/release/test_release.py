"""The release loop end to end, on a pypiserver started here on a free loopback port with upload
authentication: publish, install downstream, and every refusal."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT
from tests.servers import unused_port

# They share the index and build into dist/: `make` runs pytest-xdist with `--dist loadfile`,
# so one worker runs them all, in order.
pytestmark = pytest.mark.slow


def _load() -> ModuleType:
    if str(ROOT / "scripts") not in sys.path:  # release.py imports its sibling modules
        sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location("release", ROOT / "scripts" / "release.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["release"] = module
    spec.loader.exec_module(module)
    return module


release = _load()
pypiserver = release.local_index
api_diff = importlib.import_module("api_diff")
VERSION = re.findall(r'"(.+)"', (ROOT / "src/cubicasa/_version.py").read_text())[-1]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("index")
    port = unused_port()
    pypiserver.start(folder, port)
    env = {**os.environ, "INDEX_DIR": str(folder), "INDEX_PORT": str(port)}
    for name in ("PUBLISH_URL", "PUBLISH_USERNAME", "PUBLISH_PASSWORD", "PUBLISH_TOKEN"):
        env.pop(name, None)
    yield {"folder": str(folder), "url": f"http://127.0.0.1:{port}", "port": str(port)}
    pypiserver.stop(folder)


def publish(index: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    # ALLOW_DIRTY: these tests are about the index, and run in a tree with work in progress too
    # (the refusal itself is tested on a scratch repository below).
    env = {**os.environ, "INDEX_DIR": index["folder"], "INDEX_PORT": index["port"],
           "ALLOW_DIRTY": "1"}  # fmt: skip
    for name in ("PUBLISH_URL", "PUBLISH_USERNAME", "PUBLISH_PASSWORD", "PUBLISH_TOKEN"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "release.py"), "publish", *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def local_index(index: dict[str, str], password: str | None = None) -> object:
    username, real = pypiserver.credentials(Path(index["folder"]))
    return release.Index(
        index["url"] + "/", index["url"] + "/simple/", username, password or real, local=True
    )


def test_publish_then_install_from_only_that_index(index: dict[str, str], tmp_path: Path) -> None:
    done = publish(index)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "downstream check passed" in output
    assert "its pytest fixtures run" in output  # the [testing] extra, in a non-editable install
    line = (
        f"pip install --isolated --index-url {index['url']}/simple/ cubicasa-integrate=={VERSION}"
    )
    assert line in output
    cli = f"--index-url {index['url']}/simple/ 'cubicasa-integrate[cli]=={VERSION}'"
    assert cli in output
    password = pypiserver.credentials(Path(index["folder"]))[1]
    assert password not in output

    # The printed command, in a new virtual environment that sees only that index.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    target = [f"--index-url={index['url']}/simple/", f"cubicasa-integrate=={VERSION}"]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_"))}
    subprocess.run(
        [release.UV, "pip", "install", "--quiet", "--no-cache", "--python", python, *target],
        check=True,
        env=clean | {"UV_NO_CONFIG": "1"},
    )
    imported = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import cubicasa; print(cubicasa.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.strip() == VERSION


def test_the_same_version_is_refused(index: dict[str, str]) -> None:
    if not release.released_versions(local_index(index)):
        assert publish(index).returncode == 0
    again = publish(index)
    assert again.returncode == 1
    assert f"{VERSION} is already on" in again.stderr
    # And the index itself refuses an overwrite, were the check skipped.
    files = sorted((ROOT / "dist" / VERSION).glob("cubicasa_integrate-*"))
    with pytest.raises(release.Refused, match="refused the upload"):
        release.upload(local_index(index), files)


def test_a_wrong_password_is_refused_without_printing_it(index: dict[str, str]) -> None:
    wrong = "not-the-password-4711"
    files = release.build(VERSION, ROOT / "dist" / "wrong-password-test")
    with pytest.raises(release.Refused) as caught:
        release.upload(local_index(index, password=wrong), files)
    message = str(caught.value)
    assert "refused the upload" in message
    # The status, or (when the index hangs up before reading the upload) the hint about it.
    assert "403" in message or "401" in message or "check the user and password" in message
    assert wrong not in message
    shutil.rmtree(ROOT / "dist" / "wrong-password-test")


def test_failing_tests_stop_the_release_before_upload(index: dict[str, str]) -> None:
    before = sorted(os.listdir(Path(index["folder"]) / "packages"))
    done = publish(index, "--tests", "exit 3")
    assert done.returncode == 1
    assert "the tests failed" in done.stderr
    assert sorted(os.listdir(Path(index["folder"]) / "packages")) == before


def test_a_real_index_without_credentials_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLISH_URL", "https://packages.internal.example/upload/")
    for name in ("PUBLISH_USERNAME", "PUBLISH_PASSWORD", "PUBLISH_TOKEN", "PUBLISH_USE_KEYRING"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(release.Refused, match="PUBLISH_USERNAME and PUBLISH_PASSWORD"):
        release.resolve_index()
    monkeypatch.setenv("PUBLISH_TOKEN", "tok-123")
    target = release.resolve_index()
    assert target.username == "__token__"
    assert "tok-123" not in repr(target)


def test_a_stray_file_in_generated_is_refused(tmp_path: Path) -> None:
    # In a clone of the committed tree, not in this checkout, which other tests read meanwhile.
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    (clone / "generated" / "cubicasa_api" / "zz_hand_written.py").write_text("x = 1\n")
    with pytest.raises(release.Refused, match="zz_hand_written"):
        release.check_generated(clone)


def _tree(tmp_path: Path) -> Path:
    copy = tmp_path / "tree"
    for part in ("src", "generated", "openapi"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _with_legacy_helper(tree: Path) -> Path:
    """The tree with one more public function in `cubicasa.webhooks` (listed in __all__)."""
    module = tree / "src" / "cubicasa" / "webhooks.py"
    text = module.read_text().replace("__all__ = [\n", '__all__ = [\n    "legacy_helper",\n', 1)
    module.write_text(text + "\n\ndef legacy_helper(x: int) -> int:\n    return x\n")
    return tree


def test_a_removed_public_function_demands_a_major_bump(tmp_path: Path) -> None:
    # The "last release" had one more public function than the working tree.
    old = _with_legacy_helper(_tree(tmp_path))
    diff = release.compare(old, ROOT)
    assert diff.bump == "major"
    assert any("legacy_helper" in item for item in diff.breaking)
    decision = release.Plan("0.4.2", diff, release.bumped("0.4.2", diff.bump))
    assert decision.required == "1.0.0"
    with pytest.raises(release.Refused, match="lower than the major bump"):
        release.require_version("0.5.0", decision)
    release.require_version("1.0.0", decision)


def test_an_added_public_function_demands_a_minor_bump(tmp_path: Path) -> None:
    new = _with_legacy_helper(_tree(tmp_path))
    diff = release.compare(ROOT, new)
    assert diff.bump == "minor"
    assert diff.breaking == []
    assert any("cubicasa.webhooks.legacy_helper" in item for item in diff.added)


def test_spec_changes_choose_the_bump(tmp_path: Path) -> None:
    import yaml

    spec = yaml.safe_load((ROOT / "openapi" / "cubicasa-integrate-v3.yaml").read_text())
    assert api_diff.spec_diff(spec, spec).bump == "patch"
    added = yaml.safe_load(yaml.safe_dump(spec))
    added["paths"]["/scans"] = {
        "get": {"operationId": "listScans", "responses": {"200": {"description": "ok"}}}
    }
    assert api_diff.spec_diff(spec, added).bump == "minor"
    assert api_diff.spec_diff(added, spec).bump == "major"
    required = yaml.safe_load(yaml.safe_dump(spec))
    required["components"]["schemas"]["ChangeRequestInput"]["required"].append("img_urls")
    breaking = api_diff.spec_diff(spec, required)
    assert breaking.bump == "major"
    assert "`ChangeRequestInput` field `img_urls` became required" in " ".join(breaking.breaking)


def test_the_version_is_read_by_hatch() -> None:
    assert release.current_version() == VERSION


def test_bump_writes_the_version_and_the_changelog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = _with_legacy_helper(_tree(tmp_path))
    # A project of its own for `hatch version` to write to (and hatch's environments in tmp).
    project = tmp_path / "project"
    (project / "src" / "cubicasa").mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    shutil.copy(ROOT / "src/cubicasa/_version.py", project / "src/cubicasa/_version.py")
    changelog = project / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## Unreleased\n\n- work\n")
    monkeypatch.setenv("HATCH_DATA_DIR", str(tmp_path / "hatch"))
    release.bump(str(tree), project, changelog)
    bumped = release.bumped(VERSION, "major")
    assert release.current_version(project) == bumped
    assert f'__version__ = "{bumped}"' in (project / "src/cubicasa/_version.py").read_text()
    text = changelog.read_text()
    # `## Unreleased` moved into the new version, and a fresh, empty one stays on top.
    assert text.index("## Unreleased\n") < text.index(f"## {bumped}") < text.index("- work")
    assert text.count("## Unreleased") == 1
    assert text.split(f"## {bumped}", 1)[0].strip().endswith("## Unreleased")
    assert "legacy_helper" in text


def test_bump_moves_unreleased_between_headings() -> None:
    log = "# Changelog\n\n## Unreleased\n\n- a fix\n\n## 1.0.0 - 2026-01-01\n\n- first\n"
    rest, notes = release.take_unreleased(log)
    assert notes == "- a fix"
    assert rest == "# Changelog\n\n## 1.0.0 - 2026-01-01\n\n- first\n"
    assert release.take_unreleased("# Changelog\n") == ("# Changelog\n", "")


def test_publish_refuses_uncommitted_changes_unless_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    version = repo / "_version.py"
    version.write_text('__version__ = "1.0.0"\n')
    for command in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one"],
    ):
        subprocess.run(["git", *command], cwd=repo, check=True)  # fmt: skip
    monkeypatch.delenv("ALLOW_DIRTY", raising=False)
    release.require_committed(repo)  # clean: no refusal
    version.write_text('__version__ = "1.1.0"\n')  # a bump, not committed
    with pytest.raises(release.Refused, match=r"uncommitted changes[\s\S]*_version\.py"):
        release.require_committed(repo)
    monkeypatch.setenv("ALLOW_DIRTY", "1")
    release.require_committed(repo)


def test_api_diff_without_a_change_says_so() -> None:
    same = release.Plan("1.2.3", api_diff.Diff(), "1.2.4")
    assert "no change to the public API or the spec" in same.describe()
    assert "a patch change" not in same.describe()
    grown = release.Plan("1.2.3", api_diff.Diff(added=["`cubicasa.x`"]), "1.3.0")
    assert grown.describe().startswith("Compared with 1.2.3: a minor change")
