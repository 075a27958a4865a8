"""The package stays easy to hold in one's head: no module of src/cubicasa over 500 lines, and no
two modules that import each other (at the top of a module, `TYPE_CHECKING` imports included)."""

from __future__ import annotations

import ast
from pathlib import Path

import cubicasa

PACKAGE = Path(cubicasa.__file__).resolve().parent
MAX_LINES = 500


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["cubicasa", *path.relative_to(PACKAGE).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _imports(name: str, path: Path, is_package: bool, modules: set[str]) -> set[str]:
    """The modules of the package imported at the top of `path` (not inside functions)."""
    here = name.split(".") if is_package else name.split(".")[:-1]
    found = set()
    todo: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
    while todo:
        node = todo.pop()
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            todo.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in modules}
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            subs = {f"{module}.{a.name}" for a in node.names} & modules
            found |= subs
            if module in modules and len(subs) < len(node.names):
                found.add(module)
    return found - {name}


def test_no_module_is_over_500_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path, _ in _modules().values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_two_modules_import_each_other() -> None:
    modules = _modules()
    graph = {
        name: _imports(name, path, is_package, set(modules))
        for name, (path, is_package) in modules.items()
    }

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            current = todo.pop()
            if current == goal:
                return True
            if current not in seen:
                seen.add(current)
                todo.extend(graph.get(current, ()))
        return False

    cycles = sorted(
        (name, other) for name, deps in graph.items() for other in deps if reaches(other, name)
    )
    assert cycles == []
