"""Webhook bodies built to break the receiver: lone surrogates and huge integers end in a
`WebhookPayloadError` that says what they are, through every entry point."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cubicasa.webhooks import (
    OrderStatusEvent,
    WebhookPayloadError,
    WebhookReceiver,
    WebhookVerificationError,
    handle,
    parse_order_status,
)

SECRET = "a-secret-of-32-characters-or-so!"
URL = f"https://hooks.agency.test/cubicasa?token={SECRET}"


def _handle(body: bytes | str) -> OrderStatusEvent:
    return handle(body, URL, secret=SECRET)


def _receiver(body: bytes | str) -> OrderStatusEvent:
    return WebhookReceiver(SECRET).handle(body, URL)


ENTRY_POINTS = [
    pytest.param(_handle, id="handle"),
    pytest.param(_receiver, id="WebhookReceiver.handle"),
    pytest.param(parse_order_status, id="parse_order_status"),
]
HUGE = "9" * 5000


EVENT = '{"id": "x", "current_status": "Ready"'
LONE = "lone surrogate"
TOO_LARGE = "integer of 5000 digits, too large"


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize(
    ("body", "says"),
    [
        pytest.param('{"id": "\ud800", "current_status": "Ready"}', LONE, id="raw-id"),
        pytest.param('{"id": "x", "current_status": "Ready\udfff"}', LONE, id="raw-status"),
        pytest.param(EVENT + ', "k\ud83d": 1}', LONE, id="raw-key"),
        pytest.param("\ud800", "lone surrogate at character 0", id="raw-alone"),
        pytest.param('{"id": "\\ud800", "current_status": "Ready"}', LONE, id="escaped-str"),
        pytest.param(b'{"id": "\\udc00", "current_status": "Ready"}', LONE, id="escaped-bytes"),
        pytest.param((EVENT + ', "m": ["\\ud800"]}').encode(), LONE, id="escaped-nested"),
        pytest.param(EVENT + ', "n": ' + HUGE + "}", TOO_LARGE, id="huge-int-str"),
        pytest.param((EVENT + ', "n": [-' + HUGE + "]}").encode(), TOO_LARGE, id="huge-int-bytes"),
        pytest.param("[" * 100_000, "nested too deeply", id="deep"),
    ],
)
def test_hostile_bodies_are_payload_errors_that_say_what_they_are(
    entry: Callable[[bytes | str], OrderStatusEvent], body: bytes | str, says: str
) -> None:
    with pytest.raises(WebhookPayloadError) as raised:
        entry(body)
    message = str(raised.value)
    assert says in message
    message.encode("utf-8")  # the message itself can be logged anywhere
    if "integer" in says:
        assert "nested" not in message


def test_escaped_pairs_and_big_but_fine_integers_still_parse() -> None:
    event = _handle(
        '{"id": "x", "current_status": "Ready", "emoji": "\\ud83d\\ude00", "n": ' + "9" * 4300 + "}"
    )
    assert event.model_extra is not None
    assert event.model_extra["emoji"] == "\U0001f600"
    assert len(str(event.model_extra["n"])) == 4300


@pytest.mark.parametrize("url", [URL + "\ud800", URL[:-1] + "\udfff"])
def test_a_url_with_a_lone_surrogate_is_a_verification_error(url: str) -> None:
    with pytest.raises(WebhookVerificationError):
        handle('{"id": "x", "current_status": "Ready"}', url, secret=SECRET)


ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["id", "current_status", "other"]) | ANY_TEXT, ANY_TEXT))
def test_whatever_text_comes_in_an_event_is_encodable_or_refused(fields: dict[Any, str]) -> None:
    """Surrogates included (hypothesis leaves them out unless asked): handle() either refuses
    the body with WebhookPayloadError or returns an event whose every string is valid UTF-8."""
    for body in (json.dumps(fields, ensure_ascii=False), json.dumps(fields)):
        try:
            event = _handle(body)
        except WebhookPayloadError as exc:
            str(exc).encode("utf-8")
            continue
        json.dumps(event.model_dump(), ensure_ascii=False).encode("utf-8")
        event.dedupe_key.encode("utf-8")
