"""A client's options: its arguments (the key, the base URL, timeouts, retries, size and rate
limits, headers, conformance, logging, proxy and TLS trust, hooks) checked and resolved once into
one frozen `ClientOptions`, and the checks `request()` makes before sending."""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from ._network import Network
from ._retry import RetryPolicy
from ._version import __version__
from .conformance._mode import Conformance, resolve_mode
from .errors import CubiCasaError

DEFAULT_BASE_URL = "https://app.cubi.casa/api/integrate/v3"
# Connecting should be quick; CubiCasa may take a while to answer (PDFs, uploads).
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
API_KEY_ENV = "CUBICASA_API_KEY"
BASE_URL_ENV = "CUBICASA_BASE_URL"
LOG_ENV = "CUBICASA_LOG"

_UNCHANGED: Any = object()

logger = logging.getLogger("cubicasa")


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    # httpx normalises these: the host in lower case, a scheme's default port as None.
    return (url.scheme, url.host, url.port)


def shown_origin(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.netloc.decode('ascii', 'replace')}"


def _resolve_api_key(api_key: str | None) -> str:
    if api_key is not None and not isinstance(api_key, str):
        raise TypeError(f"api_key must be a str, got {type(api_key).__name__}")
    key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
    if not key:
        raise CubiCasaError(
            f"No API key: pass api_key=... or set the {API_KEY_ENV} environment variable "
            "(a Manager finds it in the web app under Settings > Company > Developer)."
        )
    # A header value the wire cannot carry would be echoed by httpx's error; refuse it unseen.
    if not all("!" <= c <= "~" for c in key):
        raise CubiCasaError(
            "The API key must be printable ASCII without spaces, line breaks or control "
            "characters (the key is not shown here)."
        )
    # Characters that escaping changes in ways a scrubber cannot list in full (a server may echo
    # the key JSON-, HTML- or URL-escaped into an error page); CubiCasa's keys hold none.
    if any(c in _UNSCRUBBABLE for c in key):
        raise CubiCasaError(
            "The API key must not contain any of " + " ".join(_UNSCRUBBABLE) + " (the key is not "
            "shown here)."
        )
    return key


_UNSCRUBBABLE = "\"\\'<>&%`"
# A try's deadline beyond this is no deadline (and overflows the socket layer near 1e10 s).
MAX_TIMEOUT = 86_400.0
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_METHOD = _TOKEN
# A URL whose authority (between `//` and the path) holds an `@`: user info, perhaps a password.
_USERINFO = re.compile(r"\s*[A-Za-z][A-Za-z0-9+.-]*:/*[^/?#]*@")


def _resolve_base_url(base_url: str | httpx.URL | None) -> httpx.URL:
    if base_url is not None and not isinstance(base_url, (str, httpx.URL)):
        raise TypeError(f"base_url must be a str or an httpx.URL, got {type(base_url).__name__}")
    if base_url is None and os.environ.get(BASE_URL_ENV) == "":
        raise CubiCasaError(
            f"{BASE_URL_ENV} is set but empty: unset it to use production, or give a URL."
        )
    raw = base_url if base_url is not None else os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    if _USERINFO.match(str(raw)):
        # Never used (the key is the only credential) and shown by every repr and error that
        # names the URL: refused, without echoing it.
        name = "base_url" if base_url is not None else f"base_url (from {BASE_URL_ENV})"
        raise CubiCasaError(
            f"{name} must not hold a user name or password (`user:password@host`): CubiCasa "
            "authenticates with the API key only (the URL is not shown here)."
        )
    try:
        url = httpx.URL(str(raw))
    except httpx.InvalidURL as exc:
        raise CubiCasaError(f"Invalid base URL {str(raw)!r}: {exc}") from None
    if url.userinfo:  # an `@` the pattern above did not see: refused the same way, unshown
        raise CubiCasaError("base_url must not hold a user name or password (not shown here).")
    if url.scheme == "https" and url.host:
        return url
    if url.scheme == "http" and _is_loopback(url.host):
        return url
    raise CubiCasaError(
        f"Refusing base URL {str(raw)!r}: use https:// (plain http:// is only allowed for a "
        "loopback host such as 127.0.0.1, for tests and the fake CubiCasa)."
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _number(
    name: str,
    value: Any,
    *,
    integer: bool = False,
    positive: bool = False,
    most: float | None = None,
) -> Any:
    """`value` when it is a finite number >= 0 (> 0 when `positive`, <= `most` when given):
    TypeError for another type, ValueError for another value, each naming the argument."""
    kinds = (int,) if integer else (int, float)
    if not isinstance(value, kinds) or isinstance(value, bool):
        wanted = "an int" if integer else "a number"
        raise TypeError(f"{name} must be {wanted}, got {type(value).__name__}")
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be {'> 0' if positive else '>= 0'}, got {value!r}")
    if most is not None and value > most:
        raise ValueError(f"{name} must be <= {most:g}, got {value!r}")
    return value


def _retry_policy(max_retries: Any) -> RetryPolicy:
    """A count of retries (with the default delays), or a whole `RetryPolicy`."""
    if isinstance(max_retries, RetryPolicy):
        _number("RetryPolicy.max_retries", max_retries.max_retries, integer=True)
        for name in ("initial_delay", "max_delay", "max_retry_after", "jitter"):
            _number(f"RetryPolicy.{name}", getattr(max_retries, name), most=MAX_TIMEOUT)
        return max_retries
    if not isinstance(max_retries, int) or isinstance(max_retries, bool):
        raise TypeError(
            f"max_retries must be an int or a RetryPolicy, got {type(max_retries).__name__}"
        )
    return RetryPolicy(max_retries=_number("max_retries", max_retries, integer=True))


def _timeout(timeout: Any) -> httpx.Timeout:
    if timeout is None:
        return httpx.Timeout(None)
    if isinstance(timeout, httpx.Timeout):
        for part, value in timeout.as_dict().items():
            if value is not None:
                _number(f"timeout ({part})", value, positive=True, most=MAX_TIMEOUT)
        return timeout
    return httpx.Timeout(_number("timeout", timeout, positive=True, most=MAX_TIMEOUT))


def _headers(default_headers: Any, argument: str = "default_headers") -> dict[str, str]:
    """`default_headers` checked: a mapping of header names (RFC 9110 tokens) to values without
    line breaks or control characters. Values are never shown (they may be secrets)."""
    if default_headers is None:
        return {}
    if not isinstance(default_headers, Mapping):
        raise TypeError(
            f"{argument} must be a mapping of str to str, got {type(default_headers).__name__}"
        )
    for name, value in default_headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(
                f"{argument} must map str to str, got {type(name).__name__} -> "
                f"{type(value).__name__}"
            )
        if not _TOKEN.fullmatch(name):
            raise ValueError(f"{argument}: {name!r} is not a valid header name")
        if not all(" " <= c <= "~" or c == "\t" for c in value) or value != value.strip():
            raise ValueError(
                f"{argument}: the value of {name!r} must be printable ASCII without line "
                "breaks, control characters or surrounding spaces (the value is not shown here)"
            )
    return dict(default_headers)


_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}


def _logging_from_env() -> None:
    """`CUBICASA_LOG=debug` (each try) or `info` (each retry) or `warning` (quiet), on stderr."""
    value = os.environ.get(LOG_ENV, "").strip().lower()
    if not value:
        return
    level = _LEVELS.get(value)
    if level is None:
        import warnings

        warnings.warn(
            f"{LOG_ENV}={value!r} is not one of {', '.join(_LEVELS)}: ignored",
            stacklevel=4,
        )
        return
    if logger.level != level:
        logger.setLevel(level)
        if not logger.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
            logger.addHandler(handler)


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """Everything a client was told, resolved and checked once, at construction; `with_options`
    makes a changed copy (`replace`), never a changed original."""

    api_key: str
    base_url: httpx.URL
    origin: tuple[str, str, int | None]
    """The base URL's scheme, host and port: the only origin the key is sent to."""
    timeout: httpx.Timeout
    retry: RetryPolicy
    headers: dict[str, str]
    max_response_bytes: int
    min_download_rate: float
    conformance: Conformance
    """Mutable on purpose: the findings a client and its `with_options` copies share."""
    network: Network | None = None
    """The proxy and TLS trust of the client's own pools (None: it sends through an
    `http_client` of the caller's)."""
    on_request: Callable[[httpx.Request], Any] | None = None
    on_response: Callable[[httpx.Response], Any] | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)
    """Added to every request of a `with_options` copy (after the default headers)."""
    extra_query: dict[str, Any] = field(default_factory=dict)
    """Added to the query of every request of a `with_options` copy."""
    raw: bool = False
    """Calls return a `RawResponse` (`client.with_raw_response`)."""

    def replace(
        self,
        timeout: Any = _UNCHANGED,
        max_retries: Any = _UNCHANGED,
        max_response_bytes: Any = _UNCHANGED,
        extra_headers: Any = _UNCHANGED,
        extra_query: Any = _UNCHANGED,
        raw: bool | None = None,
    ) -> ClientOptions:
        """These options with another timeout, retry count, size cap, extra headers or query
        (for `with_options`), or answering raw (`with_raw_response`)."""
        changes: dict[str, Any] = {}
        if timeout is not _UNCHANGED:
            changes["timeout"] = _timeout(timeout)
        if max_retries is not _UNCHANGED:
            changes["retry"] = _retry_policy(max_retries)
        if max_response_bytes is not _UNCHANGED:
            changes["max_response_bytes"] = _max_response_bytes(max_response_bytes)
        if extra_headers is not _UNCHANGED:
            extra = _headers(extra_headers, "extra_headers")
            # `api_key` too: CGI/WSGI servers read `api-key` and `api_key` as one name.
            if any(name.lower().replace("_", "-") == "api-key" for name in extra):
                raise CubiCasaError("extra_headers cannot set api-key: it is the client's api_key.")
            changes["extra_headers"] = {**self.extra_headers, **extra}
        if extra_query is not _UNCHANGED:
            _params(extra_query, "extra_query")
            changes["extra_query"] = {**self.extra_query, **(extra_query or {})}
        if raw is not None:
            changes["raw"] = raw
        return dataclasses.replace(self, **changes)

    def check_target(self, path: str) -> None:
        """`request()` reaches the base URL's origin only: the key goes nowhere else."""
        if not isinstance(path, str):
            raise TypeError(f"path must be a str, got {type(path).__name__}")
        try:
            url = httpx.URL(path)
        except httpx.InvalidURL as exc:
            raise ValueError(f"path is not a valid URL path: {exc}") from None
        if url.is_absolute_url and _origin(url) != self.origin:
            raise ValueError(
                f"path {shown_origin(url)}/... is another origin than the base URL's "
                f"({shown_origin(self.base_url)}): the API key is sent to that origin only."
            )

    def describe(self, name: str) -> str:
        retries = self.retry.max_retries
        return f"{name}(base_url={str(self.base_url)!r}, max_retries={retries})"

    def __repr__(self) -> str:
        return self.describe("ClientOptions")  # never the key


def resolve_options(
    api_key: str | None,
    base_url: str | httpx.URL | None,
    timeout: float | httpx.Timeout | None,
    max_retries: int | RetryPolicy,
    default_headers: Mapping[str, str] | None,
    max_response_bytes: int,
    min_download_rate: float,
    conformance: str | None = None,
    *,
    network: Network | None = None,
    on_request: Any = None,
    on_response: Any = None,
) -> ClientOptions:
    """The constructor's arguments checked (TypeError, ValueError or CubiCasaError naming the
    argument) and resolved against the environment."""
    resolved_timeout = _timeout(timeout)
    retry = _retry_policy(max_retries)
    cap = _max_response_bytes(max_response_bytes)
    rate = float(_number("min_download_rate", min_download_rate))
    key = _resolve_api_key(api_key)
    url = _resolve_base_url(base_url)
    headers = {
        "User-Agent": f"cubicasa-integrate/{__version__} httpx/{httpx.__version__}",
        "Accept": "application/json",
        **_headers(default_headers),
    }
    if any(name.lower() == "api-key" for name in headers):
        raise CubiCasaError("Pass the API key as api_key=..., not in default_headers.")
    for name, hook in (("on_request", on_request), ("on_response", on_response)):
        if hook is not None and not callable(hook):
            raise TypeError(f"{name} must be callable or None, got {type(hook).__name__}")
    checking = Conformance(resolve_mode(conformance), url.path, secret=key)
    _logging_from_env()
    return ClientOptions(
        key,
        url,
        _origin(url),
        resolved_timeout,
        retry,
        headers,
        cap,
        rate,
        checking,
        network,
        on_request,
        on_response,
    )


def _max_response_bytes(value: Any) -> int:
    return int(_number("max_response_bytes", value, integer=True, positive=True))


def http_client_of(http_client: Any, kind: type[Any]) -> Any:
    """`http_client`, when it is None or a `kind` (httpx.Client or httpx.AsyncClient)."""
    if http_client is not None and not isinstance(http_client, kind):
        raise TypeError(
            f"http_client must be an httpx.{kind.__name__}, got {type(http_client).__name__}"
        )
    return http_client


_PARAM_VALUES = (str, int, float, bool, type(None))


def _params(params: Any, argument: str = "params") -> None:
    if params is None:
        return
    if not isinstance(params, Mapping):
        raise TypeError(f"{argument} must be a mapping, got {type(params).__name__}")
    for name, value in params.items():
        if not isinstance(name, str):
            raise TypeError(f"{argument}: names must be str, got {type(name).__name__}")
        values = value if isinstance(value, (list, tuple)) else [value]
        for one in values:
            if not isinstance(one, _PARAM_VALUES):
                raise TypeError(
                    f"{argument}[{name!r}] must be a str, int, float, bool or None (or a list "
                    f"of them), got {type(one).__name__}"
                )


def request_kwargs(
    options: ClientOptions, method: str, path: str, params: Any, json: Any, timeout: Any
) -> dict[str, Any]:
    """`request()`'s arguments for httpx, checked before anything is sent."""
    if not isinstance(method, str):
        raise TypeError(f"method must be a str, got {type(method).__name__}")
    if not _METHOD.fullmatch(method):
        raise ValueError(f"method must be an HTTP method such as 'GET', got {method!r}")
    options.check_target(path)
    _params(params)
    kwargs: dict[str, Any] = {"params": params, "json": json}
    if timeout is not _UNCHANGED:
        kwargs["timeout"] = _timeout(timeout)
    return kwargs
