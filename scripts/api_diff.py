"""What changed between two source trees: the public Python API (griffe's breaking-change
checker, plus the public names added) and the spec (operations, parameters, schemas, fields).
The release loop turns the result into the semantic-version bump a release needs."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import yaml

PACKAGES = ("cubicasa", "cubicasa_api", "cubicasa_webhook_models")
SPEC_NAME = "cubicasa-integrate-v3.yaml"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # griffe colours its explanations for a terminal


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
                    # An import is public only when its module re-exports it (`__all__`): the
                    # `Any`, `annotations` or generated modules a module imports are not its API.
                    if member.is_public:
                        paths.add(path)
                    continue
                if member.is_attribute and str(member.value or "").startswith("TypeVar("):
                    continue  # the generated models' `T = TypeVar("T", ...)`: typing plumbing
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
            explained = _ANSI.sub("", breakage.explain()).strip()
            diff.breaking.append(f"Python: {explained.replace(str(old) + '/', '')}")
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
        yaml.safe_load((old / "openapi" / SPEC_NAME).read_text(encoding="utf-8")),
        yaml.safe_load((new / "openapi" / SPEC_NAME).read_text(encoding="utf-8")),
    )
    return Diff(
        breaking=python.breaking + spec.breaking,
        added=python.added + spec.added,
        changed=python.changed + spec.changed,
    )
