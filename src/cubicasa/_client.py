"""`CubiCasa` and `AsyncCubiCasa`: one base for what the twins share (settings, `with_options`,
the resource table, repr), and each twin's own sending.

Each client owns one `httpx.Client` (or `AsyncClient`) whose transport retries (see `_retry`), whose
auth adds the `api-key` header, and whose response hook turns 4xx/5xx into `errors`; the generated
`cubicasa_api` functions send through it. Resources call `_call` / `_acall` with the generated
`sync_detailed` / `asyncio_detailed` call itself (`lambda api: get_order.sync_detailed(order_id,
client=api)`), so mypy checks every argument against the generated signature; `_call` runs it and
turns what comes back into a model or an error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar, overload

import httpx

from ._body import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MIN_DOWNLOAD_RATE
from ._deadlines import with_deadlines
from ._retry import RetryPolicy
from ._settings import (
    _UNCHANGED,
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    Settings,
    http_client_of,
    request_kwargs,
)
from ._translate import (
    SHAPE_ERRORS,
    araise_for_status,
    check_open,
    model_from,
    pdf_from,
    raise_for_status,
    shape_error,
    translate_errors,
)
from ._transport import (
    AsyncBorrowedTransport,
    AsyncRetryTransport,
    BorrowedTransport,
    RetryStats,
    RetryTransport,
)
from .conformance import ConformanceFinding

if TYPE_CHECKING:
    from cubicasa_api import Client
    from cubicasa_api.types import Response

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

T = TypeVar("T")
R = TypeVar("R")

# The resource table: client attribute -> (module in `resources`, class); the async twin's class
# is the same name with "Async" in front.
RESOURCES = {
    "orders": ("orders", "Orders"),
    "drafts": ("drafts", "Drafts"),
    "gotoscan": ("gotoscan", "GoToScan"),
    "users": ("users", "Users"),
    "offices": ("offices", "Offices"),
    "company": ("company", "Company"),
    "webhooks": ("webhooks", "Webhooks"),
}


class _Resource(Generic[R]):
    """A client attribute holding one resource, built (and its modules imported) on first use."""

    def __set_name__(self, owner: type[_BaseClient], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, client: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, client: _BaseClient, owner: type[Any]) -> R: ...
    def __get__(self, client: _BaseClient | None, owner: type[Any]) -> Self | R:
        if client is None:
            return self
        import importlib

        module, name = RESOURCES[self._name]
        found = importlib.import_module(f".resources.{module}", __package__)
        resource: R = getattr(found, "Async" + name if client._is_async else name)(client)
        client.__dict__[self._name] = resource  # later reads skip the descriptor
        return resource


def _generated_client(base_url: httpx.URL) -> Client:
    """The generated client the generated functions expect (imported on first construction)."""
    from cubicasa_api import Client

    return Client(base_url=str(base_url))


class _BaseClient:
    """What both twins share: their settings (resolved and checked once, at construction),
    `with_options`, the count of rate-limited answers, and the repr."""

    _is_async: ClassVar[bool]
    _settings: Settings
    _stats: RetryStats
    _inner: Any
    _http: httpx.Client | httpx.AsyncClient

    def __init__(
        self,
        api_key: str | None,
        base_url: str | httpx.URL | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int | RetryPolicy,
        default_headers: Mapping[str, str] | None,
        max_response_bytes: int,
        min_download_rate: float,
        conformance: str | None,
    ) -> None:
        self._settings = Settings(
            api_key,
            base_url,
            timeout,
            max_retries,
            default_headers,
            max_response_bytes,
            min_download_rate,
            conformance,
        )

    def _setup(self, inner: Any, stats: RetryStats, *, owns_transport: bool) -> None:
        raise NotImplementedError

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = _UNCHANGED,
        max_retries: int | RetryPolicy = _UNCHANGED,
        max_response_bytes: int = _UNCHANGED,
    ) -> Self:
        """A client like this one, sharing its connections, with another timeout, retry count (or
        policy) or size cap: `client.with_options(timeout=300).orders.get_combined_pdf(id)`."""
        check_open(self._http)
        copy = object.__new__(type(self))
        copy._settings = self._settings.copy(timeout, max_retries, max_response_bytes)
        copy._setup(self._inner, self._stats, owns_transport=False)
        return copy

    @property
    def conformance(self) -> list[ConformanceFinding]:
        """The distinct ways responses differed from the spec so far, first occurrence each."""
        return self._settings.conformance.findings

    def _rate_limited_count(self) -> int:
        """How many 429 answers this client's connections have had (the pagers slow down)."""
        return self._stats.rate_limited

    def __repr__(self) -> str:
        return self._settings.describe(type(self).__name__)


class CubiCasa(_BaseClient):
    """The synchronous client.

    Args:
        api_key: your company's API key; defaults to the `CUBICASA_API_KEY` environment variable.
        base_url: defaults to `CUBICASA_BASE_URL`, else production. Must be https:// (http:// only
            for a loopback host).
        timeout: seconds (> 0), or an `httpx.Timeout`; default 60 s, 5 s to connect. Each try of
            a call ends within the longest of these, wall-clock, however slowly the server
            answers (None: no limit).
        max_retries: retries of a failed request (0 turns them off), or a `RetryPolicy` for the
            delays too. A POST is retried only when it surely was not acted on (not sent, or
            429): never after a timeout or a 5xx.
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

    _is_async = False
    _http: httpx.Client
    orders: _Resource[Orders] = _Resource()
    """Orders, with `.change_requests`."""
    drafts: _Resource[Drafts] = _Resource()
    gotoscan: _Resource[GoToScan] = _Resource()
    users: _Resource[Users] = _Resource()
    offices: _Resource[Offices] = _Resource()
    company: _Resource[Company] = _Resource()
    webhooks: _Resource[Webhooks] = _Resource()

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | httpx.URL | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int | RetryPolicy = 2,
        http_client: httpx.Client | None = None,
        default_headers: Mapping[str, str] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        min_download_rate: float = DEFAULT_MIN_DOWNLOAD_RATE,
        conformance: str | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url,
            timeout,
            max_retries,
            default_headers,
            max_response_bytes,
            min_download_rate,
            conformance,
        )
        http_client = http_client_of(http_client, httpx.Client)
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
        self._http = httpx.Client(
            base_url=settings.base_url,
            headers=settings.headers,
            timeout=settings.timeout,
            auth=settings.auth(),
            transport=RetryTransport(
                inner, settings.retry, stats, settings.limits, close_inner=owns_transport
            ),
            event_hooks={"response": [*settings.conformance.hooks(), raise_for_status]},
        )
        self._api = _generated_client(settings.base_url).set_httpx_client(self._http)

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
        kwargs = request_kwargs(self._settings, method, path, params, json, timeout)
        with translate_errors():
            check_open(self._http)
            return self._http.request(method.upper(), path, **kwargs)

    def _call(self, expected: type[T], send: Callable[[Client], Response[Any]], /) -> T:
        """Run one generated call (`send(api)`) and return its `expected` model, or raise."""
        with translate_errors() as seen:
            check_open(self._http)
            try:
                detailed = send(self._api)
            except SHAPE_ERRORS as exc:
                raise shape_error(seen, exc) from exc
            return model_from(detailed, expected, seen)

    def _call_pdf(self, send: Callable[[Client], Response[Any]], /) -> bytes:
        with translate_errors() as seen:
            check_open(self._http)
            return pdf_from(send(self._api), seen)

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


class AsyncCubiCasa(_BaseClient):
    """The asynchronous client: the same arguments as `CubiCasa`, with an `httpx.AsyncClient`
    for `http_client`, and every method awaitable (list methods return async pagers)."""

    _is_async = True
    _http: httpx.AsyncClient
    orders: _Resource[AsyncOrders] = _Resource()
    """Orders, with `.change_requests`."""
    drafts: _Resource[AsyncDrafts] = _Resource()
    gotoscan: _Resource[AsyncGoToScan] = _Resource()
    users: _Resource[AsyncUsers] = _Resource()
    offices: _Resource[AsyncOffices] = _Resource()
    company: _Resource[AsyncCompany] = _Resource()
    webhooks: _Resource[AsyncWebhooks] = _Resource()

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | httpx.URL | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int | RetryPolicy = 2,
        http_client: httpx.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        min_download_rate: float = DEFAULT_MIN_DOWNLOAD_RATE,
        conformance: str | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url,
            timeout,
            max_retries,
            default_headers,
            max_response_bytes,
            min_download_rate,
            conformance,
        )
        http_client = http_client_of(http_client, httpx.AsyncClient)
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
        self._http = httpx.AsyncClient(
            base_url=settings.base_url,
            headers=settings.headers,
            timeout=settings.timeout,
            auth=settings.auth(),
            transport=AsyncRetryTransport(
                inner, settings.retry, stats, settings.limits, close_inner=owns_transport
            ),
            event_hooks={"response": [*settings.conformance.async_hooks(), araise_for_status]},
        )
        self._api = _generated_client(settings.base_url).set_async_httpx_client(self._http)

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
        kwargs = request_kwargs(self._settings, method, path, params, json, timeout)
        with translate_errors():
            check_open(self._http)
            return await self._http.request(method.upper(), path, **kwargs)

    async def _acall(
        self, expected: type[T], send: Callable[[Client], Awaitable[Response[Any]]], /
    ) -> T:
        """The async twin of `CubiCasa._call`."""
        with translate_errors() as seen:
            check_open(self._http)
            try:
                detailed = await send(self._api)
            except SHAPE_ERRORS as exc:
                raise shape_error(seen, exc) from exc
            return model_from(detailed, expected, seen)

    async def _acall_pdf(self, send: Callable[[Client], Awaitable[Response[Any]]], /) -> bytes:
        with translate_errors() as seen:
            check_open(self._http)
            return pdf_from(await send(self._api), seen)

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
