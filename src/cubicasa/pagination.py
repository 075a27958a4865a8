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
`MAX_STALE_PAGES` times in a row stops with `PaginationError`. A page of repeated items other
than the page before's is the walk catching up with a busy account (new orders push the list on
between two pages read at different moments), not a repetition: the walk goes on sequentially,
for at most `MAX_CATCH_UP_PAGES` such pages in a row.

Written twice on purpose, not produced by scripts/unasync.py: `Pager.pages` fetches ahead on a
thread pool and `AsyncPager.pages` on tasks, and the two differ in more than their keywords (how
work is started, cancelled and waited for). What they share (the walk, the checks) is `_Walk`.
Each page is fetched by the request loop (`_base_client`), which owns every retry.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

# The walk's limits are public here, where users look for them (`cubicasa.pagination.X`).
from ._walk import DEFAULT_LIMIT as DEFAULT_LIMIT
from ._walk import MAX_CATCH_UP_PAGES as MAX_CATCH_UP_PAGES
from ._walk import MAX_CONCURRENCY as MAX_CONCURRENCY
from ._walk import MAX_STALE_PAGES as MAX_STALE_PAGES
from ._walk import _sent, _Walk
from ._walk import check_count as check_count
from .errors import FieldTypeError, MissingFieldError, PaginationError, RateLimitError

if TYPE_CHECKING:  # imported where used, to keep `import cubicasa` light
    import asyncio
    from concurrent.futures import Future

    from cubicasa_api.models import Pagination

__all__ = ["AsyncPager", "Page", "Pager"]

T = TypeVar("T")


class Listing(Protocol[T]):
    """A page model of a list operation (`OrderList`, `UserList`, ...): what a pager reads."""

    items: list[T]
    pagination: Pagination


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page: its `items`, the server's `pagination` block, and the `offset` it was asked at."""

    items: list[T]
    pagination: Pagination
    offset: int

    @property
    def has_more(self) -> bool:
        return _sent(self.pagination, "has_more") is True

    @property
    def next_offset(self) -> int | None:
        value = _sent(self.pagination, "next_offset")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @classmethod
    def of(cls, listing: Listing[T], offset: int) -> Page[T]:
        """The page of a list answer. One without `items` or `pagination` (or with either of
        another JSON type) cannot be walked: PaginationError naming it. An odd item is not read
        here, so it never stops a walk."""
        try:
            return cls(listing.items, listing.pagination, offset)
        except (MissingFieldError, FieldTypeError) as exc:
            raise PaginationError(f"page at offset {offset}: {exc}") from exc


FetchPage = Callable[[int, int | None], Page[T]]
AsyncFetchPage = Callable[[int, int | None], Awaitable[Page[T]]]


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

        from ._stopping import StopScope

        pool = ThreadPoolExecutor(walk.concurrency, thread_name_prefix="cubicasa-pager")
        scope = StopScope()  # what the walk's threads are blocked in, to stop them at the end
        pending: dict[int, Future[Page[T]]] = {}
        for guess in walk.first_guesses():
            pending[guess] = pool.submit(scope.run, self._fetch, guess, self._page_size)
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
                    pending[guess] = pool.submit(scope.run, self._fetch, guess, self._page_size)
                yield self._cut(page, items)
        finally:
            _cancel(pending)
            # Stop the fetches already sent (their sockets are shut, their retry waits cut
            # short), then wait for their threads, which end at once: nothing of the walk may
            # still run when the caller goes on (after a `break`, an error or Ctrl-C).
            scope.stop()
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
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    # `wait`, not `gather`: a gathering future keeps every result (a whole page) for as long as
    # anything still refers to it.
    await asyncio.wait(tasks)
    for task in tasks:
        if not task.cancelled():
            task.exception()  # retrieved: asyncio does not log it as never retrieved
