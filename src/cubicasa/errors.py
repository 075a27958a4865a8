"""Every error the client raises, and how an HTTP response becomes one.

    CubiCasaError
    ├── APIConnectionError          the request did not get an HTTP answer
    │   └── APITimeoutError         ...because it timed out
    ├── APIStatusError              CubiCasa (or a proxy) answered 3xx/4xx/5xx
    │   ├── BadRequestError             400, with the validation errors parsed
    │   ├── AuthenticationError         401
    │   ├── PermissionDeniedError       403
    │   ├── NotFoundError               404
    │   ├── ConflictError               409
    │   ├── UnprocessableEntityError    422
    │   ├── RateLimitError              429
    │   └── InternalServerError         >= 500
    ├── ResponseValidationError     a 2xx body that is not JSON, or (conformance "strict") not
    │                               the documented shape
    ├── MissingFieldError           reading a required field the answer lacked (an AttributeError)
    ├── FieldTypeError              reading a field the answer held with another JSON type
    ├── ResponseTooLargeError       a body that decodes to more than max_response_bytes
    └── PaginationError             a list whose pages do not chain (repeated offset, ...)

No message or attribute ever holds the API key: requests are described by method and URL only;
a body, header or reason phrase a server echoed it into is scrubbed of the key (as is, and its
JSON-, HTML- and URL-escaped forms, every character as `\\uXXXX` or an HTML numeric entity) before
it is quoted and cut short, and the `api-key` header of
the request an error carries shows `***`. Bodies of errors are parsed and quoted from a bounded
start only, so a large error page costs no more memory than its bytes.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

import httpx

from ._printable import printable
from ._redact import REDACTED, key_forms, key_of, scrub

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "CubiCasaError",
    "InternalServerError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "UnprocessableEntityError",
]

SNIPPET_CHARS = 300
# A reason phrase is a few words ("Not Found"); a server's 60 KB one is cut to this in messages.
MAX_REASON_CHARS = 100
REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "x-correlation-id")
# An error body longer than this is not parsed as JSON: `body` holds the start of its text.
# (CubiCasa's error bodies are a few hundred bytes; a 64 MiB page of `{},` would build 22 million
# objects.)
MAX_ERROR_BODY_PARSED = 1024 * 1024
# Set on a response whose Content-Encoding did not decode: why (its body is then empty).
UNDECODABLE = "cubicasa.undecodable"
_WORD = re.compile(r"\S+")


def snippet(text: str, limit: int = SNIPPET_CHARS, key: str | None = None) -> str:
    """The start of a body, on one line, scrubbed of `key`, for an error message. Reads no
    more of `text` than it shows (a 64 MiB body costs nothing more)."""
    want = limit + (4 * len(key) if key else 0) + 1
    words: list[str] = []
    size = 0
    for match in _WORD.finditer(text):
        start = match.start()
        words.append(text[start : min(match.end(), start + want - size)])
        size += len(words[-1]) + 1
        if size > want:
            break
    flat: str = scrub(" ".join(words), key)
    return flat if len(flat) <= limit else flat[:limit] + "..."


def body_text(response: httpx.Response, limit: int | None = None) -> str:
    """The body (its first `limit` bytes) as text, in its declared charset when that is a text
    encoding Python knows, else UTF-8; undecodable bytes become U+FFFD. Never raises: a
    `charset=rot13` or `charset=zlib` from a hostile server is not an error of its own."""
    try:
        data = response.content
    except httpx.ResponseNotRead:  # a streamed body: only its start was seen
        return ""
    if limit is not None:
        data = data[:limit]
    name = response.charset_encoding or "utf-8"
    try:
        info = codecs.lookup(name)
        if getattr(info, "_is_text_encoding", True):
            return data.decode(info.name, "replace")
    except Exception:
        return data.decode("utf-8", "replace")
    return data.decode("utf-8", "replace")


def _scrubbed_response(response: httpx.Response, key: str | None) -> httpx.Response:
    """`response`, or (when it echoed the key) a copy whose reason, headers and body do not."""
    if not key:
        return response
    forms = [form.encode("latin-1", "replace") for form in key_forms(key)]
    try:
        content = response.content
    except httpx.ResponseNotRead:  # a streamed body: nothing of it is kept
        content = b""
    reason = response.extensions.get("reason_phrase", b"")
    headers_text = "\n".join(f"{n}:{v}" for n, v in response.headers.items())
    raw = [content, reason, headers_text.encode("latin-1", "replace")]
    if not any(form in part for part in raw for form in forms if isinstance(part, bytes)):
        return response
    for form in forms:
        content = content.replace(form, REDACTED.encode())
    dropped = ("content-encoding", "transfer-encoding", "content-length")
    headers = [(n, scrub(v, key)) for n, v in response.headers.items() if n.lower() not in dropped]
    extensions = dict(response.extensions)
    if isinstance(reason, bytes):
        text = scrub(reason.decode("latin-1"), key)
        extensions["reason_phrase"] = text.encode("latin-1", "replace")
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=content,
        request=response.request,
        extensions=extensions,
    )


class CubiCasaError(Exception):
    """The base of every error this library raises. Its text never holds a control character or
    a bidi override (a log is read on a terminal later): those show as escapes such as `\\x1b`."""

    def __str__(self) -> str:
        return printable(super().__str__())


class APIConnectionError(CubiCasaError):
    """The request got no HTTP answer (DNS, refused connection, dropped connection, TLS, ...)."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, write, read or waiting for a pooled connection)."""


class APIStatusError(CubiCasaError):
    """CubiCasa, or something in front of it, answered with a 4xx or 5xx status, or with a 3xx
    (redirects are not followed: the API key would travel with them).

    Attributes:
        status_code: the HTTP status.
        body: the decoded JSON body, or the text when it is not JSON (an HTML page from a proxy).
        response: the `httpx.Response`, already read.
        request_id: the request-id header's value when the answer carried one.
    """

    def __init__(self, response: httpx.Response, body: Any, detail: str = "") -> None:
        key = key_of(response.request)
        self.response = _scrubbed_response(response, key)
        self.status_code = response.status_code
        self.body = scrub(body, key)
        self.request_id = scrub(_request_id(response), key)
        request = response.request
        reason = snippet(response.reason_phrase, MAX_REASON_CHARS, key)
        message = f"{response.status_code} {reason} from {request.method} "
        message += str(request.url.copy_with(query=None))
        if self.request_id:
            message += f" (request id {snippet(self.request_id, 80)})"
        message += f": {scrub(detail, key) or _describe(self.body, response, key)}"
        super().__init__(message)


class BadRequestError(APIStatusError):
    """400: CubiCasa rejected the request's content.

    `errors` lists the validation failures as `(location, message)`, e.g.
    `("body.street", "field required")`, from the body shape of the captured live response.
    """

    def __init__(self, response: httpx.Response, body: Any) -> None:
        key = key_of(response.request)
        self.errors = validation_errors(scrub(body, key))
        detail = snippet("; ".join(f"{where}: {msg}" for where, msg in self.errors[:20]), 1000)
        super().__init__(response, body, detail)


class AuthenticationError(APIStatusError):
    """401: the API key is missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """403: the API key may not do this (a role restriction, for example)."""


class NotFoundError(APIStatusError):
    """404: no such resource, or not visible to this API key."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's state."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was understood but cannot be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests; retried automatically before this is raised."""


class InternalServerError(APIStatusError):
    """5xx: the server failed (GET/PUT/PATCH/DELETE are retried before this is raised)."""


class ResponseValidationError(CubiCasaError):
    """A 2xx answer whose body is not JSON, or not the documented shape.

    `text` holds the start of the raw body; `response` the `httpx.Response`.
    """

    def __init__(self, response: httpx.Response, reason: str, text: str | None = None) -> None:
        key = key_of(response.request)
        self.response = _scrubbed_response(response, key)
        if text is None:
            text = body_text(response, 64 * 1024)
        self.text = snippet(text, key=key)
        request = response.request
        where = f"{request.method} {request.url.copy_with(query=None)}"
        reason = snippet(reason, 1000, key)
        super().__init__(f"Unexpected response to {where} ({reason}); body starts: {self.text!r}")


class _FieldError(CubiCasaError):
    """What the two field errors of a deviant model carry (see `MissingFieldError`)."""

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        pointer: str = "",
        expected: str = "",
        seen: str | None = None,
    ) -> None:
        super().__init__(message)
        self.operation = operation
        self.pointer = pointer
        self.expected = expected
        self.seen = seen


class MissingFieldError(_FieldError, AttributeError):
    """Reading a field of a model whose answer lacked it, though the spec requires it, e.g.
    `listOrders: /items/57/address was not in the answer (the spec requires it)`. The model was
    still made (decoding is forgiving unless conformance is "strict"); being an AttributeError,
    `getattr(order, "address", None)` gives the default.

    Attributes:
        operation: the operationId of the call (None when not known), e.g. `listOrders`.
        pointer: the field's JSON Pointer in the answer, e.g. `/items/57/address`.
        expected: what the spec expects there, e.g. `an object`.
        seen: None (nothing came).
    """


class FieldTypeError(_FieldError):
    """Reading a field of a model whose answer held it with another JSON type than the spec's,
    e.g. `getOrder: /info/created_at was a string in the answer (the spec expects a number)`. The
    value is kept as it came: `to_dict()` gives it back.

    Attributes:
        operation: the operationId of the call (None when not known).
        pointer: the field's JSON Pointer in the answer.
        expected: what the spec expects there, e.g. `a number`.
        seen: the JSON type that came, e.g. `a string` (never the value).
    """


class ResponseTooLargeError(CubiCasaError):
    """A body that decodes to more than the client's `max_response_bytes` (a compression bomb,
    a runaway page): reading stopped there. `limit` is the cap, `request` the request."""

    def __init__(self, request: httpx.Request, limit: int) -> None:
        self.request = request
        self.limit = limit
        where = f"{request.method} {request.url.copy_with(query=None)}"
        super().__init__(
            f"The answer to {where} decodes to more than {limit:,} bytes: reading stopped there "
            "(raise max_response_bytes if such an answer is expected)."
        )


class PaginationError(CubiCasaError):
    """The server's pages do not form a chain (a repeated offset, an empty page with more...)."""


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_for_response(response: httpx.Response) -> APIStatusError:
    """The error for a 4xx/5xx response (whose body has been read)."""
    body = decode_body(response)
    if response.status_code == 400:
        return BadRequestError(response, body)
    if response.status_code >= 500:
        return InternalServerError(response, body)
    return _STATUS_ERRORS.get(response.status_code, APIStatusError)(response, body)


def decode_body(response: httpx.Response) -> Any:
    """The JSON body, or the text when the body is not JSON (or nested too deeply to parse);
    over MAX_ERROR_BODY_PARSED bytes, the text of its start, unparsed."""
    if len(response.content) > MAX_ERROR_BODY_PARSED:
        return body_text(response, MAX_ERROR_BODY_PARSED)
    try:
        return json.loads(body_text(response))
    except (ValueError, RecursionError):
        return body_text(response)


def validation_errors(body: Any) -> list[tuple[str, str]]:
    """`(location, message)` pairs from a `{"validation_error": {...}}` body; [] for others."""
    found: list[tuple[str, str]] = []
    detail = body.get("validation_error") if isinstance(body, dict) else None
    if not isinstance(detail, dict):
        return found
    for group, items in detail.items():
        if not isinstance(items, list):
            continue
        prefix = group.removesuffix("_params")
        for item in items:
            if not isinstance(item, dict):
                continue
            loc = item.get("loc")
            parts = [str(p) for p in loc] if isinstance(loc, list) else [str(loc or "?")]
            found.append((".".join([prefix, *parts]), str(item.get("msg", "invalid"))))
    return found


def _describe(body: Any, response: httpx.Response, key: str | None) -> str:
    """One line on the body: its message when it has one, else the start of its text as sent
    (never re-serialised: that could cost many times the body's size)."""
    if isinstance(body, dict):
        for name in ("message", "error", "detail"):
            if isinstance(body.get(name), str):
                return snippet(body[name], key=key)
    text = body_text(response, 64 * 1024)
    if text.strip():
        return snippet(text, key=key)
    undecodable = response.extensions.get(UNDECODABLE)
    return f"(the body does not decode: {undecodable})" if undecodable else "(empty body)"


def _request_id(response: httpx.Response) -> str | None:
    for name in REQUEST_ID_HEADERS:
        value = response.headers.get(name)
        if value:
            return str(value)[:200]
    return None


def shape_error(
    response: httpx.Response, exc: Exception, operation: str
) -> ResponseValidationError:
    from cubicasa_api.types import ShapeError  # here: import cubicasa stays light

    if isinstance(exc, ShapeError):  # names the operation and the field: "getOrder: /id is null..."
        exc.operation = exc.operation or operation
        return ResponseValidationError(response, str(exc))
    return ResponseValidationError(response, f"{type(exc).__name__}: {exc}")
