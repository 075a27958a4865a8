"""Servers that lie about pagination: each lie ends in `PaginationError` (or is absorbed, for
repeated items) after a bounded number of requests, never in a wrong answer or an endless walk.

Every case runs with the client's default settings, in-process and over HTTP on 127.0.0.1,
sync and async, sequential and concurrent. The walks in these tests are themselves capped
(`LIMIT` items), so a regression fails instead of hanging.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from cubicasa import PaginationError
from cubicasa.pagination import MAX_STALE_PAGES
from tests.conftest import order_json
from tests.facade.conftest import Backends, json_response, run

LIMIT = 5_000  # items a test walk may yield before the test calls it endless
STYLES = [
    pytest.param("sync", None, id="sync"),
    pytest.param("sync", 4, id="sync-concurrent"),
    pytest.param("async", None, id="async"),
    pytest.param("async", 4, id="async-concurrent"),
]


def order(n: int) -> dict[str, Any]:
    return order_json(f"order-{n}")


def raw_page(items: list[Any], pagination: dict[str, Any]) -> httpx.Response:
    return json_response({"pagination": {"limit": 20, **pagination}, "items": items})


def offset_of(request: httpx.Request) -> str:
    return request.url.params.get("offset", "0")


def walk(
    backends: Backends,
    handler: Callable[[httpx.Request], Any],
    style: str,
    concurrency: int | None,
    **kwargs: Any,
) -> tuple[list[str] | PaginationError, list[str]]:
    """Walk `client.orders.list()` (default client settings); the IDs yielded, or the
    PaginationError raised, and the offsets the server was asked for."""
    if style == "sync":
        client, recorder = backends.sync(handler)
        pager = client.orders.list(concurrency=concurrency, **kwargs)
        try:
            result: list[str] | PaginationError = [o.id for o in itertools.islice(pager, LIMIT)]
        except PaginationError as exc:
            result = exc
    else:
        async_client, recorder = backends.async_(handler)

        async def main() -> list[str] | PaginationError:
            ids: list[str] = []
            async with async_client:
                try:
                    async for o in async_client.orders.list(concurrency=concurrency, **kwargs):
                        ids.append(o.id)
                        if len(ids) >= LIMIT:
                            break
                except PaginationError as exc:
                    return exc
            return ids

        result = run(main())
    return result, [offset_of(r) for r in recorder.requests]


def first_page_then(pagination: dict[str, Any]) -> Callable[[httpx.Request], Any]:
    """Page 1 (offset 0) carries `pagination`; any other offset is a plausible last page."""

    def handle(request: httpx.Request) -> Any:
        if offset_of(request) == "0":
            return raw_page([order(n) for n in range(20)], pagination)
        return raw_page([order(100)], {"has_more": False, "next_offset": None})

    return handle


@pytest.mark.parametrize(("style", "concurrency"), STYLES)
@pytest.mark.parametrize(
    ("next_offset", "message"),
    [
        pytest.param(True, "next_offset must be an integer, the server sent True", id="true"),
        pytest.param("21", "next_offset must be an integer, the server sent '21'", id="string"),
        pytest.param(21.0, "next_offset must be an integer, the server sent 21.0", id="float"),
        pytest.param([21], "next_offset must be an integer, the server sent [21]", id="list"),
        pytest.param(-21, "sent next_offset -21: it must be past 0", id="negative"),
        pytest.param(0, "sent next_offset 0: it must be past 0", id="same"),
        pytest.param(None, "has more items but no next_offset", id="null"),
    ],
)
def test_a_next_offset_that_is_not_a_later_integer_is_refused_unsent(
    backends: Backends, style: str, concurrency: int | None, next_offset: Any, message: str
) -> None:
    result, offsets = walk(
        backends,
        first_page_then({"has_more": True, "next_offset": next_offset}),
        style,
        concurrency,
    )
    assert isinstance(result, PaginationError)
    assert "page at offset 0" in str(result)
    assert message in str(result)
    # Only page 1 and, when concurrent, the two guesses for page 2: the lie is never sent.
    assert "0" in offsets
    assert set(offsets) <= ({"0", "20", "21"} if concurrency else {"0"})
    assert not any(o in offsets for o in ("true", "True", "-21", "21.0"))


@pytest.mark.parametrize(("style", "concurrency"), STYLES)
@pytest.mark.parametrize(
    "has_more",
    [
        pytest.param("false", id="string-false"),
        pytest.param("true", id="string-true"),
        pytest.param(1, id="one"),
        pytest.param(0, id="zero"),
        pytest.param(None, id="null"),
    ],
)
def test_has_more_must_be_a_boolean(
    backends: Backends, style: str, concurrency: int | None, has_more: Any
) -> None:
    result, offsets = walk(
        backends, first_page_then({"has_more": has_more, "next_offset": 21}), style, concurrency
    )
    assert isinstance(result, PaginationError)
    assert f"has_more must be true or false, the server sent {has_more!r}" in str(result)
    assert "0" in offsets
    assert "42" not in offsets  # no page beyond the one that lied


@pytest.mark.parametrize(("style", "concurrency"), STYLES)
def test_offsets_going_back_to_unseen_offsets_are_refused(
    backends: Backends, style: str, concurrency: int | None
) -> None:
    """The attack that once gave 420 items, 380 of them repeats: 0 -> 200 -> 10 -> 190 -> ..."""
    chain = {0: 200, 200: 10, 10: 190, 190: 20}

    def handle(request: httpx.Request) -> Any:
        offset = int(offset_of(request))
        items = [order(offset + n) for n in range(20)]
        return raw_page(items, {"has_more": True, "next_offset": chain.get(offset, offset + 21)})

    result, offsets = walk(backends, handle, style, concurrency)
    assert isinstance(result, PaginationError)
    assert "page at offset 200 sent next_offset 10: it must be past 200" in str(result)
    assert "10" not in offsets


@pytest.mark.parametrize(("style", "concurrency"), STYLES)
def test_more_forever_with_the_same_items_stops(
    backends: Backends, style: str, concurrency: int | None
) -> None:
    """Advancing offsets, `has_more: true` for ever, one page of items over and over."""
    handle = lambda r: raw_page(  # noqa: E731
        [order(n) for n in range(20)], {"has_more": True, "next_offset": int(offset_of(r)) + 21}
    )
    result, offsets = walk(backends, handle, style, concurrency)
    assert isinstance(result, PaginationError)
    assert "the server is repeating itself" in str(result)
    # The first page, MAX_STALE_PAGES pages of repeats, and at most a few guesses in flight.
    assert len(offsets) <= 1 + MAX_STALE_PAGES + (2 + 4 if concurrency else 0)


@pytest.mark.parametrize(("style", "concurrency"), STYLES)
def test_more_forever_with_new_items_is_bounded_by_max_items(
    backends: Backends, style: str, concurrency: int | None
) -> None:
    """An endless account looks like a large one: `max_items` is the bound, and it holds."""

    def handle(request: httpx.Request) -> Any:
        offset = int(offset_of(request))
        items = [order(offset + n) for n in range(20)]
        return raw_page(items, {"has_more": True, "next_offset": offset + 20})

    result, offsets = walk(backends, handle, style, concurrency, max_items=1000)
    assert result == [f"order-{n}" for n in range(1000)]
    sequential_requests = 1000 // 20
    assert len(offsets) <= sequential_requests + (2 + 4 if concurrency else 0)


@pytest.mark.parametrize(("style", "concurrency"), STYLES)
def test_orders_created_during_a_walk_are_yielded_once(
    backends: Backends, style: str, concurrency: int | None
) -> None:
    """Newest first, with 5 orders created before each page is read: every later page starts
    with items already seen. The walk skips them and yields each order once; a sequential walk
    loses none of the orders that existed when it started (a concurrent one reads pages at
    different moments, so it may: the README says so)."""
    lock = threading.Lock()
    created = [0]
    total = 100

    def handle(request: httpx.Request) -> Any:
        offset = int(offset_of(request))
        with lock:
            if offset > 0:
                created[0] = min(created[0] + 5, 15)
            newest_first = [f"order-new-{n}" for n in reversed(range(created[0]))] + [
                f"order-{n}" for n in range(total)
            ]
        chunk = newest_first[offset : offset + 20]
        more = offset + 20 < len(newest_first)
        items = [order_json(i) for i in chunk]
        return raw_page(items, {"has_more": more, "next_offset": offset + 20})

    result, _ = walk(backends, handle, style, concurrency)
    assert isinstance(result, list)
    assert len(result) == len(set(result))  # no order twice
    old = [i for i in result if not i.startswith("order-new")]
    expected = [f"order-{n}" for n in range(total)]
    if concurrency:
        assert [i for i in expected if i in old] == old  # in order
    else:
        assert old == expected  # none of the old ones lost, in order


@pytest.mark.parametrize(("style", "concurrency"), STYLES)
def test_overlapping_pages_yield_each_id_once_in_pages_too(
    backends: Backends, style: str, concurrency: int | None
) -> None:
    """A server whose pages overlap by 5 items: `.pages()` shows only the new ones."""

    def handle(request: httpx.Request) -> Any:
        offset = int(offset_of(request))
        start = offset - 5 if offset else 0
        items = [order(n) for n in range(start, min(start + 20, 60))]
        return raw_page(items, {"has_more": start + 20 < 60, "next_offset": offset + 20})

    result, _ = walk(backends, handle, style, concurrency)
    assert result == [f"order-{n}" for n in range(60)]
    if style == "sync":
        client, _ = backends.sync(handle)
        sizes = [len(p.items) for p in client.orders.list(concurrency=concurrency).pages()]
        assert sum(sizes) == 60


@pytest.mark.parametrize("style", ["sync", "async"])
def test_lies_at_guessed_offsets_are_ignored(backends: Backends, style: str) -> None:
    """Speculative requests are guesses: a page fetched at an offset the chain never names may
    say anything, and the walk neither uses it nor fails because of it."""

    def handle(request: httpx.Request) -> Any:
        offset = int(offset_of(request))
        if offset % 21:  # not on the docs' chain 0, 21, 42, ...: a page nobody asked for
            return raw_page([order(-1)], {"has_more": "yes", "next_offset": True})
        index = offset // 21 * 20
        items = [order(n) for n in range(index, min(index + 20, 100))]
        return raw_page(items, {"has_more": index + 20 < 100, "next_offset": offset + 21})

    result, offsets = walk(backends, handle, style, 4)
    assert result == [f"order-{n}" for n in range(100)]
    assert "20" in offsets  # the guess at `limit` was sent, answered with lies, and ignored


def test_the_fake_over_http_walks_with_every_check_on() -> None:
    """The fake CubiCasa over real HTTP, default client: an honest walk is unchanged."""
    from cubicasa import CubiCasa
    from cubicasa.testing import FakeCubiCasa

    fake = FakeCubiCasa(seed=False, docs_offsets=True)
    for _ in range(45):
        fake.add_order(status="Ready")
    with (
        fake.serve() as server,
        CubiCasa(api_key=fake.api_key, base_url=server.base_url) as client,
    ):
        sequential = [o.id for o in client.orders.list(page_size=10)]
        concurrent = [o.id for o in client.orders.list(page_size=10, concurrency=3)]
    assert len(sequential) == 45 == len(set(sequential))
    assert concurrent == sequential
