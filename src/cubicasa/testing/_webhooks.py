"""How the fake sends order-status webhooks: POSTed from a background thread, tried 3 times like
CubiCasa (https://integrate.docs.cubi.casa/about-webhooks-1362318m0), and only to loopback
addresses unless a transport is given, so a test never calls a real receiver by accident."""

from __future__ import annotations

import ipaddress
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

TRIES = 3


@dataclass
class Delivery:
    """One webhook call: where, what, and how each try went (status code or error name)."""

    url: str
    payload: dict[str, Any]
    tries: list[str] = field(default_factory=list)
    delivered: bool = False
    skipped: str | None = None


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class WebhookSender:
    """Queues webhook calls and sends them in order from one daemon thread."""

    def __init__(self, *, transport: Any = None, retry_delay: float = 0.05) -> None:
        self.transport = transport
        self.retry_delay = retry_delay
        self.deliveries: list[Delivery] = []
        self._queue: queue.Queue[Delivery] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def send(self, url: str, payload: dict[str, Any]) -> Delivery:
        delivery = Delivery(url, dict(payload))
        with self._lock:
            self.deliveries.append(delivery)
            if self.transport is None and not _loopback(url):
                delivery.skipped = "not a loopback address: the fake only calls this machine"
                return delivery
            self._queue.put(delivery)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="fake-cubicasa-webhooks", daemon=True
                )
                self._thread.start()
        return delivery

    def wait(self, timeout: float = 10.0) -> list[Delivery]:
        """Wait until every queued call is done (delivered or given up); returns all calls."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                raise TimeoutError("webhook deliveries still pending")
            time.sleep(0.005)
        return list(self.deliveries)

    def _run(self) -> None:
        """Send queued calls; once the queue has been idle a moment, close up and end."""
        with httpx.Client(transport=self.transport, timeout=5.0) as client:
            while True:
                try:
                    delivery = self._queue.get(timeout=0.2)
                except queue.Empty:
                    with self._lock:
                        if self._queue.empty():
                            self._thread = None
                            return
                    continue
                try:
                    self._deliver(client, delivery)
                finally:
                    self._queue.task_done()

    def _deliver(self, client: httpx.Client, delivery: Delivery) -> None:
        for attempt in range(TRIES):
            try:
                response = client.post(delivery.url, json=delivery.payload)
                delivery.tries.append(str(response.status_code))
                if 200 <= response.status_code < 300:
                    delivery.delivered = True
                    return
            except httpx.HTTPError as exc:
                delivery.tries.append(type(exc).__name__)
            if attempt < TRIES - 1:
                time.sleep(self.retry_delay)
