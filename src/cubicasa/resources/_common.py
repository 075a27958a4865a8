"""Small helpers the resource modules share: argument checks and UNSET handling."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from cubicasa_api.models import OrderPreferences
from cubicasa_api.types import UNSET, Unset

T = TypeVar("T")


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
