"""Pagers: lazy walks that follow the server's next_offset, stop early, refuse broken chains,
and fetch ahead with `concurrency` without changing what comes out."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from cubicasa import PaginationError, RateLimitError
from cubicasa.pagination import Page, Pager, _Walk
from tests.conftest import order_json
from tests.facade.conftest import Backends, json_response, page, run


def order(n: int) -> dict[str, Any]:
    return order_json(f"order-{n}")


def catalogue(
    total: int,
    next_of: Callable[[int, int], int],
    *,
    default_limit: int = 20,
    delay: float = 0.0,
) -> Callable[[httpx.Request], Any]:
    """Orders 0..total-1 in pages of `limit`; `next_of(offset, limit)` is the server's
    next_offset arithmetic, and an offset that is not on its chain gets a 400."""
    lock = threading.Lock()

    def handle(request: httpx.Request) -> Any:
        params = request.url.params
        offset = int(params.get("offset", 0))
        limit = int(params.get("limit", default_limit))
        if delay:
            time.sleep(delay)
        with lock:
            # Walk the server's own chain to find which item an offset starts at.
            current, index = 0, 0
            while current < offset and index < total:
                current, index = next_of(current, limit), index + limit
            if current != offset:
                return json_response({"message": f"offset {offset} is not a page start"}, 400)
        items = [order(n) for n in range(index, min(index + limit, total))]
        more = index + limit < total
        return json_response(
            page(
                items,
                has_more=more,
                next_offset=next_of(offset, limit) if more else None,
                limit=limit,
            )
        )

    return handle


DOCS_ARITHMETIC = lambda offset, limit: offset + limit + 1  # noqa: E731 - next_offset 21 after 20


def test_three_pages_with_the_docs_arithmetic(backends: Backends) -> None:
    client, recorder = backends.sync(catalogue(50, DOCS_ARITHMETIC))
    ids = [o.id for o in client.orders.list(status=["Ready", "Pending"])]
    assert ids == [f"order-{n}" for n in range(50)]
    offsets = [r.url.params.get("offset") for r in recorder.requests]
    assert offsets == ["0", "21", "42"]  # the server's values, never offset + limit
    assert recorder.requests[0].url.params.get_list("status") == ["Ready", "Pending"]
    assert "limit" not in recorder.requests[0].url.params  # the server's default


def test_pages_expose_items_and_the_pagination_block(backends: Backends) -> None:
    client, _ = backends.sync(catalogue(45, DOCS_ARITHMETIC))
    pages = list(client.orders.list(page_size=20).pages())
    assert [len(p.items) for p in pages] == [20, 20, 5]
    assert [p.offset for p in pages] == [0, 21, 42]
    assert pages[0].pagination.next_offset == 21
    assert pages[0].pagination.has_more is True
    assert pages[-1].pagination.has_more is False


def test_the_pager_is_lazy_and_max_items_fetches_no_extra_page(backends: Backends) -> None:
    client, recorder = backends.sync(catalogue(100, DOCS_ARITHMETIC))
    pager = client.orders.list(page_size=10, max_items=25)
    assert recorder.requests == []
    ids = [o.id for o in pager]
    assert ids == [f"order-{n}" for n in range(25)]
    assert len(recorder.requests) == 3
    assert [len(p.items) for p in client.orders.list(page_size=10, max_items=25).pages()] == [
        10,
        10,
        5,
    ]


def test_a_repeated_offset_is_an_error_not_a_loop(backends: Backends) -> None:
    def handle(request: httpx.Request) -> Any:
        return json_response(page([order(1)], has_more=True, next_offset=0))

    client, recorder = backends.sync(handle)
    with pytest.raises(PaginationError, match="already fetched"):
        list(client.orders.list())
    assert len(recorder.requests) == 1


def test_an_empty_page_that_has_more_is_an_error(backends: Backends) -> None:
    client, _ = backends.sync(lambda r: json_response(page([], has_more=True, next_offset=20)))
    with pytest.raises(PaginationError, match="empty"):
        list(client.users.list())


def test_more_without_next_offset_is_an_error(backends: Backends) -> None:
    client, _ = backends.sync(
        lambda r: json_response(page([order(1)], has_more=True, next_offset=None))
    )
    with pytest.raises(PaginationError, match="no next_offset"):
        list(client.orders.list())


def test_async_for_walks_every_page_without_await(backends: Backends) -> None:
    client, recorder = backends.async_(catalogue(50, DOCS_ARITHMETIC))

    async def main() -> list[str]:
        async with client:
            return [o.id async for o in client.orders.list(status="Ready")]

    assert run(main()) == [f"order-{n}" for n in range(50)]
    assert [r.url.params.get("offset") for r in recorder.requests] == ["0", "21", "42"]


def test_async_pages_and_max_items(backends: Backends) -> None:
    client, recorder = backends.async_(catalogue(100, DOCS_ARITHMETIC))

    async def main() -> list[int]:
        async with client:
            return [
                len(p.items) async for p in client.orders.list(page_size=10, max_items=15).pages()
            ]

    assert run(main()) == [10, 5]
    assert len(recorder.requests) == 2


@pytest.mark.parametrize(
    "arithmetic",
    [
        pytest.param(DOCS_ARITHMETIC, id="offset+limit+1"),
        pytest.param(lambda o, lim: o + lim, id="offset+limit"),
        pytest.param(lambda o, lim: o * 2 + 7, id="irregular"),
    ],
)
def test_concurrent_walk_equals_the_sequential_one(
    backends: Backends, arithmetic: Callable[[int, int], int]
) -> None:
    client, _recorder = backends.sync(catalogue(230, arithmetic))
    sequential = [o.id for o in client.orders.list(page_size=20)]
    concurrent = [o.id for o in client.orders.list(page_size=20, concurrency=4)]
    assert sequential == [f"order-{n}" for n in range(230)]
    assert concurrent == sequential  # in order, none lost, none repeated

    async_client, _ = backends.async_(catalogue(230, arithmetic))

    async def main() -> list[str]:
        async with async_client:
            return [o.id async for o in async_client.orders.list(page_size=20, concurrency=4)]

    assert run(main()) == sequential


def test_concurrent_walk_really_overlaps_requests(backends: Backends) -> None:
    # The first two requests wait for each other: a walk that sent one request at a time would
    # leave the first waiting alone until the barrier's timeout breaks it.
    inner = catalogue(200, DOCS_ARITHMETIC)
    meeting = threading.Barrier(2)
    lock = threading.Lock()
    arrived: list[str] = []
    met: list[bool] = []

    def handle(request: httpx.Request) -> Any:
        with lock:
            arrived.append(request.url.params.get("offset", "0"))
            waits = len(arrived) <= 2
        if waits:
            try:
                meeting.wait(timeout=30)
                met.append(True)
            except threading.BrokenBarrierError:
                met.append(False)
        return inner(request)

    client, _ = backends.sync(handle)
    ids = [o.id for o in client.orders.list(page_size=20, concurrency=4)]
    assert ids == [f"order-{n}" for n in range(200)]
    assert met == [True, True]


def test_a_429_during_a_concurrent_walk_lowers_concurrency(backends: Backends) -> None:
    inner = catalogue(200, DOCS_ARITHMETIC)
    refused = []

    def handle(request: httpx.Request) -> Any:
        offset = int(request.url.params.get("offset", 0))
        if offset == 42 and not refused:
            refused.append(offset)
            return json_response({"message": "slow down"}, 429, {"Retry-After": "0"})
        return inner(request)

    client, _ = backends.sync(handle, max_retries=0)
    ids = [o.id for o in client.orders.list(page_size=20, concurrency=4)]
    assert ids == [f"order-{n}" for n in range(200)]
    assert refused == [42]


def test_walk_halves_concurrency_on_rate_limits() -> None:
    walk = _Walk(None, 8)
    walk.note_rate_limits(0)
    assert walk.concurrency == 8
    walk.note_rate_limits(1)
    assert walk.concurrency == 4
    walk.note_rate_limits(3)
    assert walk.concurrency == 2
    walk.note_rate_limits(4)
    assert walk.concurrency == 1
    assert not walk.speculating()


def test_a_429_that_survives_retries_in_a_sequential_walk_is_raised(backends: Backends) -> None:
    client, _ = backends.sync(lambda r: json_response({"message": "no"}, 429), max_retries=1)
    with pytest.raises(RateLimitError):
        list(client.orders.list())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"page_size": 0}, "page_size"),
        ({"max_items": -1}, "max_items"),
        ({"concurrency": 0}, "concurrency"),
    ],
)
def test_bad_pager_arguments_are_refused_at_once(kwargs: dict[str, int], message: str) -> None:
    def fetch(offset: int, limit: int | None) -> Page[int]:
        raise AssertionError("never fetched")

    with pytest.raises(ValueError, match=message):
        Pager(fetch, **kwargs)


def test_status_must_be_strings() -> None:
    from cubicasa import CubiCasa

    with CubiCasa(api_key="k") as client, pytest.raises(TypeError, match="status"):
        client.orders.list(status=[1, 2])  # type: ignore[list-item]


def test_the_second_page_is_fetched_while_the_first_is_in_flight(backends: Backends) -> None:
    # The first page is answered only once both guesses for page 2 have arrived; a walk that
    # waited for page 1 before asking for page 2 would hold it until the timeout below.
    inner = catalogue(100, DOCS_ARITHMETIC)
    lock = threading.Lock()
    first_done = threading.Event()
    guesses_in = threading.Event()
    seen_before_first_answer: list[str] = []

    def handle(request: httpx.Request) -> Any:
        offset = request.url.params.get("offset", "0")
        if offset == "0":
            guesses_in.wait(timeout=30)
            first_done.set()
        elif not first_done.is_set():
            with lock:
                seen_before_first_answer.append(offset)
                if {"20", "21"} <= set(seen_before_first_answer):
                    guesses_in.set()
        return inner(request)

    client, recorder = backends.sync(handle)
    ids = [o.id for o in client.orders.list(page_size=20, concurrency=4)]
    assert ids == [f"order-{n}" for n in range(100)]
    assert guesses_in.is_set()
    # Both arithmetics the docs allow were tried for page 2 at once; the chain kept offset 21.
    assert sorted(seen_before_first_answer) == ["20", "21"]
    offsets = [r.url.params.get("offset") for r in recorder.requests]
    assert offsets.count("20") == 1  # the one wasted request


def test_no_guesses_when_max_items_fits_the_first_page(backends: Backends) -> None:
    client, recorder = backends.sync(catalogue(100, DOCS_ARITHMETIC))
    assert len(list(client.orders.list(page_size=20, max_items=15, concurrency=4))) == 15
    assert len(recorder.requests) == 1
