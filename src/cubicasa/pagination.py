"""Pages and pagers over CubiCasa's offset pagination, sync and async.

The next request always uses the server's `pagination.next_offset`: the docs show `next_offset`
21 after a page of 20 (https://integrate.docs.cubi.casa/pagination-and-offset-1362311m0), so the
offset is never computed. With `concurrency=N` later pages are fetched speculatively, at offsets
guessed from the stride seen so far (and, for the second page, at both `limit` and `limit + 1`
while the first is in flight), and a page is used only when the previous page's `next_offset`
names its offset: the items are exactly those of the sequential walk, in order.

Every page is checked before its items are used: `has_more` must be a JSON boolean, and when it
is true `next_offset` must be an integer past the offset of that page, so the offsets of a walk
only grow. An item whose ID the walk already yielded is skipped (orders created while a walk runs
shift later pages onto ones already seen); a walk whose pages bring nothing new
`MAX_STALE_PAGES` times in a row stops with `PaginationError`.

Written twice on purpose, not produced by scripts/unasync.py: `Pager.pages` fetches ahead on a
thread pool and `AsyncPager.pages` on tasks, and the two differ in more than their keywords (how
work is started, cancelled and waited for). What they share (the walk, the checks) is `_Walk`.
Each page is fetched by the request loop (`_base_client`), which owns every retry.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from .errors import PaginationError, RateLimitError

if TYPE_CHECKING:  # imported where used, to keep `import cubicasa` light
    import asyncio
    from concurrent.futures import Future

    from cubicasa_api.models import Pagination

__all__ = ["AsyncPager", "Page", "Pager"]

T = TypeVar("T")
DEFAULT_LIMIT = 20  # the documented default page size
MAX_CONCURRENCY = 32  # pages in flight at once; more only costs threads and 429s
MAX_STALE_PAGES = 3  # pages in a row with no new item before the walk gives up


class Listing(Protocol[T]):
    """A page model of a list operation (`OrderList`, `UserList`, ...): what a pager reads."""

    items: list[T]
    pagination: Pagination


def check_count(name: str, value: object, minimum: int, maximum: int | None = None) -> None:
    """An optional whole-number argument: TypeError for another type (bool included), ValueError
    out of range; raised when the pager is built, before anything is sent."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int or None, got {type(value).__name__} {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ValueError(f"{name} must be {bounds}, got {value}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _item_id(item: object) -> str | None:
    value = getattr(item, "id", None)
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page: its `items`, the server's `pagination` block, and the `offset` it was asked at."""

    items: list[T]
    pagination: Pagination
    offset: int

    @property
    def has_more(self) -> bool:
        return self.pagination.has_more is True

    @property
    def next_offset(self) -> int | None:
        value = self.pagination.next_offset
        return value if isinstance(value, int) and not isinstance(value, bool) else None


FetchPage = Callable[[int, int | None], Page[T]]
AsyncFetchPage = Callable[[int, int | None], Awaitable[Page[T]]]


class _Walk:
    """The decisions of a walk, shared by both pagers: which offset is next, whether the chain
    holds, what to fetch ahead. It does no I/O."""

    def __init__(
        self, max_items: int | None, concurrency: int | None, page_size: int | None = None
    ) -> None:
        check_count("page_size", page_size, 1)
        check_count("max_items", max_items, 0)
        check_count("concurrency", concurrency, 1, MAX_CONCURRENCY)
        self.max_items = max_items
        self.concurrency = concurrency or 1
        self.offset: int | None = 0
        self.emitted = 0
        self.seen: set[int] = set()
        self.stride: int | None = None
        self.sequential = self.concurrency == 1
        self.rate_limited_seen = 0
        self.page_size_seen = 1
        self.page_size = page_size
        self.pages = 0
        self.ids: set[str] = set()  # every item ID yielded, to skip repeats
        self.stale = 0  # pages in a row that brought no new item

    def speculating(self) -> bool:
        """Whether pages are fetched ahead (a method: the answer changes as the walk goes)."""
        return not self.sequential

    @property
    def done(self) -> bool:
        return self.offset is None or (
            self.max_items is not None and self.emitted >= self.max_items
        )

    def take(self, page: Page[Any]) -> list[Any]:
        """Check `page` (fetched at `self.offset`), move to the next offset, return its items
        not yielded before (cut to `max_items`)."""
        offset = page.offset
        more = page.pagination.has_more
        if not isinstance(more, bool):
            raise PaginationError(
                f"page at offset {offset}: has_more must be true or false, the server sent {more!r}"
            )
        following: Any = page.pagination.next_offset if more else None
        if more:
            self._check_next(offset, following, page)
        self.seen.add(offset)
        self.pages += 1
        items = self._new(page.items, more)
        if self.max_items is not None:
            items = items[: self.max_items - self.emitted]
        self.emitted += len(items)
        if not more:
            self.offset = None
            return items
        if not self.sequential:
            if self.stride is None:
                self.stride = following - offset
            elif following != offset + self.stride:
                # The server's arithmetic changed: speculation would guess wrong from here.
                self.sequential = True
        self.offset = following
        self.page_size_seen = len(page.items)
        return items

    def _check_next(self, offset: int, following: Any, page: Page[Any]) -> None:
        """A page that has more must name a later page: a whole number past its own offset."""
        from cubicasa_api.types import Unset

        if following is None or isinstance(following, Unset):
            raise PaginationError(f"page at offset {offset} has more items but no next_offset")
        if isinstance(following, bool) or not isinstance(following, int):
            raise PaginationError(
                f"page at offset {offset}: next_offset must be an integer, "
                f"the server sent {following!r}"
            )
        if following <= offset:
            raise PaginationError(
                f"page at offset {offset} sent next_offset {following}: it must be past {offset}, "
                "or the walk would go back to pages already fetched"
            )
        if not page.items:
            raise PaginationError(f"page at offset {offset} is empty but says it has more")

    def _new(self, items: list[Any], more: bool) -> list[Any]:
        """The items whose IDs this walk has not yielded yet; PaginationError when the server
        keeps sending nothing new."""
        fresh = []
        for item in items:
            key = _item_id(item)
            if key is None:
                fresh.append(item)
            elif key not in self.ids:
                self.ids.add(key)
                fresh.append(item)
        self.stale = 0 if fresh or not items else self.stale + 1
        if more and self.stale >= MAX_STALE_PAGES:
            raise PaginationError(
                f"{self.stale} pages in a row (the last at offset {self.offset}) held only items "
                "this walk already yielded: the server is repeating itself"
            )
        return fresh

    def first_guesses(self) -> list[int]:
        """Offsets of the second page worth fetching with the first, before any stride is seen:
        `limit` and `limit + 1`, the two arithmetics the docs support (the default limit is 20).
        The chain check keeps the right one; the other is one wasted request."""
        limit = self.page_size or DEFAULT_LIMIT
        if self.sequential or (self.max_items is not None and self.max_items <= limit):
            return []
        return [limit, limit + 1]

    def ahead(self, pending: set[int]) -> list[int]:
        """Offsets worth fetching now besides `self.offset`, in order."""
        if self.sequential or self.stride is None or self.offset is None:
            return []
        wanted = self.concurrency
        if self.max_items is not None:
            per_page = max(self.page_size_seen, 1)
            wanted = min(wanted, math.ceil((self.max_items - self.emitted) / per_page))
        guesses = [self.offset + k * self.stride for k in range(wanted)]
        return [g for g in guesses if g not in pending and g not in self.seen]

    def note_rate_limits(self, count: int) -> None:
        """Halve the concurrency when the server answered 429 since the last look."""
        if count > self.rate_limited_seen:
            self.concurrency = max(1, self.concurrency // 2)
            self.sequential = self.sequential or self.concurrency == 1
        self.rate_limited_seen = count


class _PagerBase:
    """What both pagers hold: the walk's arguments, what it walks (for the repr), and the
    progress of the latest walk."""

    def __init__(
        self,
        *,
        page_size: int | None,
        max_items: int | None,
        concurrency: int | None,
        rate_limited: Callable[[], int],
        label: str,
        params: dict[str, Any] | None,
    ) -> None:
        _Walk(max_items, concurrency, page_size)  # check the arguments now, not at iteration
        self._page_size = page_size
        self._max_items = max_items
        self._concurrency = concurrency
        self._rate_limited = rate_limited
        self._label = label
        self._params = {k: v for k, v in (params or {}).items() if v is not None}
        self._walk: _Walk | None = None

    def _start(self) -> _Walk:
        walk = _Walk(self._max_items, self._concurrency, self._page_size)
        walk.rate_limited_seen = self._rate_limited()
        self._walk = walk
        return walk

    def __repr__(self) -> str:
        given = {
            **self._params,
            "page_size": self._page_size,
            "max_items": self._max_items,
            "concurrency": self._concurrency,
        }
        args = ", ".join(f"{k}={v!r}" for k, v in given.items() if v is not None)
        walk = self._walk
        if walk is None:
            progress = "not started"
        else:
            where = "done" if walk.done else f"next offset {walk.offset}"
            progress = f"{_count(walk.pages, 'page')}, {_count(walk.emitted, 'item')}, {where}"
        return f"{type(self).__name__}({self._label}({args}): {progress})"


class Pager(_PagerBase, Generic[T]):
    """Iterate for every item across pages, fetched lazily; `.pages()` for whole pages.

    Built by the list methods (`client.orders.list(...)`); nothing is fetched until iteration.
    """

    def __init__(
        self,
        fetch: FetchPage[T],
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        concurrency: int | None = None,
        rate_limited: Callable[[], int] = lambda: 0,
        label: str = "pages",
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            page_size=page_size,
            max_items=max_items,
            concurrency=concurrency,
            rate_limited=rate_limited,
            label=label,
            params=params,
        )
        self._fetch = fetch

    if not TYPE_CHECKING:  # a clear runtime message; mypy still flags `await pager` statically

        def __await__(self):
            raise TypeError(
                f"{self._label}() returns a Pager of the sync client, which is not awaited: "
                f"iterate it with `for item in client.{self._label}(...)`, or use "
                "AsyncCubiCasa and `async for`"
            )

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items

    def pages(self) -> Iterator[Page[T]]:
        """Yield each page (items cut to `max_items`), fetching ahead when `concurrency` > 1."""
        walk = self._start()
        if walk.max_items == 0:
            return
        if not walk.speculating():
            while not walk.done:
                assert walk.offset is not None
                fetched = self._fetch(walk.offset, self._page_size)
                yield self._cut(fetched, walk.take(fetched))
            return
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(walk.concurrency, thread_name_prefix="cubicasa-pager")
        pending: dict[int, Future[Page[T]]] = {}
        for guess in walk.first_guesses():
            pending[guess] = pool.submit(self._fetch, guess, self._page_size)
        try:
            while not walk.done:
                offset = walk.offset
                assert offset is not None
                future = pending.pop(offset, None)
                page = self._result(future, walk) if future else None
                if page is None:
                    page = self._fetch(offset, self._page_size)
                items = walk.take(page)
                walk.note_rate_limits(self._rate_limited())
                if not walk.speculating():
                    _cancel(pending)
                for guess in walk.ahead(set(pending)):
                    pending[guess] = pool.submit(self._fetch, guess, self._page_size)
                yield self._cut(page, items)
        finally:
            _cancel(pending)
            # Wait for fetches already sent (at most `concurrency`): nothing of the walk may
            # still run when the caller goes on, and perhaps closes the client.
            pool.shutdown(wait=True, cancel_futures=True)

    def _result(self, future: Future[Page[T]], walk: _Walk) -> Page[T] | None:
        """A speculative page, or None to fetch it again in line (after a 429, slower)."""
        try:
            return future.result()
        except RateLimitError:
            walk.note_rate_limits(walk.rate_limited_seen + 1)
            return None

    @staticmethod
    def _cut(page: Page[T], items: list[T]) -> Page[T]:
        return page if len(items) == len(page.items) else Page(items, page.pagination, page.offset)


class AsyncPager(_PagerBase, Generic[T]):
    """`async for` every item across pages, fetched lazily; `.pages()` for whole pages.

    Built by the async list methods, without `await`: `async for o in client.orders.list()`.
    """

    def __init__(
        self,
        fetch: AsyncFetchPage[T],
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        concurrency: int | None = None,
        rate_limited: Callable[[], int] = lambda: 0,
        label: str = "pages",
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            page_size=page_size,
            max_items=max_items,
            concurrency=concurrency,
            rate_limited=rate_limited,
            label=label,
            params=params,
        )
        self._fetch = fetch

    if not TYPE_CHECKING:  # a clear runtime message; mypy still flags `await pager` statically

        def __await__(self):
            raise TypeError(
                f"{self._label}() returns an AsyncPager, which is not awaited: iterate it "
                f"without `await`, as `async for item in client.{self._label}(...)` (or "
                "`async for page in pager.pages()`)"
            )

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Yield each page (items cut to `max_items`), fetching ahead when `concurrency` > 1."""
        import asyncio

        walk = self._start()
        if walk.max_items == 0:
            return
        pending: dict[int, asyncio.Task[Page[T]]] = {}
        for guess in walk.first_guesses():
            pending[guess] = asyncio.ensure_future(self._fetch(guess, self._page_size))
        try:
            while not walk.done:
                offset = walk.offset
                assert offset is not None
                task = pending.pop(offset, None)
                page = await self._result(task, walk) if task else None
                if page is None:
                    page = await self._fetch(offset, self._page_size)
                items = walk.take(page)
                walk.note_rate_limits(self._rate_limited())
                if not walk.speculating():
                    await _cancel_tasks(pending)
                for guess in walk.ahead(set(pending)):
                    pending[guess] = asyncio.ensure_future(self._fetch(guess, self._page_size))
                yield Pager._cut(page, items)
        finally:
            await _cancel_tasks(pending)

    async def _result(self, task: asyncio.Task[Page[T]], walk: _Walk) -> Page[T] | None:
        try:
            return await task
        except RateLimitError:
            walk.note_rate_limits(walk.rate_limited_seen + 1)
            return None


def _cancel(pending: dict[int, Future[Any]]) -> None:
    for future in pending.values():
        future.cancel()
    pending.clear()


async def _cancel_tasks(pending: dict[int, asyncio.Task[Any]]) -> None:
    """Cancel fetches nobody will use and wait until they have stopped; their errors are not
    the caller's concern."""
    import asyncio

    tasks = list(pending.values())
    pending.clear()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
