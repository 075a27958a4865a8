"""A server that writes to the reader's terminal: escape sequences that retitle a window or clear
the screen, C1 controls, bidi overrides that reorder a line. In every error's text they show as
visible escapes (a log is read on a terminal later), and a reason phrase of 60 KB is cut short."""

from __future__ import annotations

import json
from typing import Any

import pytest

import cubicasa
from cubicasa._printable import json_text, printable
from cubicasa.errors import MAX_REASON_CHARS
from tests.hostile import MODES, call
from tests.hostile.server import head, serve

RETITLE = "\x1b]0;Order deleted by admin\x07"
CLEAR = "\x1b[2J\x1b[H"
C1_CSI = "\x9b2J"  # CSI as one C1 byte
BIDI = "\u202egnp.exe\u202c \u2066x\u2069"
HOSTILE = RETITLE + CLEAR + C1_CSI + BIDI + "\r\nForged line\x00\x7f"
ACTIVE = ["\x1b", "\x07", "\x9b", "\r", "\n", "\x00", "\x7f", "\u202e", "\u202c", "\u2066"]


def test_printable_writes_each_control_and_bidi_character_as_a_visible_escape() -> None:
    shown = printable(HOSTILE)
    assert not any(char in shown for char in ACTIVE)
    assert shown.startswith("\\x1b]0;Order deleted by admin\\x07\\x1b[2J")
    assert "\\x9b2J\\u202egnp.exe\\u202c \\u2066x\\u2069\\x0d\\x0aForged line\\x00\\x7f" in shown
    readable = "Straße 5, 東京, Ørsted vei — ok"
    assert printable(readable) is readable


def test_json_text_is_the_same_json_with_nothing_a_terminal_acts_on() -> None:
    data = {"address": HOSTILE, "city": "東京"}
    text = json_text(data)
    assert not any(char in text for char in ACTIVE)
    assert "東京" in text  # non-ASCII stays readable
    assert json.loads(text) == data


@pytest.mark.parametrize(
    "error",
    [
        cubicasa.PaginationError(f"page {HOSTILE}"),
        cubicasa.CubiCasaError(HOSTILE),
        cubicasa.APIConnectionError(HOSTILE),
    ],
)
def test_str_of_an_error_escapes_controls(error: Exception) -> None:
    assert not any(char in str(error) for char in ACTIVE)
    assert "\\x1b]0;Order deleted by admin" in str(error)


def _script(reason: str, body: dict[str, Any], status: int = 502) -> Any:
    def script(conn: Any, request: Any) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        fields = {"Content-Type": "application/json", "Content-Length": len(data)}
        conn.sendall(head(status, fields, reason) + data)

    return script


@pytest.mark.parametrize("mode", MODES)
def test_a_servers_message_and_reason_phrase_reach_the_error_text_escaped(mode: str) -> None:
    # Only characters a status line can carry (latin-1, no CR/LF) go into the reason phrase.
    reason = "Bad\x1b]0;pwned\x07 Gateway"
    with (
        serve(_script(reason, {"message": HOSTILE})) as server,
        pytest.raises(cubicasa.InternalServerError) as caught,
    ):
        call(mode, server.base_url, lambda c: c.orders.get("o-1"))
    text = str(caught.value)
    assert not any(char in text for char in ACTIVE), text
    assert "Bad\\x1b]0;pwned\\x07 Gateway" in text
    assert "Order deleted by admin" in text  # still says what the server said, inert


@pytest.mark.parametrize("mode", MODES)
def test_a_60_kb_reason_phrase_is_cut_short_in_the_message(mode: str) -> None:
    with (
        serve(_script("R" * 60_000, {"message": "down"}, status=503)) as server,
        pytest.raises(cubicasa.InternalServerError) as caught,
    ):
        call(mode, server.base_url, lambda c: c.orders.get("o-1"), max_retries=0)
    text = str(caught.value)
    assert "R" * MAX_REASON_CHARS + "..." in text
    assert len(text) < 600
