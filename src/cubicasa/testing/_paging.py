"""The API's offset pagination, as the fake answers a list call."""

from __future__ import annotations

from collections.abc import Callable

from ._http import Call, FakeResponse, Invalid, Json, json_response
from ._validate import failure

Item = dict[str, Json]


def _query_int(call: Call, name: str, default: int) -> int:
    raw = [v for k, v in call.query if k == name]
    try:
        value = int(raw[-1]) if raw else default
    except ValueError:
        raise Invalid(
            "query_params", [failure([name], "value is not a valid integer", "type_error.integer")]
        ) from None
    if value < 0:
        raise Invalid(
            "query_params",
            [failure([name], "ensure this value is greater than or equal to 0",
                     "value_error.number.not_ge")],
        )  # fmt: skip
    return value


def page(
    call: Call,
    items: list[Item],
    *,
    docs_offsets: bool = False,
    view: Callable[[Item], Item] | None = None,
) -> FakeResponse:
    """One page of `items` for the call's `limit` and `offset` (20 and 0 by default).

    `docs_offsets` follows the docs' arithmetic: `next_offset` = offset + limit + 1.
    """
    limit, offset = _query_int(call, "limit", 20), _query_int(call, "offset", 0)
    step = limit + 1 if docs_offsets else limit
    start = offset - offset // step if docs_offsets and step else offset
    chunk = items[start : start + limit]
    if view is not None:
        chunk = [view(item) for item in chunk]
    more = limit > 0 and start + limit < len(items)
    pagination = {
        "has_more": more,
        "limit": limit,
        "next_offset": offset + max(step, 1) if more else None,
        "previous_offset": max(offset - step, 0),
    }
    return json_response(200, {"pagination": pagination, "items": chunk})
