"""Stopping the calls other threads are blocked in: a `StopScope` knows the sockets its threads
are reading or writing, and `stop()` shuts them down, so a blocked read returns at once, and every
later read, write, connect or retry wait of those threads raises `Stopped`.

The sync pager's threads run under one (`Pager.pages` with `concurrency`): a `break` or Ctrl-C
then ends the walk without waiting for pages nobody will use. The network streams of
`_httpx_reach` and the retry waits of `_retry` ask `current()`; outside a scope they are untouched.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_scope: ContextVar[StopScope | None] = ContextVar("cubicasa_stop_scope", default=None)


class Stopped(Exception):
    """Raised in a thread of a stopped scope; not an httpx error, so never retried."""


class StopScope:
    def __init__(self) -> None:
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._sockets: dict[int, socket.socket] = {}

    def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in this thread, under this scope."""
        token = _scope.set(self)
        try:
            return function(*args)
        finally:
            _scope.reset(token)

    def check(self) -> None:
        if self._stopped.is_set():
            raise Stopped("stopped: nobody waits for this call any more")

    def wait(self, seconds: float) -> None:
        """Sleep `seconds`, or less when the scope stops (then `Stopped`)."""
        if self._stopped.wait(seconds):
            self.check()

    def blocking(self, sock: Any, call: Callable[[], T]) -> T:
        """`call()`, a blocking operation on `sock`, which `stop()` interrupts (the error then
        raised, or the empty read, becomes `Stopped`)."""
        self.check()
        held = isinstance(sock, socket.socket)
        if held:
            with self._lock:
                self._sockets[id(sock)] = sock
        try:
            result = call()
        except Exception:
            self.check()
            raise
        finally:
            if held:
                with self._lock:
                    self._sockets.pop(id(sock), None)
        self.check()
        return result

    def stop(self) -> None:
        """Interrupt every blocked call of this scope; make its later ones raise `Stopped`."""
        self._stopped.set()
        with self._lock:
            sockets = list(self._sockets.values())
        for sock in sockets:
            # The plain socket's shutdown, also on an SSLSocket (whose own shutdown would drop its
            # TLS state under the thread reading it): the blocked read sees the end.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


def current() -> StopScope | None:
    return _scope.get()
