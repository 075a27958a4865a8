"""The generated packages: they import, round-trip the documented examples, tolerate what the API
adds later, and talk to a real HTTP server with the key in `api-key`."""

from __future__ import annotations

import asyncio
import importlib
import json
import pkgutil
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

import cubicasa_api
import cubicasa_webhook_models
from cubicasa.errors import MissingFieldError
from cubicasa_api import AuthenticatedClient, models
from cubicasa_api.api.change_requests import get_change_request
from cubicasa_api.types import Unset
from tests.conftest import order_json
from tests.spec.test_spec import METHODS, operations
from tests.spec_facts import UNKNOWN, UNKNOWN_VALUE


def _documented_bodies(spec: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(where, model name, example) for each example of a JSON body whose schema is a $ref."""
    found = []
    for item in spec["paths"].values():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            bodies = [("request", op.get("requestBody", {}))]
            bodies += [(code, response) for code, response in op["responses"].items()]
            for label, body in bodies:
                media = body.get("content", {}).get("application/json", {})
                ref = media.get("schema", {}).get("$ref", "")
                for name, example in media.get("examples", {}).items():
                    if example.get("x-truncated"):
                        continue  # cut off in the docs: see the test of truncated examples
                    where = f"{op['operationId']} {label} {name}"
                    found.append((where, ref.rsplit("/", 1)[-1], example["value"]))
    return found


def test_every_generated_module_imports(spec: dict[str, Any]) -> None:
    names = []
    for package in (cubicasa_api, cubicasa_webhook_models):
        names.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
            importlib.import_module(info.name)
            names.append(info.name)
    # One module per operation, so an operation the generator dropped would show here.
    modules = {name for name in names if name.count(".") == 3 and ".api." in name}
    assert len(modules) == len(list(operations(spec)))


def test_every_operation_has_a_generated_function(spec: dict[str, Any]) -> None:
    for item in spec["paths"].values():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in op["operationId"])
            tag = op["tags"][0].replace("-", "_")
            module = importlib.import_module(f"cubicasa_api.api.{tag}.{snake}")
            for function in ("sync_detailed", "asyncio_detailed"):
                assert callable(getattr(module, function)), (op["operationId"], function)
            # What a field error names: the spec's operationId, rebuilt from the module name (an
            # operationId that does not survive that round trip, e.g. "getPDF", fails here).
            assert op["operationId"] == module.OPERATION_ID


def test_documented_examples_round_trip_through_the_generated_models(
    spec: dict[str, Any],
) -> None:
    bodies = _documented_bodies(spec)
    assert len(bodies) >= 12
    for where, name, example in bodies:
        model = getattr(models, name)
        parsed = model.from_dict(example)
        assert parsed.to_dict() == example, where
        # The round trip is exact JSON, not just equal Python values.
        assert json.dumps(parsed.to_dict(), sort_keys=True) == json.dumps(example, sort_keys=True)


def test_a_truncated_example_fails_only_on_the_required_fields_the_cut_hid(
    spec: dict[str, Any],
) -> None:
    # The docs' upgradeOrder answer stops inside `info.product`, before `address`; the listUsers
    # answer stops inside its third user. Each still gives a model; reading the first field cut
    # off raises MissingFieldError naming it.
    upgrade = spec["paths"]["/orders/{order_id}/post-purchase"]["post"]["responses"]["200"]
    users = spec["paths"]["/users"]["get"]["responses"]["200"]
    order = models.Order.from_dict(
        upgrade["content"]["application/json"]["examples"]["documented"]["value"]
    )
    user_list = models.UserList.from_dict(
        users["content"]["application/json"]["examples"]["documented"]["value"]
    )
    for response in (upgrade, users):
        assert response["content"]["application/json"]["examples"]["documented"]["x-truncated"]
    for read, pointer in (
        (lambda: order.address, "/address"),
        (lambda: user_list.items[2].role, "/items/2/role"),
    ):
        with pytest.raises(MissingFieldError) as caught:
            read()
        assert str(caught.value) == f"{pointer} was not in the answer (the spec requires it)"
    assert user_list.items[1].role is not None  # the users before the cut read as usual


def test_the_webhook_example_parses_through_the_pydantic_model(spec: dict[str, Any]) -> None:
    media = spec["webhooks"]["orderStatus"]["post"]["requestBody"]["content"]["application/json"]
    example = media["examples"]["documented"]["value"]
    event = cubicasa_webhook_models.OrderStatusEvent.model_validate(example)
    assert event.current_status == "Ready"
    assert event.previous_status == "Pending"
    assert event.model_dump(mode="json", exclude_unset=True) == example


def test_unknown_enum_values_and_fields_survive_a_round_trip() -> None:
    raw = {
        "id": "6549d877-dde8-45de-b87a-eb68207d0b3c",
        "email": "linus@computer.com",
        "name": "Linus",
        "surname": "Torvalds",
        "role": UNKNOWN_VALUE,
        "email_confirmed": True,
        "created_at": 1748553783.0,
        UNKNOWN: {"name": "kernel"},
    }
    user = models.User.from_dict(raw)
    assert user.role == UNKNOWN_VALUE
    assert user[UNKNOWN] == {"name": "kernel"}
    assert user.to_dict() == raw
    # Names made up per run (the spec cannot know them), so a probe patch never breaks this.
    # A known value still becomes the enum, which compares equal to its raw string.
    known = models.User.from_dict({**raw, "role": "Manager"})
    assert known.role is models.UserRole.MANAGER
    assert known.role == "Manager"

    config = {"webhook_urls": ["https://x.test/h"], "webhook_triggers": ["moved_to_archived"]}
    assert models.WebhookConfig.from_dict(config).to_dict() == config

    order = order_json(
        "312babc6-e742-4d54-ac49-e0f7b16ec15a", UNKNOWN_VALUE, **{UNKNOWN: "ultrafast"}
    )
    order["info"]["product"].update(package_type="platinum", add_ons=["drone_video"], x=1)
    order["delivery_assets"] = {"listing_floorplans": {"pdf_urls": ["u.pdf"]}, "holo": {"url": "u"}}
    order["billing"] = {"currency": "EUR"}
    parsed = models.Order.from_dict(order)
    assert parsed.info.status == UNKNOWN_VALUE
    assert parsed.info[UNKNOWN] == "ultrafast"
    assert parsed.delivery_assets["holo"] == {"url": "u"}
    assert parsed.to_dict() == order


def test_absent_delivery_assets_read_as_empty_and_list_items_keep_them_absent() -> None:
    # Third-party fixtures: drafts send `listing_floorplans: []`, and some answers no
    # `delivery_assets` at all. Typed access stays simple: empty lists, no UNSET.
    sent = {**order_json("d1", "Draft"), "delivery_assets": {"listing_floorplans": []}}
    draft = models.Order.from_dict(sent)
    assert draft.delivery_assets.listing_floorplans.pdf_urls == []
    absent = models.Order.from_dict(order_json("d2"))
    assert absent.delivery_assets.listing_floorplans.png_urls == []
    # What came is written back as it came (`[]` stays `[]`); what did not come stays out.
    assert draft.to_dict() == sent
    assert absent.to_dict() == order_json("d2")
    # Once filled in, a part that came empty is written as the object it now is.
    draft.delivery_assets.listing_floorplans.pdf_urls.append("u.pdf")
    assert draft.to_dict()["delivery_assets"] == {"listing_floorplans": {"pdf_urls": ["u.pdf"]}}
    absent.delivery_assets.listing_floorplans.png_urls.append("u.png")
    assert absent.to_dict()["delivery_assets"] == {"listing_floorplans": {"png_urls": ["u.png"]}}
    # A list item says whether the list sent them.
    item = models.OrderListItem.from_dict(order_json("d3"))
    assert isinstance(item.delivery_assets, Unset)


def test_unknown_webhook_values_and_fields_are_kept() -> None:
    body = {
        "id": "363c38cd-9682-4ff3-9100-9ef4e755f275",
        "current_status": UNKNOWN_VALUE,
        "previous_status": "Ready",
        "product_type": "hologram",
        "delivery_type": "redelivery",
        "region": "eu",
    }
    event = cubicasa_webhook_models.OrderStatusEvent.model_validate(body)
    assert event.current_status == UNKNOWN_VALUE
    assert event.model_dump(mode="json", exclude_unset=True) == body


def _serve_change_request(seen: list[dict[str, Any]]) -> Any:
    body = json.dumps(
        {
            "id": "010338fb-b1d5-4086-96b9-003285aa3340",
            "img_urls": ["https://www.urltoimg.com/1.jpg", "https://www.urltoimg.com/2.jpg"],
            "sent_at": 1748455764.159082,
            "text": "fix request text",
        }
    ).encode()

    def handle(request: BaseHTTPRequestHandler) -> None:
        seen.append(
            {
                "method": request.command,
                "path": request.path,
                "headers": {k.lower(): v for k, v in request.headers.items()},
            }
        )
        request.send_response(200)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handle


def _client(base_url: str) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=base_url, token="test-key-123", prefix="", auth_header_name="api-key"
    )


def _check(result: Any, seen: list[dict[str, Any]]) -> None:
    assert result.status_code == 200
    change_request = result.parsed
    assert isinstance(change_request, models.ChangeRequest)
    assert change_request.id == "010338fb-b1d5-4086-96b9-003285aa3340"
    assert change_request.img_urls == [
        "https://www.urltoimg.com/1.jpg",
        "https://www.urltoimg.com/2.jpg",
    ]
    assert change_request.sent_at == 1748455764.159082
    assert change_request.text == "fix request text"
    (request,) = seen
    assert request["method"] == "GET"
    assert request["path"] == "/orders/ord-1/change-requests/cr%2F2"
    assert request["headers"]["api-key"] == "test-key-123"
    assert "authorization" not in request["headers"]


def test_generated_get_change_request_calls_a_real_server(local_server: Any) -> None:
    seen: list[dict[str, Any]] = []
    base_url = local_server(_serve_change_request(seen))
    with _client(base_url) as client:
        result = get_change_request.sync_detailed("ord-1", "cr/2", client=client)
    _check(result, seen)


def test_generated_get_change_request_async_calls_a_real_server(local_server: Any) -> None:
    seen: list[dict[str, Any]] = []
    base_url = local_server(_serve_change_request(seen))

    async def call() -> Any:
        async with _client(base_url) as client:
            return await get_change_request.asyncio_detailed("ord-1", "cr/2", client=client)

    _check(asyncio.run(call()), seen)
