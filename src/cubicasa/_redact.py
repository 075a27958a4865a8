"""Everything that keeps the API key (and odd field names) out of what users see: the one place
that knows the key's escaped forms and its placeholder (`***`), the scrubbing of errors, and field
names from an answer made fit for a log line, a report, a spec patch or a terminal."""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote, quote_plus

if TYPE_CHECKING:
    import httpx

REDACTED: Final = "***"
"""What stands for the API key wherever it would have shown."""

PLAIN_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")
"""What a field name written as is must look like (no spaces, markup, line breaks or e-mails)."""
WITHHELD: Final = "<name withheld>"
"""What stands for a name that is not written as is."""

_INDEX = re.compile(r"[0-9]+|\*")


def safe_name(name: str, *, secret: str | None = None, show: bool = False) -> str:
    """`name` when it is plain (or `show` is true), else `WITHHELD`; a name that holds `secret`
    (the API key) is withheld even with `show`."""
    if secret and secret in name:
        return WITHHELD
    if show or PLAIN_NAME.fullmatch(name):
        return name
    return WITHHELD


def safe_pointer(pointer: str, *, secret: str | None = None, show: bool = False) -> str:
    """A JSON pointer (`/items/0/info/rush`) with each member name passed through `safe_name`;
    array indices (and `*`) are kept. `status`, `content-type` and "" (the body) pass as is."""
    if not pointer.startswith("/"):
        return pointer if pointer in ("", "status", "content-type") else WITHHELD
    parts = []
    for raw in pointer.split("/")[1:]:
        if _INDEX.fullmatch(raw):
            parts.append(raw)
            continue
        name = raw.replace("~1", "/").replace("~0", "~")
        parts.append(raw if safe_name(name, secret=secret, show=show) == name else WITHHELD)
    return "/" + "/".join(parts)


def key_forms(key: str) -> list[str]:
    """`key` as a server may echo it: as is, JSON-, HTML- and URL-escaped; longest first."""
    forms = {
        key,
        json.dumps(key)[1:-1],
        key.replace("/", "\\/"),
        html.escape(key),
        html.escape(key, quote=False),
        quote(key, safe=""),
        quote(key),
        quote_plus(key),
    }
    forms |= {re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), f) for f in forms}
    return sorted(forms, key=len, reverse=True)


def scrub(value: Any, key: str | None) -> Any:
    """`value` (a str, or JSON made of dicts and lists) with every form of `key` as `***`."""
    if not key:
        return value
    try:
        return _replaced(value, key_forms(key))
    except RecursionError:
        return "(withheld: nested too deeply to scrub)"


def _replaced(value: Any, forms: list[str]) -> Any:
    if isinstance(value, str):
        for form in forms:
            value = value.replace(form, REDACTED)
        return value
    if isinstance(value, dict):
        return {_replaced(k, forms): _replaced(v, forms) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(item, forms) for item in value]
    if isinstance(value, tuple):
        return tuple(_replaced(item, forms) for item in value)
    return value


def key_of(request: httpx.Request | None) -> str | None:
    """The API key a request carried (None when it carried none, or it is already redacted)."""
    key = request.headers.get("api-key") if request is not None else None
    return key if key and key != REDACTED else None


def redact(exc: Any, request: httpx.Request | None, cause: BaseException | None = None) -> Any:
    """`exc` (a `CubiCasaError`) with the key (in every form `key_forms` lists) replaced by `***`
    in its message and public attributes, and in the `api-key` header of the request it carries
    (that request is finished: nothing resends it). The error constructors scrub what they quote
    already; this is the net for every other error. A server or proxy may echo request headers
    back into an error page."""
    key = key_of(request)
    if request is None or key is None:
        return exc
    request.headers["api-key"] = REDACTED
    exc.args = tuple(scrub(arg, key) for arg in exc.args)
    for name in ("body", "text", "errors", "request_id"):
        if hasattr(exc, name):
            setattr(exc, name, scrub(getattr(exc, name), key))
    if cause is not None:
        cause.args = tuple(scrub(arg, key) for arg in cause.args)
    return exc
