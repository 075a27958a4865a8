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
    ├── ResponseValidationError     a 2xx body that is not JSON or not the documented shape
    ├── ResponseTooLargeError       a body that decodes to more than max_response_bytes
    └── PaginationError             a list whose pages do not chain (repeated offset, ...)

No message ever holds the API key: bodies are quoted from the response, cut short, and requests
are described by method and URL only; the client scrubs the key from a message (a server may echo
it) and shows the `api-key` header of the request an error carries as `***`.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

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
REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "x-correlation-id")


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of a body, on one line, for an error message."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "..."


class CubiCasaError(Exception):
    """The base of every error this library raises."""


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
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.request_id = _request_id(response)
        request = response.request
        message = f"{response.status_code} {response.reason_phrase} from {request.method} "
        message += str(request.url.copy_with(query=None))
        if self.request_id:
            message += f" (request id {self.request_id})"
        message += f": {detail or _describe(body)}"
        super().__init__(message)


class BadRequestError(APIStatusError):
    """400: CubiCasa rejected the request's content.

    `errors` lists the validation failures as `(location, message)`, e.g.
    `("body.street", "field required")`, from the body shape of the captured live response.
    """

    def __init__(self, response: httpx.Response, body: Any) -> None:
        self.errors = validation_errors(body)
        detail = "; ".join(f"{where}: {msg}" for where, msg in self.errors)
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
        self.response = response
        if text is None:
            try:
                text = response.text
            except httpx.ResponseNotRead:  # a streamed body: only its start was seen
                text = ""
        self.text = snippet(text)
        request = response.request
        where = f"{request.method} {request.url.copy_with(query=None)}"
        super().__init__(f"Unexpected response to {where} ({reason}); body starts: {self.text!r}")


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
    """The JSON body, or the text when the body is not JSON (or nested too deeply to parse)."""
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError):
        return response.text


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


def _describe(body: Any) -> str:
    if isinstance(body, dict):
        for key in ("message", "error", "detail"):
            if isinstance(body.get(key), str):
                return snippet(body[key])
        return _dumped(body)
    if isinstance(body, str):
        return snippet(body) if body.strip() else "(empty body)"
    return _dumped(body)


def _dumped(body: Any) -> str:
    try:
        return snippet(json.dumps(body))
    except (ValueError, RecursionError):
        return "(a JSON body nested too deeply to show)"


def _request_id(response: httpx.Response) -> str | None:
    for name in REQUEST_ID_HEADERS:
        value = response.headers.get(name)
        if value:
            return str(value)
    return None
