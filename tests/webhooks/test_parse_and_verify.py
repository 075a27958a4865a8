"""Parsing, verifying and de-duplicating order-status webhooks."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cubicasa
from cubicasa.webhooks import (
    RecentEvents,
    WebhookPayloadError,
    WebhookReceiver,
    WebhookVerificationError,
    generate_secret,
    handle,
    parse_order_status,
    verify_token,
    webhook_url,
)

DOCUMENTED = {
    "id": "363c38cd-9682-4ff3-9100-9ef4e755f275",
    "current_status": "Ready",
    "previous_status": "Pending",
    "model_id": "cb2aba10-979f-461c-bdb7-906f5047d111",
    "product_type": "products_2d",
    "delivery_type": "new",
}
SECRET = "s3cret-token-with-enough-length"


def body(**changes: Any) -> bytes:
    return json.dumps({**DOCUMENTED, **changes}).encode()


def test_the_documented_payload_parses() -> None:
    event = parse_order_status(json.dumps(DOCUMENTED))
    assert event.model_dump(mode="json", exclude_unset=True) == DOCUMENTED
    assert event.id == DOCUMENTED["id"]
    assert event.is_first_delivery
    assert not event.is_fix_delivered
    assert not event.is_quick_edit


@pytest.mark.parametrize(
    ("previous", "current", "first", "fix", "quick"),
    [
        ("Pending", "Ready", True, False, False),
        ("Fixing", "Ready", False, True, False),
        ("Ready", "Ready", False, False, True),
        ("New", "Draft", False, False, False),
        ("Draft", "Pending", False, False, False),
        ("Ready", "Fixing", False, False, False),
    ],
)
def test_each_documented_transition(
    previous: str, current: str, first: bool, fix: bool, quick: bool
) -> None:
    event = parse_order_status(body(previous_status=previous, current_status=current))
    assert (event.is_first_delivery, event.is_fix_delivered, event.is_quick_edit) == (
        first,
        fix,
        quick,
    )


def test_unknown_values_and_fields_are_kept() -> None:
    event = parse_order_status(
        body(current_status="Archived", product_type="hologram", delivery_type="redo", region="eu")
    )
    assert event.current_status == "Archived"
    assert event.product_type == "hologram"
    assert event.delivery_type == "redo"
    assert event.model_extra == {"region": "eu"}


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"not json at all", "not JSON"),
        (b"[1, 2, 3]", "JSON object, got list"),
        (b'"text"', "JSON object, got str"),
        (b"", "not JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (json.dumps({"current_status": "Ready"}).encode(), "id: Field required"),
        (body(id=123), "id: Input should be a valid string"),
        (body(current_status=None), "current_status: Input should be a valid string"),
        (body(model_id=["x"]), "model_id: Input should be a valid string"),
        (b"{" * 100_000, "not JSON"),
    ],
)
def test_bad_bodies_say_what_is_wrong(raw: bytes, says: str) -> None:
    with pytest.raises(WebhookPayloadError, match=says) as caught:
        parse_order_status(raw)
    assert isinstance(caught.value, cubicasa.CubiCasaError)
    assert isinstance(caught.value, ValueError)
    assert len(str(caught.value)) < 300


def test_a_body_over_1_mib_is_refused() -> None:
    big = body(padding="x" * (1024 * 1024))
    with pytest.raises(WebhookPayloadError, match="1 MiB"):
        parse_order_status(big)
    with pytest.raises(WebhookPayloadError, match="1 MiB"):
        parse_order_status(big.decode())


def test_the_message_quotes_only_a_short_prefix() -> None:
    secret_looking = "not-json " + "A" * 5000
    with pytest.raises(WebhookPayloadError) as caught:
        parse_order_status(secret_looking)
    assert "A" * 100 not in str(caught.value)


def test_the_dedupe_key_is_stable_and_distinguishes_events() -> None:
    first = parse_order_status(body())
    retry = parse_order_status(json.dumps({**DOCUMENTED, "extra": 1}, indent=2))
    fixed = parse_order_status(body(previous_status="Fixing"))
    assert first.dedupe_key == retry.dedupe_key
    assert first.dedupe_key != fixed.dedupe_key
    assert first.dedupe_key.startswith(DOCUMENTED["id"])


def test_recent_events_forget_after_the_window_and_stay_bounded() -> None:
    now = [0.0]
    recent = RecentEvents(window=60, max_keys=3, clock=lambda: now[0])
    assert not recent.seen("a")
    assert recent.seen("a")
    now[0] = 61
    assert not recent.seen("a")  # forgotten after the window
    for key in "bcde":
        recent.seen(key)
    assert len(recent) == 3  # bounded: the oldest went first
    assert not recent.seen("a")


def test_tokens_in_urls() -> None:
    url = webhook_url("https://hooks.example.com/cubicasa?tenant=7", SECRET)
    assert url == f"https://hooks.example.com/cubicasa?tenant=7&token={SECRET}"
    assert verify_token(url, SECRET)
    assert verify_token("/cubicasa?tenant=7&token=" + SECRET, SECRET)  # a path with its query
    assert verify_token(SECRET, SECRET)  # the token alone
    assert not verify_token("https://hooks.example.com/cubicasa?token=wrong", SECRET)
    assert not verify_token("https://hooks.example.com/cubicasa", SECRET)
    assert not verify_token(f"/x?token={SECRET}&token={SECRET}", SECRET)
    assert not verify_token(url, "")
    with pytest.raises(ValueError, match="https"):
        webhook_url("http://hooks.example.com/cubicasa", SECRET)
    with pytest.raises(ValueError, match="16"):
        webhook_url("https://hooks.example.com/cubicasa", "short")
    assert webhook_url("http://127.0.0.1:8000/h", SECRET).startswith("http://127.0.0.1:8000/h?")
    assert len(generate_secret()) >= 43
    assert generate_secret() != generate_secret()


def test_handle_verifies_parses_and_marks_duplicates(monkeypatch: pytest.MonkeyPatch) -> None:
    url = webhook_url("https://hooks.example.com/c", SECRET)
    receiver = WebhookReceiver(SECRET)
    first = receiver.handle(body(), url)
    again = receiver.handle(body(), url)
    assert not first.duplicate
    assert again.duplicate
    with pytest.raises(WebhookVerificationError):
        receiver.handle(body(), "https://hooks.example.com/c?token=nope")
    with pytest.raises(WebhookVerificationError):  # the token is checked before the body
        receiver.handle(b"garbage", "https://hooks.example.com/c")
    assert SECRET not in repr(receiver)

    monkeypatch.setenv("CUBICASA_WEBHOOK_SECRET", SECRET)
    assert handle(body(id="other"), url).id == "other"
    assert handle(body(id="other"), url).duplicate
    monkeypatch.delenv("CUBICASA_WEBHOOK_SECRET")
    with pytest.raises(cubicasa.CubiCasaError, match="CUBICASA_WEBHOOK_SECRET"):
        handle(body(), url)


@pytest.mark.slow
def test_importing_cubicasa_does_not_import_pydantic_until_webhooks_are_used() -> None:
    code = (
        "import sys, cubicasa, cubicasa.webhooks as w; a = 'pydantic' in sys.modules; "
        'w.parse_order_status(\'{"id": "x", "current_status": "Ready"}\'); '
        "print(a, 'pydantic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
EVENTISH = st.fixed_dictionaries(
    {},
    optional=dict.fromkeys(DOCUMENTED, JSON) | {"extra": JSON},
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_no_bytes_or_text_raise_anything_else(raw: bytes | str) -> None:
    try:
        event = parse_order_status(raw)
    except WebhookPayloadError:
        return
    assert isinstance(event.id, str)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(JSON, EVENTISH))
def test_no_json_shape_raises_anything_else(value: Any) -> None:
    try:
        text = json.dumps(value)
    except (ValueError, RecursionError):
        return
    for raw in (text, text.encode()):
        try:
            event = parse_order_status(raw)
        except WebhookPayloadError:
            continue
        assert isinstance(event.id, str)
        assert isinstance(event.current_status, str)
        assert isinstance(event.dedupe_key, str)
