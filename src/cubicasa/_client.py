"""`CubiCasa` and `AsyncCubiCasa`: the constructors (their options resolved once), `with_options`,
the resource table, `request()` for any path, closing, and the repr. Every call runs the request
loop of `_base_client` (the sync twin in `_sync/_base_client.py`, produced from the async one).
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Callable, Mapping
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar, overload

import httpx

from ._base_client import AsyncAPIClient
from ._body import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MIN_DOWNLOAD_RATE
from ._network import Network, resolve_network
from ._raw import RawResponses
from ._retry import RetryPolicy, RetryStats
from ._settings import (
    _UNCHANGED,
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    http_client_of,
    request_kwargs,
    resolve_options,
)
from ._sync._base_client import SyncAPIClient
from ._transport import async_borrowed, borrowed, own_async_transport, own_transport
from .conformance import ConformanceFinding

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

    def __set_name__(self, owner: type[_ClientCommon], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, client: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, client: _ClientCommon, owner: type[Any]) -> R: ...
    def __get__(self, client: _ClientCommon | None, owner: type[Any]) -> Self | R:
        if client is None:
            return self
        import importlib

        module, name = RESOURCES[self._name]
        found = importlib.import_module(f".resources.{module}", __package__)
        resource: R = getattr(found, "Async" + name if client._is_async else name)(client)
        client.__dict__[self._name] = resource  # later reads skip the descriptor
        return resource


def _network(http_client: Any, proxy: Any, trust_env: Any, verify: Any) -> Network | None:
    """The proxy and TLS trust of the client's own pools; None with a caller's `http_client`,
    which has its own (setting them here too would be silently ignored, so it is refused)."""
    if http_client is None:
        return resolve_network(verify, proxy, trust_env)
    given = [
        name
        for name, value, default in (
            ("proxy", proxy, None),
            ("trust_env", trust_env, True),
            ("verify", verify, True),
        )
        if value is not default
    ]
    if given:
        raise ValueError(
            f"{', '.join(given)}: set on the http_client you pass (it makes the connections), "
            "not on the CubiCasa client too"
        )
    return None


class _ClientCommon:
    """What both clients share: `with_options`, `conformance`, the repr."""

    _is_async: ClassVar[bool]
    _options: Any
    _http: Any
    _inner: Any
    _stats: RetryStats

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = _UNCHANGED,
        max_retries: int | RetryPolicy = _UNCHANGED,
        max_response_bytes: int = _UNCHANGED,
        extra_headers: Mapping[str, str] | None = _UNCHANGED,
        extra_query: Mapping[str, Any] | None = _UNCHANGED,
    ) -> Self:
        """A client like this one, sharing its connections, with another timeout, retry count (or
        policy) or size cap, or headers or query parameters added to each of its requests:
        `client.with_options(timeout=300).orders.get_combined_pdf(id)`,
        `client.with_options(extra_headers={"X-Trace": "1"}).orders.get(id)`.

        Raises:
            CubiCasaError: `extra_headers` names `api-key` (the key is the client's `api_key`).
            TypeError, ValueError: an argument of the wrong type or value.
        """
        return self._copy(
            self._options.replace(
                timeout, max_retries, max_response_bytes, extra_headers, extra_query
            )
        )

    @property
    def with_raw_response(self) -> RawResponses:
        """The client's API areas answering with the HTTP answer: `client.with_raw_response
        .orders.get(id)` returns a `RawResponse` (`status_code`, `headers`, `request_id`,
        `elapsed`, `retries`, and `.parse()` for the `Order`); awaitable on `AsyncCubiCasa`."""
        return RawResponses(self._copy(self._options.replace(raw=True)), frozenset(RESOURCES))

    def _copy(self, options: Any) -> Self:
        self._check_open()  # type: ignore[attr-defined]
        copy = object.__new__(type(self))
        copy._options = options
        copy._new_transport = self._new_transport  # type: ignore[attr-defined]
        copy._setup(self._inner, self._stats, owns_transport=False)  # type: ignore[attr-defined]
        return copy

    @property
    def conformance(self) -> list[ConformanceFinding]:
        """The distinct ways responses differed from the spec so far, first occurrence each."""
        findings: list[ConformanceFinding] = self._options.conformance.findings
        return findings

    def __repr__(self) -> str:
        return str(self._options.describe(type(self).__name__))


class CubiCasa(_ClientCommon, SyncAPIClient):
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
        proxy: the proxy to send through (`"http://proxy.example:3128"`, or an `httpx.Proxy`);
            by default the environment's, as httpx and curl read it (`HTTPS_PROXY`, `HTTP_PROXY`,
            `ALL_PROXY`, `NO_PROXY`, in lower or upper case). An https base URL goes through a
            CONNECT tunnel: the proxy never sees the key.
        trust_env: False ignores the proxy and CA environment variables.
        verify: True (certifi's CA bundle, or `SSL_CERT_FILE` / `SSL_CERT_DIR` when set), a CA
            bundle file or directory, or an `ssl.SSLContext` (e.g. `truststore.SSLContext(...)`
            for the operating system's trust store); False turns certificate checks off.
        on_request: called with each try's `httpx.Request` before it is sent (its `api-key`
            header shown as `***`).
        on_response: called with each try's `httpx.Response` once its body is read (a
            download's before it streams), retried answers included.
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
    """Draft orders: create, update (a full replacement), delete."""
    gotoscan: _Resource[GoToScan] = _Resource()
    """GoToScan orders: create."""
    users: _Resource[Users] = _Resource()
    """Users of the company: list, create, get, update, passwords, delete."""
    offices: _Resource[Offices] = _Resource()
    """Offices: list, create."""
    company: _Resource[Company] = _Resource()
    """The company: its info, its package, merge requests."""
    webhooks: _Resource[Webhooks] = _Resource()
    """The company's webhook: set its URLs and triggers, delete it."""

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
        proxy: str | httpx.URL | httpx.Proxy | None = None,
        trust_env: bool = True,
        verify: bool | str | os.PathLike[str] | ssl.SSLContext = True,
        on_request: Callable[[httpx.Request], object] | None = None,
        on_response: Callable[[httpx.Response], object] | None = None,
    ) -> None:
        self._options = resolve_options(
            api_key,
            base_url,
            timeout,
            max_retries,
            default_headers,
            max_response_bytes,
            min_download_rate,
            conformance,
            network=_network(http_client, proxy, trust_env, verify),
            on_request=on_request,
            on_response=on_response,
        )
        http_client = http_client_of(http_client, httpx.Client)
        network = self._options.network
        if network is None:  # the caller's: never closed by this client
            self._new_transport = None
            inner = borrowed(http_client, self._options.base_url)
            self._setup(inner, RetryStats(), owns_transport=False)
        else:
            self._new_transport = partial(own_transport, network, self._options.base_url)
            self._setup(self._new_transport(), RetryStats(), owns_transport=True)

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
        kwargs = request_kwargs(self._options, method, path, params, json, timeout)
        return self._call_raw({"method": method.upper(), "url": path, **kwargs})

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


class AsyncCubiCasa(_ClientCommon, AsyncAPIClient):
    """The asynchronous client: the same arguments as `CubiCasa`, with an `httpx.AsyncClient`
    for `http_client`, and every method awaitable (list methods return async pagers)."""

    _is_async = True
    _http: httpx.AsyncClient
    orders: _Resource[AsyncOrders] = _Resource()
    """Orders, with `.change_requests`."""
    drafts: _Resource[AsyncDrafts] = _Resource()
    """Draft orders: create, update (a full replacement), delete."""
    gotoscan: _Resource[AsyncGoToScan] = _Resource()
    """GoToScan orders: create."""
    users: _Resource[AsyncUsers] = _Resource()
    """Users of the company: list, create, get, update, passwords, delete."""
    offices: _Resource[AsyncOffices] = _Resource()
    """Offices: list, create."""
    company: _Resource[AsyncCompany] = _Resource()
    """The company: its info, its package, merge requests."""
    webhooks: _Resource[AsyncWebhooks] = _Resource()
    """The company's webhook: set its URLs and triggers, delete it."""

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
        proxy: str | httpx.URL | httpx.Proxy | None = None,
        trust_env: bool = True,
        verify: bool | str | os.PathLike[str] | ssl.SSLContext = True,
        on_request: Callable[[httpx.Request], object] | None = None,
        on_response: Callable[[httpx.Response], object] | None = None,
    ) -> None:
        self._options = resolve_options(
            api_key,
            base_url,
            timeout,
            max_retries,
            default_headers,
            max_response_bytes,
            min_download_rate,
            conformance,
            network=_network(http_client, proxy, trust_env, verify),
            on_request=on_request,
            on_response=on_response,
        )
        http_client = http_client_of(http_client, httpx.AsyncClient)
        network = self._options.network
        if network is None:  # the caller's: never closed by this client
            self._new_transport = None
            ainner = async_borrowed(http_client, self._options.base_url)
            self._setup(ainner, RetryStats(), owns_transport=False)
        else:
            self._new_transport = partial(own_async_transport, network, self._options.base_url)
            self._setup(self._new_transport(), RetryStats(), owns_transport=True)

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
        kwargs = request_kwargs(self._options, method, path, params, json, timeout)
        return await self._call_raw({"method": method.upper(), "url": path, **kwargs})

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
