"""Where the documentation's text lives, for the tests that run or check what it shows: the
README (the front door) and the pages under docs/ (the guides and the reference)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ROOT

README = ROOT / "README.md"
DOCS = ROOT / "docs"


def page(name: str) -> str:
    """The text of `docs/<name>` (e.g. "guides/client.md")."""
    return (DOCS / name).read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The part of a page under `## heading`, up to the next heading of that level."""
    return text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def pages() -> list[Path]:
    """The README, then every page of docs/, in a stable order."""
    return [README, *sorted(DOCS.rglob("*.md"))]


def label(path: Path) -> str:
    """A page's name for test IDs and messages: "README", "guides/client"."""
    return "README" if path == README else path.relative_to(DOCS).with_suffix("").as_posix()
