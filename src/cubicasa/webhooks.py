"""Receiving CubiCasa's order-status webhooks: parse safely, verify a URL token, drop repeats.

CubiCasa POSTs an order-status event to each registered URL, tries each call 3 times, and signs
nothing (https://integrate.docs.cubi.casa/about-webhooks-1362318m0). The defence it leaves is a
secret in the URL you register: `webhook_url()` builds one, `verify_token()` checks it.

pydantic (for the generated payload model) is imported on first use, not by `import cubicasa`.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from ._settings import _is_loopback
from .errors import CubiCasaError

if TYPE_CHECKING:
    from ._webhook_event import OrderStatusEvent

__all__ = [
    "MAX_BODY_BYTES",
    "OrderStatusEvent",
    "RecentEvents",
    "TokenLogFilter",
    "WebhookPayloadError",
    "WebhookReceiver",
    "WebhookVerificationError",
    "generate_secret",
    "handle",
    "parse_order_status",
    "verify_token",
    "webhook_url",
]

MAX_BODY_BYTES = 1024 * 1024
MAX_INT_DIGITS = 4300
TOKEN_PARAM = "token"  # noqa: S105 - the name of a query parameter
SECRET_ENV = "CUBICASA_WEBHOOK_SECRET"  # noqa: S105 - an environment variable name
MIN_SECRET_CHARS = 16
_PREFIX_CHARS = 60
logger = logging.getLogger("cubicasa.webhooks")


class WebhookPayloadError(CubiCasaError, ValueError):
    """The body is not a valid order-status event (answer 400). The message says which field
    and why, quoting at most a short prefix of the body."""


class WebhookVerificationError(CubiCasaError):
    """The request's URL lacks the right token (answer 401 or 403, and do not process it)."""


def __getattr__(name: str) -> Any:
    # `from cubicasa.webhooks import OrderStatusEvent` loads pydantic only then.
    if name == "OrderStatusEvent":
        from ._webhook_event import OrderStatusEvent

        return OrderStatusEvent
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _prefix(text: str) -> str:
    flat = " ".join(text.split())
    return repr(flat[:_PREFIX_CHARS] + ("..." if len(flat) > _PREFIX_CHARS else ""))


class _IntegerTooLarge(Exception):
    def __init__(self, digits: int) -> None:
        self.digits = digits


def _bounded_int(literal: str) -> int:
    """JSON integers are parsed only up to MAX_INT_DIGITS digits (Python's own default limit):
    a longer one is a payload error that says so, and cannot cost quadratic time."""
    digits = len(literal.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _IntegerTooLarge(digits)
    return int(literal)


def parse_order_status(body: bytes | str) -> OrderStatusEvent:
    """Parse and validate an order-status webhook body.

    Unknown status, product-type and delivery-type values, and fields CubiCasa adds later, are
    accepted and kept (`event.model_extra`). A documented field that is missing or of another
    JSON type does not refuse the event: it is logged (a WARNING on `cubicasa.webhooks` naming
    the fields, never their values), left out of the event (`event.deviations` names it), and
    reading it raises MissingFieldError or FieldTypeError.

    Raises:
        WebhookPayloadError: not JSON, not an object, a body over 1 MiB, a lone surrogate (raw
            or escaped), or an integer of more than 4300 digits. Nothing else is raised,
            whatever the input.
    """
    from pydantic import ValidationError

    from ._webhook_event import OrderStatusEvent

    if isinstance(body, bytes | bytearray | memoryview):
        raw = bytes(body)
        if len(raw) > MAX_BODY_BYTES:
            raise WebhookPayloadError(f"body is {len(raw)} bytes, over the 1 MiB limit")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise WebhookPayloadError(
                f"body is not UTF-8 ({exc.reason} at byte {exc.start})"
            ) from None
    elif isinstance(body, str):
        text = body
        try:  # a str that came off the wire holds no lone surrogate; one cannot be sent on
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise WebhookPayloadError(
                f"body is not valid Unicode (a lone surrogate at character {exc.start})"
            ) from None
        if size > MAX_BODY_BYTES:
            raise WebhookPayloadError("body is over the 1 MiB limit")
    else:
        raise WebhookPayloadError(f"body must be bytes or str, got {type(body).__name__}")
    try:
        data = json.loads(text, parse_int=_bounded_int)
    except _IntegerTooLarge as exc:
        raise WebhookPayloadError(
            f"body holds an integer of {exc.digits} digits, too large "
            f"(at most {MAX_INT_DIGITS}); it starts {_prefix(text)}"
        ) from None
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, json.JSONDecodeError):
            reason = exc.msg
        else:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise WebhookPayloadError(
            f"body is not JSON ({reason}); it starts {_prefix(text)}"
        ) from None
    try:  # JSON may spell a lone surrogate as an escape ("\ud800"): as unusable as a raw one
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise WebhookPayloadError("body is not JSON (nested too deeply)") from None
    except UnicodeEncodeError:
        raise WebhookPayloadError(
            "body is not valid Unicode (a string holds a lone surrogate, \\ud800 to \\udfff)"
        ) from None
    if not isinstance(data, dict):
        raise WebhookPayloadError(f"body must be a JSON object, got {type(data).__name__}")
    try:
        return OrderStatusEvent.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        odd = {str(error["loc"][0]) for error in errors if error["loc"]}
    except (ValueError, TypeError, RecursionError) as exc:
        raise WebhookPayloadError(f"invalid order-status event ({type(exc).__name__})") from None
    # Documented fields missing or of another JSON type: the event all the same (acknowledge it
    # rather than have CubiCasa send it twice more); reading such a field raises.
    fields = ", ".join(f"/{name}" for name in sorted(odd))
    logger.warning("order-status event differs from the spec at %s", fields)
    return OrderStatusEvent.forgiving(data, odd)


def generate_secret() -> str:
    """A new random secret for `webhook_url` (43 URL-safe characters, 256 bits)."""
    return secrets.token_urlsafe(32)


def webhook_url(base_url: str, secret: str) -> str:
    """`base_url` with `?token=<secret>` added, to register with `client.webhooks.update`.

    Raises:
        ValueError: a secret shorter than 16 characters, or a URL that is not https (a token
            sent over plain http can be read on the way; http is allowed for loopback only).
    """
    if not isinstance(secret, str) or len(secret) < MIN_SECRET_CHARS:
        raise ValueError(f"the secret must be at least {MIN_SECRET_CHARS} characters")
    parts = require_https(base_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != TOKEN_PARAM]
    query.append((TOKEN_PARAM, secret))
    return urlunsplit(parts._replace(query=urlencode(query)))


def require_https(url: str) -> SplitResult:
    """A webhook URL must be absolute https:// (plain http:// only to a loopback host): the URL
    carries the token, which plain http shows to every hop on the way."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise ValueError(f"webhook URLs must be absolute https:// URLs, got {url[:60]!r}")
    if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(parts.hostname)):
        raise ValueError(
            f"webhook URLs must be https:// (got {parts.scheme or 'no'} scheme for host "
            f"{parts.hostname!r}; plain http:// is allowed for a loopback host only)"
        )
    return parts


def verify_token(request_url_or_token: str, secret: str) -> bool:
    """Whether a request URL (or the token taken from it) carries `secret`, compared in
    constant time. A missing or repeated `token` parameter is a mismatch."""
    if not secret:
        return False
    candidate = request_url_or_token or ""
    if "?" in candidate or "://" in candidate or candidate.startswith("/"):
        values = [v for k, v in parse_qsl(urlsplit(candidate).query, keep_blank_values=True)
                  if k == TOKEN_PARAM]  # fmt: skip
        if len(values) != 1:
            return False
        candidate = values[0]
    # surrogatepass: a URL holding a lone surrogate is a mismatch, not a UnicodeEncodeError.
    return hmac.compare_digest(
        candidate.encode("utf-8", "surrogatepass"), secret.encode("utf-8", "surrogatepass")
    )


class RecentEvents:
    """Remembers the `dedupe_key`s of recent events, for `window` seconds and at most
    `max_keys` of them (the oldest go first), so memory stays bounded.

    Thread-safe. The default window (1 hour) covers CubiCasa's 3 tries, whose interval is not
    documented.
    """

    def __init__(
        self,
        window: float = 3600.0,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if window <= 0 or max_keys < 1:
            raise ValueError("window must be > 0 and max_keys >= 1")
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def seen(self, key: str) -> bool:
        """True if `key` was remembered within the window; remembers it either way."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            repeat = key in self._seen
            self._seen[key] = now
            self._seen.move_to_end(key)
            while len(self._seen) > self.max_keys:
                self._seen.popitem(last=False)
            return repeat

    def __len__(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._seen)

    def _expire(self, now: float) -> None:
        while self._seen:
            key, when = next(iter(self._seen.items()))
            if now - when < self.window:
                break
            del self._seen[key]


class WebhookReceiver:
    """Verify, parse and de-duplicate webhook calls with one secret and one memory.

    receiver = WebhookReceiver(secret=os.environ["CUBICASA_WEBHOOK_SECRET"])
    event = receiver.handle(body, request_url)   # raises on a bad token or body
    if not event.duplicate:
        process(event)
    """

    def __init__(self, secret: str, recent: RecentEvents | None = None) -> None:
        if not secret:
            raise ValueError("a webhook secret is required")
        self._secret = secret
        self.recent = recent if recent is not None else RecentEvents()

    def handle(self, body: bytes | str, url: str) -> OrderStatusEvent:
        """Check the URL's token, parse the body, and mark a repeat as `event.duplicate`.

        Raises:
            WebhookVerificationError: wrong or missing token (checked before the body is read).
            WebhookPayloadError: the body is not a valid event.
        """
        if not verify_token(url, self._secret):
            raise WebhookVerificationError("the webhook URL's token is missing or wrong")
        event = parse_order_status(body)
        event._duplicate = self.recent.seen(event.dedupe_key)
        return event

    def __repr__(self) -> str:
        return f"WebhookReceiver(secret='***', window={self.recent.window})"


_default_receivers: dict[str, WebhookReceiver] = {}
_default_lock = threading.Lock()


def handle(body: bytes | str, url: str, *, secret: str | None = None) -> OrderStatusEvent:
    """Verify + parse + de-duplicate in one call, for any web framework.

    `secret` defaults to the `CUBICASA_WEBHOOK_SECRET` environment variable; repeats are
    remembered per secret in this process (use `WebhookReceiver` to choose the memory).

    Raises:
        WebhookVerificationError: wrong or missing token; WebhookPayloadError: bad body;
        CubiCasaError: no secret given or set.
    """
    key = secret if secret is not None else os.environ.get(SECRET_ENV, "")
    if not key:
        raise CubiCasaError(f"No webhook secret: pass secret=... or set {SECRET_ENV}")
    with _default_lock:
        receiver = _default_receivers.get(key)
        if receiver is None:
            receiver = _default_receivers[key] = WebhookReceiver(key)
    return receiver.handle(body, url)


_TOKEN_IN_TEXT = re.compile(rf"([?&]{TOKEN_PARAM}=)[^&\s\"']*")


class TokenLogFilter(logging.Filter):
    """A logging filter that writes the webhook URL's secret token as `***` in the records it
    passes (their message and arguments): add it to your server's access logger, whose lines
    hold the request's path and query string.

        logging.getLogger("uvicorn.access").addFilter(TokenLogFilter())

    It never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _hide_token(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_hide_token(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: _hide_token(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


def _hide_token(text: str) -> str:
    return _TOKEN_IN_TEXT.sub(r"\1***", text)
