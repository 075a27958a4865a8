"""The retry policy on its own: pure decisions, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from cubicasa._retry import (
    RetryPolicy,
    backoff,
    decide_after_error,
    decide_after_status,
    retry_after,
)

POLICY = RetryPolicy()
NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
REQUEST = httpx.Request("GET", "https://x.test/")


def status(method: str, code: int, headers: dict[str, str] | None = None, attempt: int = 0) -> bool:
    return decide_after_status(POLICY, method, attempt, code, headers or {}, lambda: 0.0).retry


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("code", [408, 429, 500, 502, 503, 504])
def test_idempotent_methods_retry_408_429_and_5xx(method: str, code: int) -> None:
    assert status(method, code)


@pytest.mark.parametrize("code", [408, 500, 502, 503, 504])
def test_post_never_retries_a_status_that_may_have_acted(code: int) -> None:
    assert not status("POST", code)


def test_post_retries_429() -> None:
    assert status("POST", 429)


@pytest.mark.parametrize("code", [200, 201, 400, 401, 403, 404, 409, 422])
def test_other_statuses_are_final(code: int) -> None:
    assert not status("GET", code)


def test_retries_stop_at_max_retries() -> None:
    assert status("GET", 503, attempt=1)
    assert not status("GET", 503, attempt=2)
    off = RetryPolicy(max_retries=0)
    assert not decide_after_status(off, "GET", 0, 503, {}).retry


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("refused", request=REQUEST),
        httpx.ConnectTimeout("slow connect", request=REQUEST),
        httpx.PoolTimeout("no connection", request=REQUEST),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_errors_before_sending_retry_every_method(error: Exception, method: str) -> None:
    assert decide_after_error(POLICY, method, 0, error).retry


@pytest.mark.parametrize(
    "error",
    [
        httpx.ReadTimeout("slow", request=REQUEST),
        httpx.WriteTimeout("slow", request=REQUEST),
        httpx.RemoteProtocolError("dropped", request=REQUEST),
        httpx.ReadError("reset", request=REQUEST),
    ],
)
def test_errors_after_sending_retry_only_idempotent_methods(error: Exception) -> None:
    assert decide_after_error(POLICY, "GET", 0, error).retry
    assert decide_after_error(POLICY, "DELETE", 0, error).retry
    assert not decide_after_error(POLICY, "POST", 0, error).retry


def test_non_transport_errors_are_not_retried() -> None:
    assert not decide_after_error(POLICY, "GET", 0, ValueError("bug")).retry


def test_backoff_doubles_from_half_a_second_up_to_eight() -> None:
    no_jitter = [backoff(POLICY, attempt, lambda: 0.0) for attempt in range(7)]
    assert no_jitter == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    most_jitter = [backoff(POLICY, attempt, lambda: 1.0) for attempt in range(3)]
    assert most_jitter == [0.375, 0.75, 1.5]


def test_retry_after_seconds_and_dates() -> None:
    def now() -> datetime:
        return NOW

    assert retry_after({"retry-after": "2"}, now) == 2.0
    assert retry_after({"retry-after": "1.5"}, now) == 1.5
    assert retry_after({"retry-after": "Fri, 27 Nov 2026 12:00:30 GMT"}, now) == 30.0
    assert retry_after({"retry-after": "Fri, 27 Nov 2026 11:00:00 GMT"}, now) == 0.0
    assert retry_after({"retry-after": "soon"}, now) is None
    assert retry_after({}, now) is None


def test_retry_after_wins_over_backoff_and_is_capped() -> None:
    decision = decide_after_status(POLICY, "GET", 0, 429, {"retry-after": "7"})
    assert decision.delay == 7.0
    capped = decide_after_status(POLICY, "GET", 0, 503, {"retry-after": "3600"})
    assert capped.delay == POLICY.max_retry_after
