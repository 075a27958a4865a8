"""Pages and pagers over CubiCasa's offset pagination, sync and async.

The next request always uses the server's `pagination.next_offset`: the docs show `next_offset`
21 after a page of 20 (https://integrate.docs.cubi.casa/pagination-and-offset-1362311m0), so the
offset is never computed. With `concurrency=N` later pages are fetched speculatively, at offsets
guessed from the stride seen so far (and, for the second page, at both `limit` and `limit + 1`
while the first is in flight), and a page is used only when the previous page's `next_offset`
names its offset: the items are exactly those of the sequential walk, in order.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .errors import PaginationError, RateLimitError

if TYPE_CHECKING:  # imported where used, to keep `import cubicasa` light
    import asyncio
    from concurrent.futures import Future

    from cubicasa_api.models import Pagination

__all__ = ["AsyncPager", "Page", "Pager"]

T = TypeVar("T")
DEFAULT_LIMIT = 20  # the documented default page size


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page: its `items`, the server's `pagination` block, and the `offset` it was asked at."""

    items: list[T]
    pagination: Pagination
    offset: int

    @property
    def has_more(self) -> bool:
        return bool(self.pagination.has_more)

    @property
    def next_offset(self) -> int | None:
        value = self.pagination.next_offset
        return value if isinstance(value, int) else None


FetchPage = Callable[[int, int | None], Page[T]]
AsyncFetchPage = Callable[[int, int | None], Awaitable[Page[T]]]


class _Walk:
    """The decisions of a walk, shared by both pagers: which offset is next, whether the chain
    holds, what to fetch ahead. It does no I/O."""

    def __init__(
        self, max_items: int | None, concurrency: int | None, page_size: int | None = None
    ) -> None:
        if max_items is not None and max_items < 0:
            raise ValueError(f"max_items must be >= 0, got {max_items}")
        if concurrency is not None and concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, got {concurrency}")
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
        (cut to `max_items`)."""
        offset = page.offset
        self.seen.add(offset)
        items = page.items
        if self.max_items is not None:
            items = items[: self.max_items - self.emitted]
        self.emitted += len(items)
        if not page.has_more:
            self.offset = None
            return items
        following = page.next_offset
        if following is None:
            raise PaginationError(f"page at offset {offset} has more items but no next_offset")
        if not page.items:
            raise PaginationError(f"page at offset {offset} is empty but says it has more")
        if following in self.seen:
            raise PaginationError(
                f"page at offset {offset} sends back to offset {following}, already fetched"
            )
        if not self.sequential:
            if self.stride is None:
                self.stride = following - offset if following > offset else None
                self.sequential = self.stride is None
            elif following != offset + self.stride:
                # The server's arithmetic changed: speculation would guess wrong from here.
                self.sequential = True
        self.offset = following
        self.page_size_seen = len(page.items)
        return items

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


class Pager(Generic[T]):
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
    ) -> None:
        if page_size is not None and page_size < 1:
            raise ValueError(f"page_size must be >= 1, got {page_size}")
        _Walk(max_items, concurrency)  # validate the arguments now, not at iteration
        self._fetch = fetch
        self._page_size = page_size
        self._max_items = max_items
        self._concurrency = concurrency
        self._rate_limited = rate_limited

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items

    def pages(self) -> Iterator[Page[T]]:
        """Yield each page (items cut to `max_items`), fetching ahead when `concurrency` > 1."""
        walk = _Walk(self._max_items, self._concurrency, self._page_size)
        walk.rate_limited_seen = self._rate_limited()
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


class AsyncPager(Generic[T]):
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
    ) -> None:
        if page_size is not None and page_size < 1:
            raise ValueError(f"page_size must be >= 1, got {page_size}")
        _Walk(max_items, concurrency)
        self._fetch = fetch
        self._page_size = page_size
        self._max_items = max_items
        self._concurrency = concurrency
        self._rate_limited = rate_limited

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Yield each page (items cut to `max_items`), fetching ahead when `concurrency` > 1."""
        import asyncio

        walk = _Walk(self._max_items, self._concurrency, self._page_size)
        walk.rate_limited_seen = self._rate_limited()
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
