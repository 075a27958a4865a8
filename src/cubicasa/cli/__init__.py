"""The `cubicasa` command line: `main()` is the console script and `python -m cubicasa`.

It needs the `[cli]` extra (click and rich); without it, `main()` says what to install. Nothing
here is imported by `import cubicasa`.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence

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

    return run(list(sys.argv[1:] if argv is None else argv))
