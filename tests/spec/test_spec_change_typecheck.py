"""A spec change that breaks the facade fails `mypy --strict` on the facade's own line, after
`scripts/generate.py` in a copy of the repository; a harmless spec change still type-checks."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

SPEC = Path("openapi/cubicasa-integrate-v3.yaml")
FACADE = Path("src/cubicasa")
ERROR = re.compile(r"^(src/cubicasa/[^:]+):(\d+): error: (.*)$", re.M)


def _tree(tmp_path: Path) -> Path:
    """What generation and the type check need, and nothing else."""
    tree = tmp_path / "repo"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    # The spec and its generator config, the generation scripts, the output and the facade.
    for folder in ("openapi", "scripts", "generated", "src"):
        shutil.copytree(ROOT / folder, tree / folder, ignore=skip)
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    # `make typecheck`'s cache, where there is one: mypy then re-reads only what changed (the
    # installed libraries and unchanged modules are hits), not the whole dependency tree.
    if (ROOT / ".mypy_cache").is_dir():
        shutil.copytree(ROOT / ".mypy_cache", tree / ".mypy_cache")
    return tree


def _edit(tree: Path, change: Callable[[dict[str, Any]], None]) -> None:
    spec = yaml.safe_load((tree / SPEC).read_text(encoding="utf-8"))
    change(spec)
    (tree / SPEC).write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")


def _regenerate_and_typecheck(tree: Path) -> subprocess.CompletedProcess[str]:
    generated = subprocess.run(
        [sys.executable, "scripts/generate.py"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    # `make typecheck` on the facade; mypy_path (pyproject) puts this tree's generated/ first.
    mypy = Path(sys.executable).with_name("mypy")
    return subprocess.run(
        [str(mypy), "--cache-dir", str(tree / ".mypy_cache"), str(FACADE)],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _errors(tree: Path, output: str) -> list[tuple[str, str, str]]:
    """(file, source line, message) of each error."""
    found = []
    for path, line, message in ERROR.findall(output):
        source = (tree / path).read_text(encoding="utf-8").splitlines()[int(line) - 1]
        found.append((path, source.strip(), message))
    return found


def _operation(spec: dict[str, Any], operation_id: str) -> dict[str, Any]:
    for item in spec["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return op
    raise KeyError(operation_id)


def _break_the_facade(spec: dict[str, Any]) -> None:
    # A new required parameter of getChangeRequest.
    _operation(spec, "getChangeRequest")["parameters"].append(
        {"name": "revision", "in": "query", "required": True, "schema": {"type": "string"}}
    )
    # The path parameter of getOrder becomes an integer.
    _operation(spec, "getOrder")["parameters"][0]["schema"] = {"type": "integer"}
    _operation(spec, "getOrder")["parameters"][0]["example"] = 42
    # A property the facade reads (a page's items) removed from the order list.
    order_list = spec["components"]["schemas"]["OrderList"]
    del order_list["properties"]["items"]
    order_list["required"].remove("items")


def _harmless(spec: dict[str, Any]) -> None:
    # A new optional parameter and a reworded summary change no call the facade makes.
    get_order = _operation(spec, "getOrder")
    get_order["summary"] = "Get one order by its ID"
    get_order["parameters"].append(
        {"name": "expand", "in": "query", "required": False, "schema": {"type": "string"}}
    )


def test_a_breaking_spec_change_fails_the_typecheck_on_the_facade_lines(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    _edit(tree, _break_the_facade)
    done = _regenerate_and_typecheck(tree)
    assert done.returncode == 1, done.stdout + done.stderr
    errors = _errors(tree, done.stdout)
    expected = {
        # The resources call the loop with the generated builder: `_call(Model, op._get_kwargs,
        # ...)`, written async and produced for sync (scripts/unasync.py).
        "getChangeRequest, sync": ("_sync/resources/change_requests.py", "self._client._call("),
        "getChangeRequest, async": (
            "cubicasa/resources/change_requests.py",
            "await self._client._call(",
        ),
        "getOrder, sync": ("_sync/resources/orders.py", "get_order._get_kwargs"),
        "getOrder, async": (
            "cubicasa/resources/orders.py",
            "await self._client._call(Order, get_order._get_kwargs",
        ),
        "OrderList.items": ("orders.py", "OrderList"),
    }
    for what, (module, needle) in expected.items():
        hits = [e for e in errors if e[0].endswith("/" + module) and needle in e[1]]
        assert hits, f"{what}: no error on a line of {module} with {needle!r}:\n{done.stdout}"
    messages = " ".join(message for _, _, message in errors)
    assert '"revision"' in messages  # the missing argument is named
    assert 'expected "int"' in messages  # the changed type is named


def test_a_harmless_spec_change_still_type_checks(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    _edit(tree, _harmless)
    done = _regenerate_and_typecheck(tree)
    assert "expand" in (tree / "generated/cubicasa_api/api/orders/get_order.py").read_text()
    assert done.returncode == 0, done.stdout + done.stderr
