"""`FakeCubiCasa`: an in-memory, stateful CubiCasa Integrate API v3.

One object holds the state (`_store`) and answers requests through `handle()`: it routes
(`_routing`), checks the key and size, applies injected faults (`_faults`), records
(`_recording`) and asks the operation's handler (`_handlers/`) for the answer. The in-process
transport and the HTTP server (`_transport`, `_server`) only carry requests to it. It uses
nothing beyond the standard library and httpx (for delivering webhooks).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import _seed
from ._deviations import Deviations
from ._faults import Fault, Faults
from ._handlers import HANDLERS
from ._http import MAX_BODY, Call, FakeResponse, Invalid, Missing, message, refusal
from ._recording import RecordedRequest, RequestLog, record
from ._routing import BASE_PATH, route
from ._store import Handler, Store

DEFAULT_API_KEY = "fake-cubicasa-key"
_STATE = ("orders", "change_requests", "users", "passwords", "offices", "user_offices",
          "model_ids", "webhook_config", "company", "package", "merge_requests",
          "password_resets")  # fmt: skip
"""The `Store` attributes that hold the account's data (what `reset()` puts back)."""


class FakeCubiCasa(Store):
    """A stateful stand-in for the CubiCasa Integrate API v3, for tests.

    Args:
        api_key: the key requests must carry in `api-key` (401 otherwise).
        seed: start with the documented examples' data (orders, a change request, users, an
            office), so the spec's example IDs work; False starts empty.
        docs_offsets: use the docs' pagination arithmetic (`next_offset` = offset + limit + 1)
            instead of offset + limit; a client that follows `next_offset` sees every item once
            either way, one that computes offsets does not.
        webhook_transport: an httpx transport to deliver webhooks through (e.g. a WSGI/ASGI
            app's); by default they go over HTTP, to loopback URLs only.
        webhook_retry_delay: seconds between CubiCasa's 3 tries of one webhook call.
    """

    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        *,
        seed: bool = True,
        docs_offsets: bool = False,
        webhook_transport: Any = None,
        webhook_retry_delay: float = 0.05,
    ) -> None:
        super().__init__(
            docs_offsets=docs_offsets,
            webhook_transport=webhook_transport,
            webhook_retry_delay=webhook_retry_delay,
        )
        self.api_key = api_key
        self.requests = RequestLog()
        self.faults = Faults()
        self.deviations = Deviations(HANDLERS)
        self._handlers: dict[str, Handler] = dict(HANDLERS)
        self._transport: Any = None
        self._seeded = seed
        if seed:
            _seed.seed(self)

    # ----- carriers -----------------------------------------------------------------------

    @property
    def transport(self) -> Any:
        """An httpx transport (sync and async) that answers in-process, with no socket."""
        if self._transport is None:
            from ._transport import FakeTransport

            self._transport = FakeTransport(self)
        return self._transport

    base_url = "http://127.0.0.1" + BASE_PATH
    """A base URL for in-process clients (no socket is opened; the host is not used)."""

    def client(self, **options: Any) -> Any:
        """A `CubiCasa` bound to this fake in-process."""
        import httpx

        from cubicasa import CubiCasa

        http = httpx.Client(transport=self.transport)
        return CubiCasa(api_key=self.api_key, base_url=self.base_url, http_client=http, **options)

    def async_client(self, **options: Any) -> Any:
        """An `AsyncCubiCasa` bound to this fake in-process."""
        import httpx

        from cubicasa import AsyncCubiCasa

        http = httpx.AsyncClient(transport=self.transport)
        return AsyncCubiCasa(
            api_key=self.api_key, base_url=self.base_url, http_client=http, **options
        )

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Any:
        """Serve this fake over HTTP: `with fake.serve() as server: server.base_url`."""
        from ._server import FakeServer

        return FakeServer(self, host=host, port=port)

    # ----- faults and the request log -----------------------------------------------------

    def fail(self, status: int = 503, *, times: int | None = 1, route: str | None = None) -> None:
        """Answer `status` to the next `times` calls (of operation `route`, or any)."""
        self.faults.append(Fault("status", route, times, status=status))

    def rate_limit(
        self, retry_after: float | str = 1, *, times: int | None = 1, route: str | None = None
    ) -> None:
        """Answer 429 with `Retry-After` to the next `times` calls."""
        value = str(retry_after)
        self.faults.append(Fault("status", route, times, status=429, retry_after=value))

    def latency(
        self, seconds: float, *, route: str | None = None, times: int | None = None
    ) -> None:
        """Answer `seconds` late (every call unless `times` is given)."""
        self.faults.append(Fault("latency", route, times, seconds=seconds))

    def drop_connection(
        self, *, times: int | None = 1, route: str | None = None, after_bytes: int = 16
    ) -> None:
        """Drop the connection after `after_bytes` bytes of the body, for the next calls."""
        self.faults.append(Fault("drop", route, times, after_bytes=after_bytes))

    def invalid_json(self, *, times: int | None = 1, route: str | None = None) -> None:
        """Answer 200 with a body that is not JSON, for the next calls."""
        self.faults.append(Fault("invalid_json", route, times))

    def clear_faults(self) -> None:
        self.faults.clear()

    def deviate(
        self,
        operation_id: str,
        *,
        add: Mapping[str, Any] | None = None,
        remove: Iterable[str] = (),
        replace: Mapping[str, Any] | None = None,
        status: int | None = None,
        content_type: str | None = None,
        path_missing: bool = False,
    ) -> None:
        """Make every answer of `operation_id` differ from the spec, as a changed API would,
        until `clear_deviations()`. Members are named by JSON pointers; `*` is every element of
        an array (`"/items/*/info/rush"`).

        Args:
            add: members to add, pointer -> value (an extra field).
            remove: members to leave out (a missing field).
            replace: members whose value changes, pointer -> value (a changed type, an unknown
                value); members that are absent stay absent.
            status: answer this status code instead.
            content_type: answer with this Content-Type instead.
            path_missing: answer 404 as a server without this path does (the handler never runs).

        Raises:
            ValueError: an operationId the spec does not have, a pointer that is not one, a bad
                status. TypeError: an argument of the wrong type.
        """
        self.deviations.set(
            operation_id,
            add=add,
            remove=remove,
            replace=replace,
            status=status,
            content_type=content_type,
            path_missing=path_missing,
        )

    def clear_deviations(self) -> None:
        """Answer as the spec says again."""
        self.deviations.clear()

    def reset(self) -> None:
        """Start again: the data the fake started with (the seed, or nothing), no faults, no
        deviations, an empty request log. Webhook deliveries already under way still finish."""
        fresh = Store(docs_offsets=self.docs_offsets)
        if self._seeded:
            _seed.seed(fresh)
        with self._lock:
            for name in _STATE:
                setattr(self, name, getattr(fresh, name))
            self.faults.clear()
            self.deviations.clear()
            self.requests.clear()

    def requests_to(self, operation_id: str) -> list[RecordedRequest]:
        """The recorded requests that reached operation `operation_id` (among the last
        `REQUEST_LOG_SIZE`, 1000, that `fake.requests` keeps; bodies cut to 16 KiB)."""
        return [r for r in self.requests if r.operation_id == operation_id]

    # ----- the request entry point --------------------------------------------------------

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> FakeResponse:
        """Answer one request. `target` is the path with its query string."""
        method = method.upper()
        parts = urlsplit(target)
        query = parse_qsl(parts.query, keep_blank_values=True)
        lowered = {k.lower(): v for k, v in headers.items()}
        recorded = record(method, unquote(parts.path), query, lowered, body)
        with self._lock:
            self.requests.append(recorded)
        response = self._answer(method, parts.path, query, lowered, body, recorded)
        recorded.status = response.status
        return response

    def _answer(
        self,
        method: str,
        raw_path: str,
        query: list[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        recorded: RecordedRequest,
    ) -> FakeResponse:
        found = route(method, raw_path)
        if isinstance(found, FakeResponse):
            return found
        matched, params = found
        recorded.operation_id = matched.operation_id
        if headers.get("api-key") != self.api_key:
            return message(401, "Invalid or missing API key")
        if len(body) > MAX_BODY:
            return message(413, "Request body too large: the limit is 1 MiB")
        fault = self.faults.take(matched.operation_id)
        injected = fault.answer() if fault is not None else None
        if injected is not None:
            return injected
        routed = Call(matched, params, query, body)
        response = self.deviations.answer(matched.operation_id, lambda: self._respond(routed))
        return fault.apply(response) if fault is not None else response

    def _respond(self, call: Call) -> FakeResponse:
        """The one place where the answer of a routed, authorised call is produced."""
        handler = self._handlers.get(call.operation.operation_id)
        if handler is None:
            return message(501, f"fake CubiCasa has no handler for {call.operation.operation_id}")
        try:
            with self._lock:
                return handler(self, call)
        except (Invalid, Missing) as refused:
            return refusal(refused)
