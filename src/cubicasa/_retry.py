"""The retry policy: pure functions of (method, attempt, outcome) that return a decision.

What is retried, and why:
- a connection failure before the request was sent (refused, DNS, connect timeout, no pooled
  connection): every method, since CubiCasa never saw the request;
- a read/write timeout, a connection dropped mid-answer, 408, 429 and 5xx: GET, HEAD, OPTIONS,
  PUT, PATCH and DELETE, which are safe to repeat;
- 429 on POST too, because the server refused it without acting on it.
A POST that timed out or got a 5xx is never repeated: CubiCasa may have created the order, and
sending it again could order (and bill) twice.

`decide(policy, method, attempt, outcome)` is what the request loop, the download restarts and
nothing else ask. `sleep` and `asleep` are module attributes so tests can record the waits.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
RETRYABLE_STATUSES = frozenset({408, 429}) | frozenset(range(500, 600))
# Errors raised before any byte of the request reached the server.
NOT_SENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)


@dataclass(frozen=True)
class RetryPolicy:
    """How many times and how long to wait. Delays grow 0.5 s, 1 s, 2 s, ... up to 8 s, less up
    to 25 % jitter; a `Retry-After` header wins, up to `max_retry_after` seconds."""

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    jitter: float = 0.25


@dataclass(frozen=True)
class Decision:
    retry: bool
    delay: float = 0.0
    reason: str = ""


STOP = Decision(retry=False)


class RetryStats:
    """Counts shared by a client and its `with_options` copies; the pagers read `rate_limited`
    to slow down."""

    def __init__(self) -> None:
        self.rate_limited = 0


sleep = time.sleep


async def asleep(seconds: float) -> None:
    import asyncio  # here, not at the top: `import cubicasa` stays light

    await asyncio.sleep(seconds)


def decide(
    policy: RetryPolicy, method: str, attempt: int, outcome: httpx.Response | Exception
) -> Decision:
    """Whether to send again after `outcome` (an answer, or the error that stood for one) of try
    number `attempt` (0 for the first), and after how long."""
    if isinstance(outcome, Exception):
        return decide_after_error(policy, method, attempt, outcome)
    return decide_after_status(policy, method, attempt, outcome.status_code, outcome.headers)


def decide_after_error(
    policy: RetryPolicy,
    method: str,
    attempt: int,
    error: Exception,
    rand: Callable[[], float] = random.random,
) -> Decision:
    """Whether to send again after `error` on try number `attempt` (0 for the first)."""
    if attempt >= policy.max_retries:
        return STOP
    if isinstance(error, NOT_SENT_ERRORS):
        return Decision(True, backoff(policy, attempt, rand), f"not sent: {type(error).__name__}")
    if isinstance(error, httpx.TransportError) and method.upper() in IDEMPOTENT_METHODS:
        return Decision(True, backoff(policy, attempt, rand), type(error).__name__)
    return STOP


def decide_after_status(
    policy: RetryPolicy,
    method: str,
    attempt: int,
    status: int,
    headers: Mapping[str, str],
    rand: Callable[[], float] = random.random,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Decision:
    """Whether to send again after an answer with `status` on try number `attempt`."""
    if attempt >= policy.max_retries or status not in RETRYABLE_STATUSES:
        return STOP
    if method.upper() not in IDEMPOTENT_METHODS and status != 429:
        return STOP
    waited = retry_after(headers, now)
    if waited is not None:
        return Decision(True, min(waited, policy.max_retry_after), f"{status}, Retry-After")
    return Decision(True, backoff(policy, attempt, rand), str(status))


def backoff(policy: RetryPolicy, attempt: int, rand: Callable[[], float] = random.random) -> float:
    """Exponential delay for try number `attempt`, capped, less a random share (jitter)."""
    delay = min(policy.initial_delay * 2.0**attempt, policy.max_delay)
    return delay * (1 - policy.jitter * rand())


def retry_after(headers: Mapping[str, str], now: Callable[[], datetime]) -> float | None:
    """Seconds asked for by `Retry-After` (seconds, or an HTTP date), or None when absent/bad."""
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now()).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(seconds, 0.0)
