"""The `cubicasa` command line: `main()` is the console script and `python -m cubicasa`.

It needs the `[cli]` extra (click and rich); without it, `main()` says what to install. Nothing
here is imported by `import cubicasa`.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

__all__ = ["INSTALL_HINT", "main"]

INSTALL_HINT = "pip install 'cubicasa-integrate[cli]'"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: `sys.argv[1:]`); returns the exit status."""
    missing = [name for name in ("click", "rich") if importlib.util.find_spec(name) is None]
    if missing:
        print(
            f"cubicasa: the command line needs {' and '.join(missing)}, which come with the "
            f"[cli] extra: {INSTALL_HINT}",
            file=sys.stderr,
        )
        return 1
    from ._app import run

    with _without_httpx_command_line():
        return run(list(sys.argv[1:] if argv is None else argv))


@contextmanager
def _without_httpx_command_line() -> Iterator[None]:
    """httpx 0.28 imports its own command line (click, rich, pygments) on `import httpx` whenever
    they are installed, which they are here: that alone more than doubles this command's start-up.
    Unless httpx is already loaded, this run imports it without that module (`httpx.main` is the
    only name it provides); afterwards `httpx._main` can be imported as usual."""
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        yield
        return
    sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if sys.modules.get("httpx._main", False) is None:
            del sys.modules["httpx._main"]
