"""The spec itself: valid, linted, complete, honest about evidence, and open where it must be."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.conftest import ROOT, SPEC_PATH

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

TAGS = {
    "company",
    "offices",
    "users",
    "orders",
    "change-requests",
    "drafts",
    "gotoscan",
    "webhooks",
}


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def test_spec_is_valid_openapi_3_1(spec: dict[str, Any]) -> None:
    assert spec["openapi"] == "3.1.0"
    validate(spec)


@pytest.mark.slow
def test_redocly_lint_passes_with_the_committed_ruleset() -> None:
    npx = shutil.which("npx")
    assert npx, "npx is needed for the spec linter (node and npm)"
    assert (ROOT / "node_modules" / "@redocly" / "cli").is_dir(), "run `make install` first"
    done = subprocess.run(
        [npx, "--no-install", "redocly", "lint", "--format=stylish", str(SPEC_PATH)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_servers_put_production_first_and_flag_qa_as_third_party(spec: dict[str, Any]) -> None:
    production, qa = spec["servers"]
    assert production["url"] == "https://app.cubi.casa/api/integrate/v3"
    assert qa["url"] == "https://qa-customers.cubi.casa/api/integrate/v3"
    assert "third-party" in qa["description"]


def test_every_operation_is_authenticated_by_the_api_key_header(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes == {
        "ApiKeyAuth": {
            "type": "apiKey",
            "in": "header",
            "name": "api-key",
            "description": schemes["ApiKeyAuth"]["description"],
        }
    }
    assert spec["security"] == [{"ApiKeyAuth": []}]
    overriding = [op["operationId"] for _, _, op in operations(spec) if "security" in op]
    assert overriding == []


def test_every_operation_has_one_id_one_tag_and_its_evidence(spec: dict[str, Any]) -> None:
    found = list(operations(spec))
    assert found, "the spec has no operations"
    ids = [op["operationId"] for _, _, op in found]
    assert len(ids) == len(set(ids)), "an operationId is used twice"
    for _, _, op in found:
        assert re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)+", op["operationId"]), op["operationId"]
        assert len(op["tags"]) == 1
        assert op["tags"][0] in TAGS
        # `observed` once a probe of the live API saw it conform (see the evidence test below)
        assert op["x-evidence"] in ("observed", "documented", "partial", "inferred"), op
        assert op["summary"]
        assert op["description"]
    assert {tag["name"] for tag in spec["tags"]} == TAGS


def test_list_orders_takes_limit_offset_and_a_repeatable_status(spec: dict[str, Any]) -> None:
    params = [resolve(spec, p) for p in spec["paths"]["/orders"]["get"]["parameters"]]
    by_name = {p["name"]: p for p in params}
    assert set(by_name) == {"limit", "offset", "status"}
    status = by_name["status"]
    assert (status["in"], status["style"], status["explode"]) == ("query", "form", True)
    assert status["schema"]["type"] == "array"
    assert by_name["limit"]["schema"]["default"] == 20


def test_evidence_is_stated_and_nothing_inferred_passes_as_documented(
    spec: dict[str, Any],
) -> None:
    for _, _, op in operations(spec):
        evidence = op["x-evidence"]
        assert evidence in ("observed", "documented", "partial", "inferred"), op["operationId"]
        if evidence == "inferred":
            assert "INFERRED" in op["description"], op["operationId"]
        elif evidence == "observed":  # a probe saw live answers conform, on this date
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", op["x-observed"]), op["operationId"]
        else:
            assert op["externalDocs"]["url"].startswith("https://integrate.docs.cubi.casa/")
        if "externalDocs" in op:
            assert op["externalDocs"]["url"].startswith("https://integrate.docs.cubi.casa/")


def test_every_operation_declares_the_error_responses(spec: dict[str, Any]) -> None:
    expected = {
        "400": "#/components/responses/BadRequest",
        "401": "#/components/responses/Unauthorized",
        "403": "#/components/responses/Forbidden",
        "404": "#/components/responses/NotFound",
        "429": "#/components/responses/TooManyRequests",
        "default": "#/components/responses/UnexpectedError",
    }
    for _, _, op in operations(spec):
        errors = {code: r.get("$ref") for code, r in op["responses"].items() if code != "200"}
        assert errors == expected, op["operationId"]
    bad_request = spec["components"]["responses"]["BadRequest"]["content"]["application/json"]
    assert bad_request["schema"]["$ref"].endswith("/ValidationErrorResponse")


def test_the_combined_pdf_is_a_binary_pdf_response(spec: dict[str, Any]) -> None:
    ok = spec["paths"]["/orders/{order_id}/combined-pdf"]["get"]["responses"]["200"]
    assert ok["content"] == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}


def test_webhooks_section_refs_the_order_status_event(spec: dict[str, Any]) -> None:
    post = spec["webhooks"]["orderStatus"]["post"]
    body = post["requestBody"]["content"]["application/json"]
    # Inline, so that only datamodel-code-generator (pydantic) makes a model of it.
    assert body["schema"]["title"] == "OrderStatusEvent"
    assert body["schema"]["required"] == ["id", "current_status"]
    assert "OrderStatusEvent" not in spec["components"]["schemas"]
    assert post["x-evidence"] == "documented"


def _walk_schemas(spec: dict[str, Any], node: Any, seen: set[str]) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            if ref in seen:
                return
            seen.add(ref)
            node = resolve(spec, node)
        yield node
        for value in node.values():
            yield from _walk_schemas(spec, value, seen)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_schemas(spec, value, seen)


def test_every_response_object_is_open_to_new_fields(spec: dict[str, Any]) -> None:
    responses = [op["responses"] for _, _, op in operations(spec)]
    responses.append(spec["components"]["responses"])
    responses.append(spec["webhooks"]["orderStatus"]["post"]["requestBody"])
    closed = [
        schema.get("description", "?")[:50]
        for schema in _walk_schemas(spec, responses, set())
        if schema.get("type") == "object" and schema.get("additionalProperties") is not True
    ]
    assert closed == []


def test_incomplete_value_lists_are_open_strings(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    for name in ("OrderStatus", "PackageType", "AddOn"):
        assert "enum" not in schemas[name], name
        assert "string" in schemas[name]["type"], name
    # The two lists the docs present as closed are enums, but responses accept any string.
    # (a probe patch may add values it saw: the documented ones stay, in their order)
    assert schemas["UserRole"]["enum"][:3] == ["Collaborator", "User", "Manager"]
    assert {"type": "string"} in schemas["User"]["properties"]["role"]["anyOf"]
    triggers = schemas["WebhookConfig"]["properties"]["webhook_triggers"]["items"]["anyOf"]
    assert {"type": "string"} in triggers


def test_timestamps_are_epoch_seconds_numbers(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert schemas["User"]["properties"]["created_at"]["type"] == "number"
    assert schemas["ChangeRequest"]["properties"]["sent_at"]["type"] == "number"
    assert schemas["OrderInfo"]["properties"]["created_at"]["type"] == "number"
    assert schemas["OrderInfo"]["properties"]["first_delivered_at"]["type"] == ["number", "null"]


def test_pagination_wrapper_has_the_documented_fields(spec: dict[str, Any]) -> None:
    pagination = spec["components"]["schemas"]["Pagination"]["properties"]
    assert set(pagination) == {"has_more", "limit", "next_offset", "previous_offset"}
    for name in ("OrderList", "UserList", "OfficeList", "ChangeRequestList"):
        props = spec["components"]["schemas"][name]["properties"]
        assert props["pagination"] == {"$ref": "#/components/schemas/Pagination"}
        assert props["items"]["type"] == "array"


# ----- examples -------------------------------------------------------------------------------


def embedded_examples(spec: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(where, JSON pointer of the schema, example value) for every example in the spec."""

    def media(where: str, pointer: str, content: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
        for media_type, body in content.items():
            escaped = media_type.replace("/", "~1")
            for name, example in body.get("examples", {}).items():
                # A cut-off example cannot show its later fields: marked, and not held to them.
                label = f"{where} {name}" + (" (truncated)" if example.get("x-truncated") else "")
                yield label, f"{pointer}/content/{escaped}/schema", example["value"]

    def esc(path: str) -> str:
        return path.replace("~", "~0").replace("/", "~1")

    for path, item in spec["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            base = f"#/paths/{esc(path)}/{method}"
            if "requestBody" in op:
                yield from media(
                    f"{op['operationId']} request",
                    f"{base}/requestBody",
                    op["requestBody"]["content"],
                )
            for code, response in op["responses"].items():
                if "content" in response:
                    yield from media(
                        f"{op['operationId']} {code}",
                        f"{base}/responses/{code}",
                        response["content"],
                    )
            for i, param in enumerate(op.get("parameters", [])):
                if "example" in param:
                    yield (
                        f"{op['operationId']} {param['name']}",
                        f"{base}/parameters/{i}/schema",
                        param["example"],
                    )
    hook = spec["webhooks"]["orderStatus"]["post"]
    yield from media(
        "orderStatus webhook",
        "#/webhooks/orderStatus/post/requestBody",
        hook["requestBody"]["content"],
    )
    for name, response in spec["components"]["responses"].items():
        yield from media(f"response {name}", f"#/components/responses/{name}", response["content"])
    for name, schema in spec["components"]["schemas"].items():
        for i, example in enumerate(schema.get("examples", [])):
            yield f"schema {name} #{i}", f"#/components/schemas/{name}", example


def test_every_embedded_example_validates_against_its_schema(spec: dict[str, Any]) -> None:
    registry: Registry[Any] = Registry().with_resource(
        "urn:cubicasa-spec", Resource(contents=spec, specification=DRAFT202012)
    )
    examples = list(embedded_examples(spec))
    failures = []
    for where, pointer, value in examples:
        validator = Draft202012Validator({"$ref": f"urn:cubicasa-spec{pointer}"}, registry=registry)
        failures += [
            f"{where}: {error.message}"
            for error in validator.iter_errors(value)
            if not (where.endswith("(truncated)") and error.validator == "required")
        ]
    assert failures == []
    # The documented examples of REFERENCE.md are all there (and parameter examples besides).
    wheres = {where for where, _, _ in examples}
    for expected in (
        "listUsers 200 documented (truncated)",
        "createUser request documented",
        "createUser 200 documented",
        "changeUserPassword request documented",
        "changeUserPassword 200 documented",
        "sendPasswordReset request documented",
        "sendPasswordReset 200 documented",
        "upgradeOrder request documented",
        "upgradeOrder 200 documented (truncated)",
        "getChangeRequest 200 documented",
        "updateDraftOrder request documented",
        "updateCompanyWebhooks request documented",
        "updateCompanyWebhooks 200 documented",
        "orderStatus webhook documented",
        "response BadRequest captured",
        "schema Page #0",
    ):
        assert expected in wheres


def test_an_example_that_breaks_its_schema_is_caught(spec: dict[str, Any]) -> None:
    # The check above must be able to fail: a change request whose timestamp is a string.
    registry: Registry[Any] = Registry().with_resource(
        "urn:cubicasa-spec", Resource(contents=spec, specification=DRAFT202012)
    )
    validator = Draft202012Validator(
        {"$ref": "urn:cubicasa-spec#/components/schemas/ChangeRequest"}, registry=registry
    )
    assert not validator.is_valid({"id": "x", "sent_at": "yesterday"})


def test_the_seed_page_example_is_embedded_unchanged(spec: dict[str, Any]) -> None:
    op = spec["paths"]["/orders/{order_id}/change-requests/{change_request_id}"]["get"]
    example = op["responses"]["200"]["content"]["application/json"]["examples"]["documented"]
    assert example["value"] == {
        "id": "010338fb-b1d5-4086-96b9-003285aa3340",
        "img_urls": ["https://www.urltoimg.com/1.jpg", "https://www.urltoimg.com/2.jpg"],
        "sent_at": 1748455764.159082,
        "text": "fix request text",
    }


@pytest.mark.parametrize("name", ["Order", "OrderListItem", "User", "ChangeRequest"])
def test_open_schemas_accept_unknown_fields(spec: dict[str, Any], name: str) -> None:
    assert spec["components"]["schemas"][name]["additionalProperties"] is True


def test_the_webhook_payload_is_open(spec: dict[str, Any]) -> None:
    post = spec["webhooks"]["orderStatus"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema["additionalProperties"] is True
