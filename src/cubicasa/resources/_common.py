"""Small helpers the resource modules share: argument checks and UNSET handling."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from cubicasa_api.models import OrderPreferences
from cubicasa_api.types import UNSET, Unset

from ..errors import FieldTypeError, MissingFieldError, PaginationError, ResponseValidationError
from ..pagination import AsyncPager, Page, Pager

if TYPE_CHECKING:
    from cubicasa_api import Client
    from cubicasa_api.models import Pagination
    from cubicasa_api.types import Response

    from .._client import AsyncCubiCasa, CubiCasa

T = TypeVar("T")


class Listing(Protocol[T]):
    """A page model of a list operation (`OrderList`, `UserList`, ...): what a pager reads."""

    items: list[T]
    pagination: Pagination


# A list call at an offset and limit: `lambda api, offset, limit: list_users.sync_detailed(...)`.
PageCall = Callable[["Client", int, "int | Unset"], "Response[Any]"]
AsyncPageCall = Callable[["Client", int, "int | Unset"], "Awaitable[Response[Any]]"]


def _area(cls: type) -> str:
    """`client.<area>` of a resource class, for pager reprs: AsyncOffices -> offices."""
    name = cls.__name__.removeprefix("Async")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Resource:
    """A sync resource: holds the client it sends through."""

    area = ""  # where the resource hangs on the client, when not its class name

    def __init__(self, client: CubiCasa) -> None:
        self._client = client

    def _pager(
        self,
        expected: type[Listing[T]],
        send: PageCall,
        page_size: int | None,
        max_items: int | None,
        concurrency: int | None,
        **shown: Any,
    ) -> Pager[T]:
        """A pager over a list operation: each page is one generated call (`send`) at the offset
        given, decoded as `expected`; `shown` are the filters its repr names."""

        def fetch(offset: int, limit: int | None) -> Page[T]:
            try:
                page = self._client._call(expected, lambda api: send(api, offset, opt(limit)))
            except ResponseValidationError as exc:
                raise pagination_error(exc, offset) from exc.__cause__
            return page_of(page, offset)

        return Pager(
            fetch,
            page_size=page_size,
            max_items=max_items,
            concurrency=concurrency,
            rate_limited=self._client._rate_limited_count,
            label=f"{self.area or _area(type(self))}.list",
            params={k: v for k, v in shown.items() if not isinstance(v, Unset)},
        )


class AsyncResource:
    """An async resource: holds the client it sends through."""

    area = ""

    def __init__(self, client: AsyncCubiCasa) -> None:
        self._client = client

    def _pager(
        self,
        expected: type[Listing[T]],
        send: AsyncPageCall,
        page_size: int | None,
        max_items: int | None,
        concurrency: int | None,
        **shown: Any,
    ) -> AsyncPager[T]:
        """The async twin of `Resource._pager`."""

        async def fetch(offset: int, limit: int | None) -> Page[T]:
            try:
                page = await self._client._acall(
                    expected, lambda api: send(api, offset, opt(limit))
                )
            except ResponseValidationError as exc:
                raise pagination_error(exc, offset) from exc.__cause__
            return page_of(page, offset)

        return AsyncPager(
            fetch,
            page_size=page_size,
            max_items=max_items,
            concurrency=concurrency,
            rate_limited=self._client._rate_limited_count,
            label=f"{self.area or _area(type(self))}.list",
            params={k: v for k, v in shown.items() if not isinstance(v, Unset)},
        )


def page_of(listing: Listing[T], offset: int) -> Page[T]:
    """The page of a list answer. One that lacks `items` or `pagination`, or holds either with
    another JSON type, cannot be walked: PaginationError naming the field (an odd item is not
    read here, so it never stops a walk)."""
    try:
        return Page(listing.items, listing.pagination, offset)
    except (MissingFieldError, FieldTypeError) as exc:
        raise PaginationError(f"page at offset {offset}: {exc}") from exc


def pagination_error(exc: ResponseValidationError, offset: int) -> Exception:
    """A page whose `has_more` is not a boolean is the pager's to report (a PaginationError, as
    for every other broken page chain); any other wrong shape stays a ResponseValidationError."""
    shape = exc.__cause__
    if getattr(shape, "where", None) == ["pagination", "has_more"] and not isinstance(
        getattr(shape, "value", None), Unset
    ):
        sent = getattr(shape, "value", None)
        return PaginationError(
            f"page at offset {offset}: has_more must be true or false, the server sent {sent!r}"
        )
    return exc


def opt(value: T | None) -> T | Unset:
    """None (the argument was not given) becomes UNSET, so the field is left out of the body."""
    return UNSET if value is None else value


def nonempty(name: str, value: object) -> str:
    """A required string argument (an ID, an e-mail, a name): TypeError for another type,
    ValueError when empty or blank."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__} {value!r}")
    if not value.strip():
        raise ValueError(f"{name} is required (a non-empty string), got {value!r}")
    return value


def required_text(**fields: object) -> None:
    """Each named field must be a non-empty string (the API's required body fields)."""
    for name, value in fields.items():
        nonempty(name, value)


def optional_text(name: str, value: object) -> str | Unset:
    """An optional string argument: None leaves it out; another type is a TypeError."""
    if value is None:
        return UNSET
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str or None, got {type(value).__name__} {value!r}")
    return value


def number(name: str, value: object, low: float, high: float) -> float | Unset:
    """An optional number within [low, high]: a bool or a string is a TypeError."""
    if value is None:
        return UNSET
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number or None, got {type(value).__name__} {value!r}")
    if not low <= value <= high:  # also refuses NaN
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value!r}")
    return value


def strings(name: str, values: Sequence[str] | None) -> list[str] | Unset:
    """A list of non-empty strings from a sequence (not a bare string, which would become its
    letters)."""
    if values is None:
        return UNSET
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | set | frozenset):
        raise TypeError(f"{name} must be a list of strings, got {type(values).__name__} {values!r}")
    listed = list(values)
    wrong = [v for v in listed if not isinstance(v, str)]
    if wrong:
        raise TypeError(f"{name} must be a list of strings, got {wrong[0]!r} in it")
    if any(not v.strip() for v in listed):
        raise ValueError(f"{name} must not hold an empty string, got {listed!r}")
    return listed


def preferences(
    value: OrderPreferences | Mapping[str, Any] | None,
) -> OrderPreferences | Unset:
    """Order preferences from the model or a plain mapping shaped like the API's JSON."""
    if value is None:
        return UNSET
    if isinstance(value, OrderPreferences):
        return value
    if isinstance(value, Mapping):
        wrong = [k for k in value if not isinstance(k, str)]
        objects = ("style_2d", "style_3d")
        wrong += [k for k in objects if k in value and not isinstance(value[k], Mapping)]
        if wrong:
            raise TypeError(
                f"order_preferences must map field names to the API's JSON values (an object for "
                f"style_2d and style_3d), got {wrong[0]!r}: {value.get(wrong[0])!r}"
            )
        try:
            return OrderPreferences.from_dict(dict(value))
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise TypeError(f"order_preferences is not shaped like the API's JSON: {exc}") from None
    raise TypeError(f"order_preferences must be OrderPreferences or a mapping, got {value!r}")
