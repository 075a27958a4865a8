"""Every public resource method checks its arguments before anything is sent: `TypeError` for a
wrong type, `ValueError` for a bad value, each naming the argument. Sync and async."""

from __future__ import annotations

import asyncio
import inspect
import re
import warnings
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import cubicasa
from cubicasa import AsyncCubiCasa, CubiCasa
from tests.conftest import order_json
from tests.facade.conftest import API_KEY, json_response, page

BASE = "http://127.0.0.1:9/api/integrate/v3"
ADDRESS = {
    "street": "615 Bourbon St",
    "city": "New Orleans",
    "country": "United States",
    "owner_email": "linus@computer.com",
}


def _refuse(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"nothing may be sent, but {request.method} {request.url} was")


def call(style: str, method: Callable[[Any], Any]) -> Any:
    """Run `method(client)` with a client whose transport fails the test if a request leaves;
    a returned pager is iterated (async: with `async for`)."""
    if style == "sync":
        with CubiCasa(
            api_key=API_KEY,
            base_url=BASE,
            http_client=httpx.Client(transport=httpx.MockTransport(_refuse)),
        ) as client:
            result = method(client)
            return list(result) if isinstance(result, cubicasa.Pager) else result

    async def main() -> Any:
        async with AsyncCubiCasa(
            api_key=API_KEY,
            base_url=BASE,
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(_refuse)),
        ) as client:
            result = method(client)
            if isinstance(result, cubicasa.AsyncPager):
                return [item async for item in result]
            return await result if inspect.isawaitable(result) else result

    return asyncio.run(main())


# (id, call on a client, error type, the argument the message must name)
CASES: list[tuple[str, Callable[[Any], Any], type[Exception], str]] = [
    # Pagers: checked at the call, not inside the walk.
    ("page_size str", lambda c: c.orders.list(page_size="10"), TypeError, "page_size"),
    ("page_size bool", lambda c: c.users.list(page_size=True), TypeError, "page_size"),
    ("page_size 0", lambda c: c.offices.list(page_size=0), ValueError, "page_size"),
    ("page_size float", lambda c: c.orders.list(page_size=10.0), TypeError, "page_size"),
    ("max_items str", lambda c: c.orders.list(max_items="5"), TypeError, "max_items"),
    ("max_items -1", lambda c: c.users.list(max_items=-1), ValueError, "max_items"),
    ("concurrency str", lambda c: c.orders.list(concurrency="4"), TypeError, "concurrency"),
    ("concurrency 0", lambda c: c.orders.list(concurrency=0), ValueError, "concurrency"),
    ("concurrency 1000", lambda c: c.orders.list(concurrency=1000), ValueError, "concurrency"),
    (
        "change_requests page_size",
        lambda c: c.orders.change_requests.list("o-1", page_size="2"),
        TypeError,
        "page_size",
    ),
    ("status int", lambda c: c.orders.list(status=3), TypeError, "status"),
    ("status list of int", lambda c: c.orders.list(status=[1]), TypeError, "status"),
    ("status empty", lambda c: c.orders.list(status=[""]), ValueError, "status"),
    # Orders.
    ("get id int", lambda c: c.orders.get(615), TypeError, "order_id"),
    ("get id empty", lambda c: c.orders.get(" "), ValueError, "order_id"),
    ("get id None", lambda c: c.orders.get(None), TypeError, "order_id"),
    (
        "upgrade package int",
        lambda c: c.orders.upgrade("o", package_type=2),
        TypeError,
        "package_type",
    ),
    (
        "upgrade package empty",
        lambda c: c.orders.upgrade("o", package_type=""),
        ValueError,
        "package_type",
    ),
    (
        "upgrade add_ons str",
        lambda c: c.orders.upgrade("o", add_ons="floorplan"),
        TypeError,
        "add_ons",
    ),
    ("upgrade add_ons int", lambda c: c.orders.upgrade("o", add_ons=[1]), TypeError, "add_ons"),
    ("redraw info int", lambda c: c.orders.redraw("o", info=1), TypeError, "info"),
    (
        "redeliver prefs style str",
        lambda c: c.orders.redeliver("o", order_preferences={"style_2d": "abc"}),
        TypeError,
        "order_preferences",
    ),
    (
        "redraw prefs style int",
        lambda c: c.orders.redraw("o", order_preferences={"style_3d": 5}),
        TypeError,
        "order_preferences",
    ),
    (
        "draft prefs key int",
        lambda c: c.drafts.create(**ADDRESS, order_preferences={1: {}}),
        TypeError,
        "order_preferences",
    ),
    (
        "redeliver prefs",
        lambda c: c.orders.redeliver("o", order_preferences=1),
        TypeError,
        "order_preferences",
    ),
    ("pdf id", lambda c: c.orders.get_combined_pdf(b"o"), TypeError, "order_id"),
    ("download path", lambda c: c.orders.download_combined_pdf("o", 3), TypeError, "path"),
    ("download path empty", lambda c: c.orders.download_combined_pdf("o", ""), ValueError, "path"),
    (
        "download progress",
        lambda c: c.orders.download_combined_pdf("o", "p.pdf", progress=1),
        TypeError,
        "progress",
    ),
    # Change requests.
    ("cr text int", lambda c: c.orders.change_requests.create("o", text=5), TypeError, "text"),
    ("cr text empty", lambda c: c.orders.change_requests.create("o", text=""), ValueError, "text"),
    (
        "cr img_urls",
        lambda c: c.orders.change_requests.create("o", text="t", img_urls="u"),
        TypeError,
        "img_urls",
    ),
    ("cr list id", lambda c: c.orders.change_requests.list(5), TypeError, "order_id"),
    ("cr get id", lambda c: c.orders.change_requests.get("o", ""), ValueError, "change_request_id"),
    # Drafts and GoToScan: every string argument.
    (
        "draft street int",
        lambda c: c.drafts.create(**{**ADDRESS, "street": 615}),
        TypeError,
        "street",
    ),
    (
        "draft street empty",
        lambda c: c.drafts.create(**{**ADDRESS, "street": ""}),
        ValueError,
        "street",
    ),
    ("draft city None", lambda c: c.drafts.create(**{**ADDRESS, "city": None}), TypeError, "city"),
    (
        "draft country int",
        lambda c: c.drafts.create(**{**ADDRESS, "country": 1}),
        TypeError,
        "country",
    ),
    (
        "draft owner empty",
        lambda c: c.drafts.create(**{**ADDRESS, "owner_email": "  "}),
        ValueError,
        "owner_email",
    ),
    ("draft suite int", lambda c: c.drafts.create(**ADDRESS, suite=4), TypeError, "suite"),
    ("draft state int", lambda c: c.drafts.create(**ADDRESS, state=4), TypeError, "state"),
    (
        "draft postal int",
        lambda c: c.drafts.create(**ADDRESS, postal_code=70116),
        TypeError,
        "postal_code",
    ),
    ("draft info int", lambda c: c.drafts.create(**ADDRESS, info=4), TypeError, "info"),
    (
        "draft external int",
        lambda c: c.drafts.create(**ADDRESS, external_id=4),
        TypeError,
        "external_id",
    ),
    (
        "draft package int",
        lambda c: c.drafts.create(**ADDRESS, package_type=4),
        TypeError,
        "package_type",
    ),
    (
        "draft latitude str",
        lambda c: c.drafts.create(**ADDRESS, latitude="29.9"),
        TypeError,
        "latitude",
    ),
    (
        "draft latitude range",
        lambda c: c.drafts.create(**ADDRESS, latitude=91),
        ValueError,
        "latitude",
    ),
    (
        "draft longitude nan",
        lambda c: c.drafts.create(**ADDRESS, longitude=float("nan")),
        ValueError,
        "longitude",
    ),
    ("draft add_ons str", lambda c: c.drafts.create(**ADDRESS, add_ons="x"), TypeError, "add_ons"),
    ("draft update id", lambda c: c.drafts.update(1, **ADDRESS), TypeError, "order_id"),
    (
        "draft update street",
        lambda c: c.drafts.update("o", **{**ADDRESS, "street": 615}),
        TypeError,
        "street",
    ),
    ("draft delete id", lambda c: c.drafts.delete(""), ValueError, "order_id"),
    (
        "gotoscan street int",
        lambda c: c.gotoscan.create(**{**ADDRESS, "street": 615}),
        TypeError,
        "street",
    ),
    (
        "gotoscan city empty",
        lambda c: c.gotoscan.create(**{**ADDRESS, "city": ""}),
        ValueError,
        "city",
    ),
    (
        "gotoscan client_name",
        lambda c: c.gotoscan.create(**ADDRESS, client_name=1),
        TypeError,
        "client_name",
    ),
    (
        "gotoscan priority",
        lambda c: c.gotoscan.create(**ADDRESS, priority=1),
        TypeError,
        "priority",
    ),
    (
        "gotoscan postal",
        lambda c: c.gotoscan.create(**ADDRESS, postal_code=70116),
        TypeError,
        "postal_code",
    ),
    # Users, offices, company.
    ("user email int", lambda c: c.users.create(email=1, role="User"), TypeError, "email"),
    ("user role int", lambda c: c.users.create(email="a@b.test", role=1), TypeError, "role"),
    (
        "user role unknown",
        lambda c: c.users.create(email="a@b.test", role="Admin"),
        ValueError,
        "role",
    ),
    ("user role None", lambda c: c.users.create(email="a@b.test", role=None), ValueError, "role"),
    (
        "user office int",
        lambda c: c.users.create(email="a@b.test", role="User", office_id=3),
        TypeError,
        "office_id",
    ),
    (
        "user password int",
        lambda c: c.users.create(email="a@b.test", role="User", password=3),
        TypeError,
        "password",
    ),
    ("user get", lambda c: c.users.get(""), ValueError, "email"),
    ("user update name", lambda c: c.users.update("a@b.test", name=1), TypeError, "name"),
    ("user update surname", lambda c: c.users.update("a@b.test", surname=1), TypeError, "surname"),
    ("user update nothing", lambda c: c.users.update("a@b.test"), ValueError, "name"),
    (
        "user password old",
        lambda c: c.users.change_password("a@b.test", 1, "n"),
        TypeError,
        "old_password",
    ),
    (
        "user password new",
        lambda c: c.users.change_password("a@b.test", "o", ""),
        ValueError,
        "new_password",
    ),
    ("user reset", lambda c: c.users.send_password_reset(None), TypeError, "email"),
    ("user delete", lambda c: c.users.delete(7), TypeError, "user_id"),
    ("office name", lambda c: c.offices.create(name=1), TypeError, "name"),
    ("office name empty", lambda c: c.offices.create(name=""), ValueError, "name"),
    ("merge email", lambda c: c.company.send_merge_request(email=1), TypeError, "email"),
    # Webhooks.
    (
        "webhook http",
        lambda c: c.webhooks.update(["http://hooks.agency.test/x"], ["moved_to_ready"]),
        ValueError,
        "https",
    ),
    (
        "webhook relative",
        lambda c: c.webhooks.update(["/hook"], ["moved_to_ready"]),
        ValueError,
        "absolute",
    ),
    (
        "webhook ftp",
        lambda c: c.webhooks.update(["ftp://hooks.agency.test/x"], ["moved_to_ready"]),
        ValueError,
        "https",
    ),
    (
        "webhook urls str",
        lambda c: c.webhooks.update("https://h.test/x", ["moved_to_ready"]),
        TypeError,
        "urls",
    ),
    (
        "webhook trigger",
        lambda c: c.webhooks.update(["https://h.test/x"], ["moved_to_redy"]),
        ValueError,
        "trigger",
    ),
    (
        "webhook triggers int",
        lambda c: c.webhooks.update(["https://h.test/x"], [1]),
        TypeError,
        "triggers",
    ),
]


@pytest.mark.parametrize("style", ["sync", "async"])
@pytest.mark.parametrize(
    ("method", "error", "name"), [pytest.param(*case[1:], id=case[0]) for case in CASES]
)
def test_a_bad_argument_is_refused_before_sending(
    style: str, method: Callable[[Any], Any], error: type[Exception], name: str
) -> None:
    with pytest.raises(error) as raised:
        call(style, method)
    assert type(raised.value) is error  # not a subclass such as a CubiCasaError
    assert name in str(raised.value)


@pytest.mark.parametrize("style", ["sync", "async"])
@pytest.mark.parametrize(
    "method",
    [
        pytest.param(lambda c: c.orders.list(page_size="10"), id="orders"),
        pytest.param(lambda c: c.users.list(max_items=-1), id="users"),
        pytest.param(lambda c: c.offices.list(concurrency=0), id="offices"),
    ],
)
def test_pager_arguments_fail_at_the_call_not_in_the_walk(
    style: str, method: Callable[[Any], Any]
) -> None:
    client: Any = CubiCasa(api_key=API_KEY, base_url=BASE) if style == "sync" else None
    if client is None:
        client = AsyncCubiCasa(api_key=API_KEY, base_url=BASE)
    with pytest.raises((TypeError, ValueError)):
        method(client)  # no iteration: the call itself raises
    if style == "sync":
        client.close()
    else:
        asyncio.run(client.close())


@pytest.mark.parametrize("style", ["sync", "async"])
@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/h"]
)
def test_plain_http_webhooks_are_allowed_for_loopback_only(style: str, url: str) -> None:
    seen: list[Any] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_response({"webhook_urls": [url], "webhook_triggers": ["moved_to_ready"]})

    if style == "sync":
        with CubiCasa(
            api_key=API_KEY,
            base_url=BASE,
            http_client=httpx.Client(transport=httpx.MockTransport(handle)),
        ) as client:
            client.webhooks.update([url], ["moved_to_ready"])
    else:

        async def main() -> None:
            async with AsyncCubiCasa(
                api_key=API_KEY,
                base_url=BASE,
                http_client=httpx.AsyncClient(transport=httpx.MockTransport(handle)),
            ) as client:
                await client.webhooks.update([url], ["moved_to_ready"])

        asyncio.run(main())
    assert len(seen) == 1


@pytest.mark.parametrize("style", ["sync", "async"])
def test_an_unknown_status_warns_and_is_still_sent(style: str) -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_response(page([], has_more=False, next_offset=None))

    if style == "sync":
        with CubiCasa(
            api_key=API_KEY,
            base_url=BASE,
            http_client=httpx.Client(transport=httpx.MockTransport(handle)),
        ) as client:
            with pytest.warns(UserWarning, match="not one CubiCasa documents") as warned:
                pager = client.orders.list(status=["Redy", "Ready"])
            assert list(pager) == []
    else:

        async def main() -> Any:
            async with AsyncCubiCasa(
                api_key=API_KEY,
                base_url=BASE,
                http_client=httpx.AsyncClient(transport=httpx.MockTransport(handle)),
            ) as client:
                with pytest.warns(UserWarning, match="not one CubiCasa documents") as warned:
                    pager = client.orders.list(status="Redy")
                assert [o async for o in pager] == []
                return warned

        warned = asyncio.run(main())
    assert len(warned) == 1
    message = str(warned[0].message)
    assert "'Redy'" in message
    assert "New, Draft, Pending, Ready, Fixing" in message
    assert warned[0].filename == __file__  # points at the caller's line
    assert "Redy" in seen[0].url.params.get_list("status")


def test_documented_statuses_do_not_warn() -> None:
    with (
        warnings.catch_warnings(),
        CubiCasa(api_key=API_KEY, base_url=BASE) as client,
    ):
        warnings.simplefilter("error")
        client.orders.list(status=["New", "Draft", "Pending", "Ready", "Fixing"])


def test_pager_repr_says_what_it_walks_and_how_far() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", "0"))
        items = [order_json(f"o-{offset + n}") for n in range(2)]
        return json_response(page(items, has_more=offset < 6, next_offset=offset + 3, limit=2))

    with CubiCasa(
        api_key=API_KEY,
        base_url=BASE,
        http_client=httpx.Client(transport=httpx.MockTransport(handle)),
    ) as client:
        pager = client.orders.list(status=["Ready"], page_size=2)
        assert repr(pager) == "Pager(orders.list(status=['Ready'], page_size=2): not started)"
        walking = iter(pager)
        next(walking)
        assert repr(pager) == (
            "Pager(orders.list(status=['Ready'], page_size=2): 1 page, 2 items, next offset 3)"
        )
        list(walking)
        assert repr(pager).endswith(": 3 pages, 6 items, done)")
        assert API_KEY not in repr(pager)
        cr = client.orders.change_requests.list("o-1", max_items=5)
        assert (
            repr(cr)
            == "Pager(orders.change_requests.list(order_id='o-1', max_items=5): not started)"
        )


def test_async_pager_repr_and_await_hint() -> None:
    async def main() -> None:
        async with AsyncCubiCasa(api_key=API_KEY, base_url=BASE) as client:
            pager = client.users.list(concurrency=2)
            assert repr(pager) == "AsyncPager(users.list(concurrency=2): not started)"
            with pytest.raises(TypeError, match=re.escape("async for item in client.users.list(")):
                await pager  # type: ignore[misc]

    asyncio.run(main())


def test_awaiting_a_sync_pager_says_to_iterate_it() -> None:
    async def main() -> None:
        with (
            CubiCasa(api_key=API_KEY, base_url=BASE) as client,
            pytest.raises(TypeError, match=re.escape("for item in client.offices.list(")),
        ):
            await client.offices.list()  # type: ignore[misc]

    asyncio.run(main())
