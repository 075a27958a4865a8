"""The decisions of a walk over CubiCasa's offset pagination, shared by both pagers
(`pagination.Pager`, `pagination.AsyncPager`): which offset is next, whether the chain of pages
holds, which items are new, what to fetch ahead. It does no I/O."""

from __future__ import annotations

import math
from hashlib import blake2b
from typing import TYPE_CHECKING, Any, Protocol

from .errors import FieldTypeError, MissingFieldError, PaginationError

if TYPE_CHECKING:
    from cubicasa_api.models import Pagination

DEFAULT_LIMIT = 20  # the documented default page size
MAX_CONCURRENCY = 32  # pages in flight at once; more only costs threads and 429s
MAX_STALE_PAGES = 3  # pages in a row with no new item before the walk gives up
MAX_CATCH_UP_PAGES = 64  # pages in a row of shifted, already yielded items (a busy account)


class _Page(Protocol):
    """What a walk reads of a `pagination.Page`."""

    @property
    def items(self) -> list[Any]: ...
    @property
    def pagination(self) -> Pagination: ...
    @property
    def offset(self) -> int: ...


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


def _item_id(item: object) -> bytes | None:
    """A fixed-size digest of the item's ID (16 bytes of BLAKE2b), or None when it has none: a walk
    keeps one per item, so its memory does not grow with the IDs a server sends (1 MiB each)."""
    try:
        value = getattr(item, "id", None)  # None too when the answer lacked it
    except FieldTypeError:  # an ID that is not a string: the item is yielded, never skipped
        return None
    if not isinstance(value, str):
        return None
    return blake2b(value.encode("utf-8", "surrogatepass"), digest_size=16).digest()


_NOT_SENT: Any = object()


def _sent(pagination: Pagination, name: str) -> Any:
    """`pagination.<name>` as the server sent it, also when that is not the spec's type (reading
    such a field raises): the walk checks these itself, and says what it got."""
    try:
        return getattr(pagination, name)
    except MissingFieldError:
        return _NOT_SENT
    except FieldTypeError:
        return pagination.to_dict().get(name)


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
        self.ids: set[bytes] = set()  # a digest of every item ID yielded, to skip repeats
        self.last_keys: set[bytes] = set()  # those of the latest page
        self.stale = 0  # pages in a row that brought nothing new, not even a shift
        self.catching_up = 0  # pages in a row of shifted, already yielded items

    def speculating(self) -> bool:
        """Whether pages are fetched ahead (a method: the answer changes as the walk goes)."""
        return not self.sequential

    @property
    def done(self) -> bool:
        return self.offset is None or (
            self.max_items is not None and self.emitted >= self.max_items
        )

    def take(self, page: _Page) -> list[Any]:
        """Check `page` (fetched at `self.offset`), move to the next offset, return its items
        not yielded before (cut to `max_items`)."""
        offset = page.offset
        more = _sent(page.pagination, "has_more")
        if not isinstance(more, bool):
            sent = "nothing" if more is _NOT_SENT else repr(more)
            raise PaginationError(
                f"page at offset {offset}: has_more must be true or false, the server sent {sent}"
            )
        following: Any = _sent(page.pagination, "next_offset") if more else None
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

    def _check_next(self, offset: int, following: Any, page: _Page) -> None:
        """A page that has more must name a later page: a whole number past its own offset."""
        from cubicasa_api.types import Unset

        if following is None or following is _NOT_SENT or isinstance(following, Unset):
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
        keys = set()
        for item in items:
            key = _item_id(item)
            if key is None:
                fresh.append(item)
                continue
            keys.add(key)
            if key not in self.ids:
                self.ids.add(key)
                fresh.append(item)
        shifted, self.last_keys = keys != self.last_keys, keys
        if fresh or not items:
            self.stale = self.catching_up = 0
        elif shifted and self.catching_up < MAX_CATCH_UP_PAGES:
            # Only items already yielded, but not those of the page before: on a busy account
            # (each new order pushes the list on) the walk is catching up after pages it read
            # late, not being sent the same items again. At most MAX_CATCH_UP_PAGES in a row.
            self.catching_up += 1
        else:
            self.stale += 1
        if not fresh and items:
            # Pages read out of step (fetched ahead, at different moments) are what put the walk
            # behind on a busy account: from here on, each page is read right after the last.
            self.sequential = True
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
