"""The operations table: the compact form of the spec read at run time (no YAML then) by the
conformance checks and by the fake (its routing and its request-body checks).

`scripts/generate.py` calls `write()`, so `make generate` writes
`generated/cubicasa_api/conformance.json` and `make check-generated` compares it. It holds:

- `spec_sha256`: the hash of the spec it was made from;
- `operations`, keyed by operationId: `method` ("GET"), `path` ("/orders/{id}"), `tag` (the spec's
  first tag, "change-requests"), `area` (the generated subpackage, "change_requests"), `evidence`,
  `at` (the operation's JSON pointer), `request` (null, or `{"schema": node, "required": bool,
  "media": "application/json"}`) and `responses` (status -> content type -> node);
- `schemas`: every component schema a request or response refers to, by name.

A node is a schema cut down to the keywords the readers use: `ref` (a component name), `types`,
`enum`, `anyOf`, `properties` with `required`, `closed` (additionalProperties: false), `items`,
and `values` (the examples of an open string value list). Object, value-list and `anyOf` nodes
carry `at`, their place in the spec (for the probe's spec patch).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

FILE_NAME = "conformance.json"
METHODS = ("get", "put", "post", "delete", "patch")
SCHEMA_PREFIX = "#/components/schemas/"
RESPONSE_PREFIX = "#/components/responses/"


def _node(schema: Any, at: str, names: set[str]) -> dict[str, Any]:
    """A schema cut down to what the checker reads; collects the component names it refers to."""
    if not isinstance(schema, dict):
        return {}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
        name = ref[len(SCHEMA_PREFIX) :]
        names.add(name)
        return {"ref": name}
    node: dict[str, Any] = {}
    kind = schema.get("type")
    if kind is not None:
        node["types"] = [kind] if isinstance(kind, str) else list(kind)
    if "enum" in schema:
        node["enum"] = list(schema["enum"])
    if "anyOf" in schema:
        node["anyOf"] = [_node(s, f"{at}/anyOf/{i}", names) for i, s in enumerate(schema["anyOf"])]
        node["at"] = at
    if isinstance(schema.get("properties"), dict):
        node["properties"] = {
            key: _node(value, f"{at}/properties/{key}", names)
            for key, value in schema["properties"].items()
        }
        node["required"] = list(schema.get("required", []))
        if schema.get("additionalProperties") is False:
            node["closed"] = True
        node["at"] = at
    if "items" in schema:
        node["items"] = _node(schema["items"], f"{at}/items", names)
    examples = schema.get("examples")
    if isinstance(examples, list) and "string" in node.get("types", []):
        node["values"] = [v for v in examples if isinstance(v, str)]
        node["at"] = at
    return node


def compact(spec: dict[str, Any], spec_sha256: str) -> dict[str, Any]:
    """The data file's content for a parsed spec."""
    names: set[str] = set()
    operations: dict[str, Any] = {}
    for path, item in spec["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            responses: dict[str, Any] = {}
            for status, response in op.get("responses", {}).items():
                ref = response.get("$ref")
                if isinstance(ref, str) and ref.startswith(RESPONSE_PREFIX):
                    response = spec["components"]["responses"][ref[len(RESPONSE_PREFIX) :]]
                content = response.get("content") or {}
                responses[str(status)] = {
                    media: _node(body.get("schema"), "", names) for media, body in content.items()
                }
            tag = (op.get("tags") or ["default"])[0]
            operations[op["operationId"]] = {
                "method": method.upper(),
                "path": path,
                "tag": tag,
                "area": _area(tag),
                "evidence": op.get("x-evidence", "documented"),
                "at": f"/paths/{_escape(path)}/{method}",
                "request": _request(
                    op.get("requestBody"), f"/paths/{_escape(path)}/{method}", names
                ),
                "responses": responses,
            }
    schemas: dict[str, Any] = {}
    pending = sorted(names)
    while pending:
        name = pending.pop()
        if name in schemas:
            continue
        found: set[str] = set()
        schemas[name] = _node(
            spec["components"]["schemas"][name], f"/components/schemas/{name}", found
        )
        pending.extend(sorted(found - set(schemas)))
    return {"spec_sha256": spec_sha256, "operations": operations, "schemas": schemas}


def _area(tag: str) -> str:
    """The generated subpackage of a tag, as openapi-python-client names it ("change_requests")."""
    return re.sub(r"[^0-9a-zA-Z]+", "_", tag).strip("_").lower()


def _request(body: Any, at: str, names: set[str]) -> dict[str, Any] | None:
    """An operation's JSON request body: its schema node and whether the body is required."""
    if not isinstance(body, dict):
        return None
    content = body.get("content") or {}
    media = next((m for m in content if m == "application/json" or m.endswith("+json")), None)
    if media is None:
        return None
    schema_at = f"{at}/requestBody/content/{_escape(media)}/schema"
    return {
        "media": media,
        "required": bool(body.get("required", False)),
        "schema": _node(content[media].get("schema"), schema_at, names),
    }


def _escape(key: str) -> str:
    """A key as a JSON pointer segment."""
    return key.replace("~", "~0").replace("/", "~1")


def write(spec_path: Path, out_dir: Path) -> Path:
    """Write the data file for the spec at `spec_path` into the package folder `out_dir`."""
    import yaml

    raw = spec_path.read_bytes()
    spec = yaml.safe_load(raw.decode("utf-8"))
    data = compact(spec, hashlib.sha256(raw).hexdigest())
    target = out_dir / FILE_NAME
    target.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n", "utf-8")
    return target
