"""Every Python block of README.md and of the docs/ pages passes `mypy --strict` and runs,
against the fake CubiCasa.

Blocks are found by their ```python fence, so a block added later is checked without touching
this file. How each runs:

- a block that defines `test_` functions is run by pytest (the package's fixtures load by
  themselves); any other block by `python`, in a scratch folder (files it saves land there);
- `CUBICASA_API_KEY` / `CUBICASA_BASE_URL` point at a fresh `FakeCubiCasa` served on 127.0.0.1,
  which holds the documented examples (e.g. order `312babc6-...`); the production base URL written
  in a block is replaced by the fake's, so nothing leaves the machine; `CUBICASA_CHANGES` names a
  change-feed store in the scratch folder. The shell's other `CUBICASA_*`, proxy and CA variables
  are not passed on (a strict conformance mode or a proxy of the machine running the tests would
  change what a block shows);
- a block that cannot run here (a company CA file) is marked on the line before its fence with
  `<!-- readme-test: typecheck-only: <why> -->`; it is still type-checked, and the reason is
  required. The webhook receivers only define their app when run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from cubicasa.testing import FakeCubiCasa
from tests.conftest import ROOT
from tests.docs_pages import label, pages

PRODUCTION = "https://app.cubi.casa/api/integrate/v3"
MARKER = re.compile(r"<!-- readme-test: typecheck-only: (?P<why>\S.*?) -->")
# Settings of the shell running the tests that a block must not inherit.
NOT_PASSED_ON = re.compile(r"CUBICASA_\w*|(https?|all|no)_proxy|ssl_cert_(file|dir)", re.I)
# A block that reads its client (not only makes it) calls the API; a receiver's feed or a proxy
# setting only makes one.
USES_A_CLIENT = re.compile(r"\bclient\b(?!\s*=[^=])")


@dataclass(frozen=True)
class Block:
    page: str  # "README", "guides/client"
    line: int  # of the opening fence
    code: str
    skip_run: str | None  # the reason given by a typecheck-only marker

    @property
    def name(self) -> str:
        return f"{self.page.replace('/', '_').replace('-', '_')}_line_{self.line}"


def blocks() -> list[Block]:
    found = []
    for path in pages():
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if line.strip() != "```python":
                continue
            end = lines.index("```", number + 1)
            marker = MARKER.search(lines[number - 1]) if number else None
            code = "\n".join(lines[number + 1 : end]) + "\n"
            why = marker.group("why") if marker else None
            found.append(Block(label(path), number + 1, code, why))
    return found


BLOCKS = blocks()


def test_the_readme_has_python_blocks_and_every_marker_gives_a_reason() -> None:
    assert len(BLOCKS) >= 12
    assert sum(block.page == "README" for block in BLOCKS) >= 2
    for path in pages():
        text = path.read_text(encoding="utf-8")
        assert text.count("<!-- readme-test:") == len(MARKER.findall(text)), path


@pytest.mark.slow
def test_every_block_passes_mypy_strict(tmp_path: Path) -> None:
    files = []
    for block in BLOCKS:
        path = tmp_path / f"{block.name}.py"
        path.write_text(block.code, encoding="utf-8")
        files.append(str(path))
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *files],
        cwd=ROOT,  # the project's mypy settings and cache
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("block", BLOCKS, ids=lambda block: block.name)
@pytest.mark.slow
def test_every_block_runs_against_the_fake(block: Block, tmp_path: Path) -> None:
    if block.skip_run:
        assert block.skip_run.strip()  # type-checked above; the reason is in the README
        return
    fake = FakeCubiCasa()
    with fake.serve() as server:
        code = block.code.replace(PRODUCTION, server.base_url)
        code = code.replace('"<your API key>"', repr(fake.api_key))
        script = tmp_path / f"{block.name}.py"
        script.write_text(code, encoding="utf-8")
        if re.search(r"^(async )?def test_", code, flags=re.M):
            command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(script)]
        else:
            command = [sys.executable, str(script)]
        env = {
            **{k: v for k, v in os.environ.items() if not NOT_PASSED_ON.fullmatch(k)},
            "CUBICASA_API_KEY": fake.api_key,
            "CUBICASA_BASE_URL": server.base_url,
            "CUBICASA_CHANGES": str(tmp_path / "changes.sqlite3"),
        }
        done = subprocess.run(
            command,
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, f"{block.page} line {block.line}:\n{done.stdout}{done.stderr}"
    made = re.search(r"\b(CubiCasa|AsyncCubiCasa|AuthenticatedClient)\(", code)
    if command[1] != "-m" and made and USES_A_CLIENT.search(code):
        assert fake.requests, "a block with a client talks to the fake"
