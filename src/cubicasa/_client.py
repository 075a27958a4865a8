"""`CubiCasa` and `AsyncCubiCasa`: key and base-URL defaults, timeouts, retries, resources.

Each client owns one `httpx.Client` (or `AsyncClient`) whose transport retries (see `_retry`), whose
auth adds the `api-key` header, and whose response hook turns 4xx/5xx into `errors`; the generated
`cubicasa_api` functions send through it. Resources call `_call` / `_acall`, which run a generated
`sync_detailed` / `asyncio_detailed` and turn what comes back into a model or an error.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Generator, Mapping
from functools import cached_property
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx

from ._calls import (
    SHAPE_ERRORS,
    araise_for_status,
    check_open,
    model_from,
    pdf_from,
    raise_for_status,
    shape_error,
    translate_errors,
)
from ._conformance import Conformance, ConformanceFinding, resolve_mode
from ._limits import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MIN_DOWNLOAD_RATE, with_deadlines
from ._retry import RetryPolicy
from ._transport import (
    AsyncBorrowedTransport,
    AsyncRetryTransport,
    BorrowedTransport,
    Limits,
    RetryStats,
    RetryTransport,
)
from ._version import __version__
from .errors import CubiCasaError

if TYPE_CHECKING:
    from .resources.company import AsyncCompany, Company
    from .resources.drafts import AsyncDrafts, Drafts
    from .resources.gotoscan import AsyncGoToScan, GoToScan
    from .resources.offices import AsyncOffices, Offices
    from .resources.orders import AsyncOrders, Orders
    from .resources.users import AsyncUsers, Users
    from .resources.webhooks import AsyncWebhooks, Webhooks

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MIN_DOWNLOAD_RATE",
    "DEFAULT_TIMEOUT",
    "AsyncCubiCasa",
    "CubiCasa",
]

DEFAULT_BASE_URL = "https://app.cubi.casa/api/integrate/v3"
# Connecting should be quick; CubiCasa may take a while to answer (PDFs, uploads).
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
API_KEY_ENV = "CUBICASA_API_KEY"
BASE_URL_ENV = "CUBICASA_BASE_URL"
LOG_ENV = "CUBICASA_LOG"

T = TypeVar("T")
_UNCHANGED: Any = object()

logger = logging.getLogger("cubicasa")


class _ApiKeyAuth(httpx.Auth):
    """Puts the key in the `api-key` header (not `Authorization`), and never shows it; sends it
    only to the base URL's origin."""

    def __init__(self, api_key: str, base_url: httpx.URL) -> None:
        self._api_key = api_key
        self._origin = _origin(base_url)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if _origin(request.url) != self._origin:
            raise CubiCasaError(
                f"Refusing to send the API key to {_shown_origin(request.url)}: "
                "it goes only to the base URL's origin."
            )
        request.headers["api-key"] = self._api_key
        yield request

    def __repr__(self) -> str:
        return "_ApiKeyAuth(api_key='***')"


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"https": 443, "http": 80}.get(url.scheme)
    return (url.scheme, url.host.lower(), url.port or default)


def _shown_origin(url: httpx.URL) -> str:
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
    return key


def _resolve_base_url(base_url: str | httpx.URL | None) -> httpx.URL:
    if base_url is None and os.environ.get(BASE_URL_ENV) == "":
        raise CubiCasaError(
            f"{BASE_URL_ENV} is set but empty: unset it to use production, or give a URL."
        )
    raw = base_url if base_url is not None else os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    try:
        url = httpx.URL(str(raw))
    except httpx.InvalidURL as exc:
        raise CubiCasaError(f"Invalid base URL {str(raw)!r}: {exc}") from None
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


def _number(name: str, value: Any, *, integer: bool = False, positive: bool = False) -> Any:
    """`value` when it is a finite number >= 0 (> 0 when `positive`): TypeError for another
    type, ValueError for another value, each naming the argument."""
    kinds = (int,) if integer else (int, float)
    if not isinstance(value, kinds) or isinstance(value, bool):
        wanted = "an int" if integer else "a number"
        raise TypeError(f"{name} must be {wanted}, got {type(value).__name__}")
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be {'> 0' if positive else '>= 0'}, got {value!r}")
    return value


def _retries(max_retries: Any) -> int:
    result: int = _number("max_retries", max_retries, integer=True)
    return result


def _generated_client(base_url: httpx.URL) -> Any:
    """The generated client the generated functions expect (imported on first construction)."""
    from cubicasa_api import Client

    return Client(base_url=str(base_url))


def _timeout(timeout: Any) -> httpx.Timeout:
    if timeout is None:
        return httpx.Timeout(None)
    if isinstance(timeout, httpx.Timeout):
        for part, value in timeout.as_dict().items():
            if value is not None:
                _number(f"timeout ({part})", value, positive=True)
        return timeout
    return httpx.Timeout(_number("timeout", timeout, positive=True))


def _limits(max_response_bytes: Any, min_download_rate: Any) -> Limits:
    return Limits(
        _number("max_response_bytes", max_response_bytes, integer=True, positive=True),
        float(_number("min_download_rate", min_download_rate)),
    )


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


class _Settings:
    """What both twins resolve the same way from the constructor's arguments."""

    def __init__(
        self,
        api_key: str | None,
        base_url: str | httpx.URL | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        max_response_bytes: int,
        min_download_rate: float,
        conformance: str | None = None,
    ) -> None:
        self.timeout = _timeout(timeout)
        self.max_retries = _retries(max_retries)
        self.limits = _limits(max_response_bytes, min_download_rate)
        self.api_key = _resolve_api_key(api_key)
        self.base_url = _resolve_base_url(base_url)
        self.headers = {
            "User-Agent": f"cubicasa-integrate/{__version__} httpx/{httpx.__version__}",
            "Accept": "application/json",
            **(default_headers or {}),
        }
        if any(name.lower() == "api-key" for name in self.headers):
            raise CubiCasaError("Pass the API key as api_key=..., not in default_headers.")
        self.conformance = Conformance(resolve_mode(conformance), self.base_url.path)
        _logging_from_env()

    def copy(
        self,
        timeout: Any = _UNCHANGED,
        max_retries: Any = _UNCHANGED,
        max_response_bytes: Any = _UNCHANGED,
    ) -> _Settings:
        """These settings with another timeout, retry count or size cap (for `with_options`)."""
        settings = object.__new__(_Settings)
        settings.__dict__.update(self.__dict__)
        if timeout is not _UNCHANGED:
            settings.timeout = _timeout(timeout)
        if max_retries is not _UNCHANGED:
            settings.max_retries = _retries(max_retries)
        if max_response_bytes is not _UNCHANGED:
            settings.limits = _limits(max_response_bytes, self.limits.min_download_rate)
        return settings

    def auth(self) -> _ApiKeyAuth:
        return _ApiKeyAuth(self.api_key, self.base_url)

    def check_target(self, path: str) -> None:
        """`request()` reaches the base URL's origin only: the key goes nowhere else."""
        if not isinstance(path, str):
            raise TypeError(f"path must be a str, got {type(path).__name__}")
        try:
            url = httpx.URL(path)
        except httpx.InvalidURL as exc:
            raise ValueError(f"path is not a valid URL path: {exc}") from None
        if url.is_absolute_url and _origin(url) != _origin(self.base_url):
            raise ValueError(
                f"path {_shown_origin(url)}/... is another origin than the base URL's "
                f"({_shown_origin(self.base_url)}): the API key is sent to that origin only."
            )

    def describe(self, name: str) -> str:
        return f"{name}(base_url={str(self.base_url)!r}, max_retries={self.max_retries})"


def _request_kwargs(
    settings: _Settings, path: str, params: Any, json: Any, timeout: Any
) -> dict[str, Any]:
    """`request()`'s arguments for httpx, checked before anything is sent."""
    settings.check_target(path)
    kwargs: dict[str, Any] = {"params": params, "json": json}
    if timeout is not _UNCHANGED:
        kwargs["timeout"] = _timeout(timeout)
    return kwargs


class CubiCasa:
    """The synchronous client.

    Args:
        api_key: your company's API key; defaults to the `CUBICASA_API_KEY` environment variable.
        base_url: defaults to `CUBICASA_BASE_URL`, else production. Must be https:// (http:// only
            for a loopback host).
        timeout: seconds (> 0), or an `httpx.Timeout`; default 60 s, 5 s to connect. Each try of
            a call ends within the longest of these, wall-clock, however slowly the server
            answers (None: no limit).
        max_retries: retries of a failed request (0 turns them off). A POST is retried only when it
            surely was not acted on (not sent, or 429): never after a timeout or a 5xx.
        max_response_bytes: the most a body read into memory (JSON, an error page,
            `get_combined_pdf`) may decode to; default 64 MiB. More is `ResponseTooLargeError`.
        min_download_rate: bytes a second a download must average over each window of the read
            timeout (default 1024: 60 KiB a minute), else it fails; 0 turns the check off.
        http_client: an `httpx.Client` to send through: the transport it picks for a URL (its
            connection pool, proxies, mounts, TLS settings) carries every request. Its base URL,
            headers, auth, cookies and event hooks are not applied (the client's own are). It is
            never closed.
        default_headers: headers added to every request.
        conformance: what to do when a response differs from the spec: `"log"` (the default; one
            WARNING per distinct deviation per process on the `cubicasa.conformance` logger),
            `"strict"` (raise `ResponseValidationError`) or `"off"`; defaults to the
            `CUBICASA_CONFORMANCE` environment variable. `client.conformance` lists the findings.

    Raises:
        CubiCasaError: no API key, a key that is not a valid header value, or a base URL that is
            not https.
        TypeError, ValueError: an argument of the wrong type or value (named in the message).
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | httpx.URL | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        http_client: httpx.Client | None = None,
        default_headers: Mapping[str, str] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        min_download_rate: float = DEFAULT_MIN_DOWNLOAD_RATE,
        conformance: str | None = None,
    ) -> None:
        self._settings = _Settings(
            api_key,
            base_url,
            timeout,
            max_retries,
            default_headers,
            max_response_bytes,
            min_download_rate,
            conformance,
        )
        inner: httpx.BaseTransport = (
            BorrowedTransport(http_client)
            if http_client is not None
            else with_deadlines(httpx.HTTPTransport())
        )
        self._setup(inner, RetryStats(), owns_transport=True)

    def _setup(
        self, inner: httpx.BaseTransport, stats: RetryStats, *, owns_transport: bool
    ) -> None:
        settings = self._settings
        self._inner = inner
        self._stats = stats
        self._owns_transport = owns_transport
        self._http = httpx.Client(
            base_url=settings.base_url,
            headers=settings.headers,
            timeout=settings.timeout,
            auth=settings.auth(),
            transport=RetryTransport(
                inner,
                RetryPolicy(settings.max_retries),
                stats,
                settings.limits,
                close_inner=owns_transport,
            ),
            event_hooks={"response": [*settings.conformance.hooks(), raise_for_status]},
        )
        self._api = _generated_client(settings.base_url).set_httpx_client(self._http)

    # Resources are built, and their generated modules imported, on first use.
    @cached_property
    def orders(self) -> Orders:
        """Orders, with `.change_requests`."""
        from .resources.orders import Orders

        return Orders(self)

    @cached_property
    def drafts(self) -> Drafts:
        from .resources.drafts import Drafts

        return Drafts(self)

    @cached_property
    def gotoscan(self) -> GoToScan:
        from .resources.gotoscan import GoToScan

        return GoToScan(self)

    @cached_property
    def users(self) -> Users:
        from .resources.users import Users

        return Users(self)

    @cached_property
    def offices(self) -> Offices:
        from .resources.offices import Offices

        return Offices(self)

    @cached_property
    def company(self) -> Company:
        from .resources.company import Company

        return Company(self)

    @cached_property
    def webhooks(self) -> Webhooks:
        from .resources.webhooks import Webhooks

        return Webhooks(self)

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = _UNCHANGED,
        max_retries: int = _UNCHANGED,
        max_response_bytes: int = _UNCHANGED,
    ) -> CubiCasa:
        """A client like this one, sharing its connections, with another timeout, retry count or
        size cap: `client.with_options(timeout=300).orders.get_combined_pdf(order_id)`."""
        check_open(self._http)
        copy = object.__new__(CubiCasa)
        copy._settings = self._settings.copy(timeout, max_retries, max_response_bytes)
        copy._setup(self._inner, self._stats, owns_transport=False)
        return copy

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        timeout: float | httpx.Timeout | None = _UNCHANGED,
    ) -> httpx.Response:
        """Call any path (relative to the base URL) with the same auth, retries and errors, for
        what the spec does not cover yet. Returns the read `httpx.Response` of a 2xx answer.

        Raises:
            ValueError: an absolute URL to another origin than the base URL's (before sending).
            APIStatusError: (a subclass of) for 3xx/4xx/5xx; APIConnectionError for no answer.
        """
        kwargs = _request_kwargs(self._settings, path, params, json, timeout)
        with translate_errors():
            check_open(self._http)
            return self._http.request(method.upper(), path, **kwargs)

    def _call(self, endpoint: ModuleType, expected: type[T], /, **kwargs: Any) -> T:
        with translate_errors() as seen:
            check_open(self._http)
            try:
                detailed = endpoint.sync_detailed(client=self._api, **kwargs)
            except SHAPE_ERRORS as exc:
                raise shape_error(seen, exc) from exc
            return model_from(detailed, expected, seen)

    def _call_pdf(self, endpoint: ModuleType, /, **kwargs: Any) -> bytes:
        with translate_errors() as seen:
            check_open(self._http)
            return pdf_from(endpoint.sync_detailed(client=self._api, **kwargs), seen)

    def _rate_limited(self) -> int:
        return self._stats.rate_limited

    @property
    def conformance(self) -> list[ConformanceFinding]:
        """The distinct ways responses differed from the spec so far, first occurrence each."""
        return self._settings.conformance.findings

    def close(self) -> None:
        """Close the connections this client opened (never an injected `http_client`); later
        calls raise `CubiCasaError`."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return self._settings.describe(type(self).__name__)


class AsyncCubiCasa:
    """The asynchronous client: the same arguments as `CubiCasa`, with an `httpx.AsyncClient`
    for `http_client`, and every method awaitable (list methods return async pagers)."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | httpx.URL | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        min_download_rate: float = DEFAULT_MIN_DOWNLOAD_RATE,
        conformance: str | None = None,
    ) -> None:
        self._settings = _Settings(
            api_key,
            base_url,
            timeout,
            max_retries,
            default_headers,
            max_response_bytes,
            min_download_rate,
            conformance,
        )
        inner: httpx.AsyncBaseTransport = (
            AsyncBorrowedTransport(http_client)
            if http_client is not None
            else with_deadlines(httpx.AsyncHTTPTransport())
        )
        self._setup(inner, RetryStats(), owns_transport=True)

    def _setup(
        self, inner: httpx.AsyncBaseTransport, stats: RetryStats, *, owns_transport: bool
    ) -> None:
        settings = self._settings
        self._inner = inner
        self._stats = stats
        self._owns_transport = owns_transport
        self._http = httpx.AsyncClient(
            base_url=settings.base_url,
            headers=settings.headers,
            timeout=settings.timeout,
            auth=settings.auth(),
            transport=AsyncRetryTransport(
                inner,
                RetryPolicy(settings.max_retries),
                stats,
                settings.limits,
                close_inner=owns_transport,
            ),
            event_hooks={"response": [*settings.conformance.async_hooks(), araise_for_status]},
        )
        self._api = _generated_client(settings.base_url).set_async_httpx_client(self._http)

    @cached_property
    def orders(self) -> AsyncOrders:
        """Orders, with `.change_requests`."""
        from .resources.orders import AsyncOrders

        return AsyncOrders(self)

    @cached_property
    def drafts(self) -> AsyncDrafts:
        from .resources.drafts import AsyncDrafts

        return AsyncDrafts(self)

    @cached_property
    def gotoscan(self) -> AsyncGoToScan:
        from .resources.gotoscan import AsyncGoToScan

        return AsyncGoToScan(self)

    @cached_property
    def users(self) -> AsyncUsers:
        from .resources.users import AsyncUsers

        return AsyncUsers(self)

    @cached_property
    def offices(self) -> AsyncOffices:
        from .resources.offices import AsyncOffices

        return AsyncOffices(self)

    @cached_property
    def company(self) -> AsyncCompany:
        from .resources.company import AsyncCompany

        return AsyncCompany(self)

    @cached_property
    def webhooks(self) -> AsyncWebhooks:
        from .resources.webhooks import AsyncWebhooks

        return AsyncWebhooks(self)

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = _UNCHANGED,
        max_retries: int = _UNCHANGED,
        max_response_bytes: int = _UNCHANGED,
    ) -> AsyncCubiCasa:
        """A client like this one, sharing its connections, with another timeout, retry count or
        size cap."""
        check_open(self._http)
        copy = object.__new__(AsyncCubiCasa)
        copy._settings = self._settings.copy(timeout, max_retries, max_response_bytes)
        copy._setup(self._inner, self._stats, owns_transport=False)
        return copy

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        timeout: float | httpx.Timeout | None = _UNCHANGED,
    ) -> httpx.Response:
        """Call any path, like `CubiCasa.request`."""
        kwargs = _request_kwargs(self._settings, path, params, json, timeout)
        with translate_errors():
            check_open(self._http)
            return await self._http.request(method.upper(), path, **kwargs)

    async def _acall(self, endpoint: ModuleType, expected: type[T], /, **kwargs: Any) -> T:
        with translate_errors() as seen:
            check_open(self._http)
            try:
                detailed = await endpoint.asyncio_detailed(client=self._api, **kwargs)
            except SHAPE_ERRORS as exc:
                raise shape_error(seen, exc) from exc
            return model_from(detailed, expected, seen)

    async def _acall_pdf(self, endpoint: ModuleType, /, **kwargs: Any) -> bytes:
        with translate_errors() as seen:
            check_open(self._http)
            return pdf_from(await endpoint.asyncio_detailed(client=self._api, **kwargs), seen)

    def _rate_limited(self) -> int:
        return self._stats.rate_limited

    @property
    def conformance(self) -> list[ConformanceFinding]:
        """The distinct ways responses differed from the spec so far, first occurrence each."""
        return self._settings.conformance.findings

    async def close(self) -> None:
        """Close the connections this client opened (never an injected `http_client`); later
        calls raise `CubiCasaError`."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return self._settings.describe(type(self).__name__)
