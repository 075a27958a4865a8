"""What is retried (and what never is), and how every kind of bad answer becomes a typed error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

import cubicasa
from cubicasa import CubiCasa
from tests.conftest import order_json
from tests.facade.conftest import Backends, Slow, body_of, json_response, run
from tests.servers import unused_port

ORDER = order_json("o1")
DRAFT = {"street": "615 Bourbon St", "city": "New Orleans", "country": "United States",
         "owner_email": "linus@computer.com"}  # fmt: skip


def scripted(*answers: Any) -> Any:
    """Answer with each of `answers` in turn, then keep answering with the last."""
    queue = list(answers)

    def handle(request: httpx.Request) -> Any:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handle


# ----- retries --------------------------------------------------------------------------------


def test_503_then_200_on_get_is_retried(backends: Backends, sleeps: list[float]) -> None:
    client, recorder = backends.sync(
        scripted(json_response({"message": "busy"}, 503), json_response(ORDER))
    )
    assert client.orders.get("o1").id == "o1"
    assert len(recorder.requests) == 2
    assert len(sleeps) == 1
    assert 0.375 <= sleeps[0] <= 0.5  # 0.5 s less up to 25 % jitter


def test_429_retry_after_seconds_is_honoured(backends: Backends, sleeps: list[float]) -> None:
    client, recorder = backends.sync(
        scripted(
            json_response({"message": "slow"}, 429, {"Retry-After": "3"}), json_response(ORDER)
        )
    )
    client.orders.get("o1")
    assert sleeps == [3.0]
    assert len(recorder.requests) == 2


def test_429_retry_after_http_date_is_honoured_up_to_the_cap(
    backends: Backends, sleeps: list[float]
) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    client, _ = backends.sync(
        scripted(json_response({}, 429, {"Retry-After": later}), json_response(ORDER))
    )
    client.orders.get("o1")
    assert sleeps == [60.0]


def test_429_on_post_is_retried(backends: Backends) -> None:
    client, recorder = backends.sync(
        scripted(json_response({}, 429, {"Retry-After": "1"}), json_response(ORDER))
    )
    assert client.drafts.create(**DRAFT).id == "o1"
    assert [r.method for r in recorder.requests] == ["POST", "POST"]


def test_503_on_post_is_sent_once(backends: Backends, sleeps: list[float]) -> None:
    client, recorder = backends.sync(
        scripted(json_response({"message": "oops"}, 503), json_response(ORDER))
    )
    with pytest.raises(cubicasa.InternalServerError) as caught:
        client.drafts.create(**DRAFT)
    assert caught.value.status_code == 503
    assert len(recorder.requests) == 1
    assert sleeps == []


def test_a_timeout_on_post_is_sent_once(backends: Backends) -> None:
    client, recorder = backends.sync(lambda r: Slow(json_response(ORDER), 1.0), timeout=0.2)
    with pytest.raises(cubicasa.APITimeoutError):
        client.orders.upgrade("o1", add_ons=["gla"])
    assert len(recorder.requests) == 1


def test_a_timeout_on_get_is_retried(backends: Backends) -> None:
    client, recorder = backends.sync(lambda r: Slow(json_response(ORDER), 1.0), timeout=0.2)
    with pytest.raises(cubicasa.APITimeoutError):
        client.orders.get("o1")
    assert len(recorder.requests) == 3  # the first try and max_retries=2


def test_a_refused_connection_is_retried_even_for_post(sleeps: list[float]) -> None:
    port = unused_port()  # nothing listens there
    client = CubiCasa(api_key="k", base_url=f"http://127.0.0.1:{port}/v3")
    with client, pytest.raises(cubicasa.APIConnectionError) as caught:
        client.drafts.create(**DRAFT)
    assert not isinstance(caught.value, cubicasa.APITimeoutError)
    assert len(sleeps) == 2  # never sent, so safe to send again


def test_max_retries_zero_turns_retries_off(backends: Backends, sleeps: list[float]) -> None:
    client, recorder = backends.sync(
        scripted(json_response({}, 503), json_response(ORDER)), max_retries=0
    )
    with pytest.raises(cubicasa.InternalServerError):
        client.orders.get("o1")
    assert len(recorder.requests) == 1
    assert sleeps == []


def test_retries_give_up_after_max_retries(backends: Backends, sleeps: list[float]) -> None:
    client, recorder = backends.sync(lambda r: json_response({}, 502), max_retries=3)
    with pytest.raises(cubicasa.InternalServerError):
        client.orders.get("o1")
    assert len(recorder.requests) == 4
    assert len(sleeps) == 3
    assert sleeps[0] < sleeps[1] < sleeps[2] <= 2.0


def test_async_retries_follow_the_same_rules(backends: Backends, sleeps: list[float]) -> None:
    client, recorder = backends.async_(
        scripted(json_response({}, 503), json_response(ORDER), json_response({}, 503))
    )

    async def main() -> None:
        async with client:
            assert (await client.orders.get("o1")).id == "o1"
            with pytest.raises(cubicasa.InternalServerError):
                await client.drafts.create(**DRAFT)

    run(main())
    assert [r.method for r in recorder.requests] == ["GET", "GET", "POST"]
    assert len(sleeps) == 1


def test_with_options_changes_the_retry_count(backends: Backends) -> None:
    client, recorder = backends.sync(lambda r: json_response({}, 500))
    with pytest.raises(cubicasa.InternalServerError):
        client.with_options(max_retries=0).orders.get("o1")
    assert len(recorder.requests) == 1


# ----- errors ---------------------------------------------------------------------------------

VALIDATION = {
    "validation_error": {
        "body_params": [
            {"loc": ["street"], "msg": "field required"},
            {"loc": ["info"], "msg": "str type expected"},
        ]
    }
}


def test_a_400_validation_body_is_parsed(backends: Backends) -> None:
    client, _ = backends.sync(lambda r: json_response(VALIDATION, 400))
    with pytest.raises(cubicasa.BadRequestError) as caught:
        client.drafts.create(**DRAFT)
    error = caught.value
    assert error.errors == [("body.street", "field required"), ("body.info", "str type expected")]
    assert "body.street: field required" in str(error)
    assert error.status_code == 400
    assert error.body == VALIDATION


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, cubicasa.AuthenticationError),
        (403, cubicasa.PermissionDeniedError),
        (404, cubicasa.NotFoundError),
        (409, cubicasa.ConflictError),
        (422, cubicasa.UnprocessableEntityError),
        (429, cubicasa.RateLimitError),
        (500, cubicasa.InternalServerError),
        (418, cubicasa.APIStatusError),
    ],
)
def test_each_status_has_its_error(backends: Backends, status: int, error: type[Exception]) -> None:
    client, _ = backends.sync(
        lambda r: json_response({"message": "nope"}, status, {"X-Request-Id": "req-9"}),
        max_retries=0,
    )
    with pytest.raises(error) as caught:
        client.orders.get("o1")
    assert isinstance(caught.value, cubicasa.APIStatusError)
    assert caught.value.status_code == status
    assert caught.value.request_id == "req-9"
    assert "nope" in str(caught.value)
    assert "req-9" in str(caught.value)


def test_an_html_502_from_a_proxy_is_a_status_error(backends: Backends) -> None:
    html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>" * 20
    client, _ = backends.sync(
        lambda r: httpx.Response(502, text=html, headers={"Content-Type": "text/html"}),
        max_retries=0,
    )
    with pytest.raises(cubicasa.InternalServerError) as caught:
        client.orders.get("o1")
    message = str(caught.value)
    assert "<title>502 Bad Gateway</title>" in message
    assert len(message) < 500
    assert caught.value.body == html


def test_invalid_json_in_a_200_is_a_response_validation_error(backends: Backends) -> None:
    client, _ = backends.sync(lambda r: httpx.Response(200, text="{not json" + "x" * 1000))
    with pytest.raises(cubicasa.ResponseValidationError) as caught:
        client.orders.get("o1")
    assert caught.value.text.startswith("{not json")
    assert len(caught.value.text) < 400


@pytest.mark.parametrize("body", [[1, 2], {"info": {}}, {"id": "o", "info": 5}, "text", 42])
def test_a_200_of_the_wrong_shape_is_a_model_unless_strict(backends: Backends, body: Any) -> None:
    client, _ = backends.sync(lambda r: json_response(body))
    order = client.orders.get("o1")
    assert order.to_dict() == body
    with pytest.raises((cubicasa.MissingFieldError, cubicasa.FieldTypeError)):
        order.info.status  # noqa: B018
    strict, _ = backends.sync(lambda r: json_response(body), conformance="strict")
    with pytest.raises(cubicasa.ResponseValidationError):
        strict.orders.get("o1")


def test_a_list_page_without_items_cannot_be_walked(backends: Backends) -> None:
    client, _ = backends.sync(lambda r: json_response({"pagination": {}, "items": "x"}))
    with pytest.raises(cubicasa.PaginationError, match="page at offset 0: listOrders: /items was"):
        list(client.orders.list())
    strict, _ = backends.sync(
        lambda r: json_response({"pagination": {}, "items": "x"}), conformance="strict"
    )
    with pytest.raises(cubicasa.ResponseValidationError):
        list(strict.orders.list())


def test_async_errors_are_the_same(backends: Backends) -> None:
    client, _ = backends.async_(lambda r: httpx.Response(200, text="<html>"))

    async def main() -> None:
        async with client:
            with pytest.raises(cubicasa.ResponseValidationError):
                await client.orders.get("o1")

    run(main())


def test_unknown_values_and_fields_reach_the_caller(backends: Backends) -> None:
    product = {**ORDER["info"]["product"], "package_type": "gold"}
    body = order_json("o1", "Archived", product=product)
    body["billing"] = {"currency": "EUR"}
    client, _ = backends.sync(lambda r: json_response(body))
    found = client.orders.get("o1")
    assert found.info.status == "Archived"
    assert found.info.product.package_type == "gold"
    assert found["billing"] == {"currency": "EUR"}
    assert found.to_dict() == body


def test_a_201_answer_is_parsed_as_the_documented_model(backends: Backends) -> None:
    client, _ = backends.sync(lambda r: json_response(ORDER, 201))
    assert client.drafts.create(**DRAFT).id == "o1"


def test_bodies_are_sent_as_documented(backends: Backends) -> None:
    client, recorder = backends.sync(lambda r: json_response(ORDER))
    client.orders.upgrade("o1")
    client.drafts.update("o1", postal_code="70130", latitude=29.9, **DRAFT)
    upgrade, update = (body_of(r) for r in recorder.requests)
    assert upgrade == {"package_type": None, "add_ons": []}
    assert update == {**DRAFT, "postalCode": "70130", "latitude": 29.9}
    assert recorder.requests[1].method == "PATCH"
    assert recorder.paths == ["/orders/o1/post-purchase", "/orders/draft/o1"]


def test_bad_arguments_fail_before_anything_is_sent(backends: Backends) -> None:
    client, recorder = backends.sync(lambda r: json_response(ORDER))
    with pytest.raises(ValueError, match="order_id"):
        client.orders.get("")
    with pytest.raises(ValueError, match="street"):
        client.drafts.create(**{**DRAFT, "street": " "})
    with pytest.raises(ValueError, match=r"role must be one of Collaborator, .*Manager, .*User"):
        client.users.create(email="a@b.c", role="Admin")
    with pytest.raises(ValueError, match="unknown webhook trigger"):
        client.webhooks.update(["https://x.test/h"], ["moved_to_redy"])
    with pytest.raises(TypeError, match="add_ons"):
        client.orders.upgrade("o1", add_ons="gla")
    assert recorder.requests == []


def test_path_identifiers_are_percent_encoded(backends: Backends) -> None:
    client, recorder = backends.sync(lambda r: json_response(ORDER))
    client.orders.get("../users/x")
    assert recorder.requests[0].url.raw_path.decode().endswith("/orders/..%2Fusers%2Fx")


def test_webhook_update_warns_about_moved_to_failed(backends: Backends) -> None:
    stored = {"webhook_urls": ["https://x.test/h"], "webhook_triggers": ["moved_to_failed"]}
    client, recorder = backends.sync(lambda r: json_response(stored))
    with pytest.warns(UserWarning, match="not supported yet"):
        result = client.webhooks.update(["https://x.test/h"], ["moved_to_failed"])
    assert result.webhook_triggers == ["moved_to_failed"]
    assert body_of(recorder.requests[0]) == stored


def test_async_429_timeout_400_and_html_502(backends: Backends, sleeps: list[float]) -> None:
    html = "<html><title>502 Bad Gateway</title></html>"
    answers = {
        "/orders/limited": scripted(
            json_response({}, 429, {"Retry-After": "2"}), json_response(ORDER)
        ),
        "/orders/slow/post-purchase": lambda r: Slow(json_response(ORDER), 1.0),
        "/orders/draft": lambda r: json_response(VALIDATION, 400),
        "/orders/proxy": lambda r: httpx.Response(502, text=html),
    }
    client, recorder = backends.async_(
        lambda r: answers[r.url.path.removeprefix("/api/integrate/v3")](r), timeout=0.2
    )

    async def main() -> None:
        async with client:
            assert (await client.orders.get("limited")).id == "o1"
            with pytest.raises(cubicasa.APITimeoutError):
                await client.orders.upgrade("slow", add_ons=["gla"])
            with pytest.raises(cubicasa.BadRequestError) as bad:
                await client.drafts.create(**DRAFT)
            assert bad.value.errors[0] == ("body.street", "field required")
            with pytest.raises(cubicasa.InternalServerError, match="502 Bad Gateway"):
                await client.with_options(max_retries=0).orders.get("proxy")

    run(main())
    assert 2.0 in sleeps
    assert recorder.paths.count("/orders/slow/post-purchase") == 1  # a POST is not repeated


def test_async_refused_connection_is_retried(sleeps: list[float]) -> None:
    port = unused_port()  # nothing listens there

    async def main() -> None:
        async with cubicasa.AsyncCubiCasa(api_key="k", base_url=f"http://127.0.0.1:{port}/v3") as c:
            with pytest.raises(cubicasa.APIConnectionError):
                await c.drafts.create(**DRAFT)

    run(main())
    assert len(sleeps) == 2
