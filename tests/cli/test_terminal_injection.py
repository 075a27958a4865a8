"""Server text on the reader's terminal: escape sequences, C1 controls and bidi overrides in an
address, a status or an error show as visible escapes in tables, views, errors and `orders watch`
lines; `--json` writes C1 and bidi characters as \\uXXXX (the same JSON, inert)."""

from __future__ import annotations

import pytest

from cubicasa.testing import FakeCubiCasa
from tests.cli.conftest import Cli
from tests.cli.test_commands import DRAFT_ORDER, READY_ORDER

HOSTILE = "\x1b]0;Order deleted by admin\x07\x1b[2J\x9b2J\u202egnp.exe\u2066x\u2069\rForged"
RAW = ["\x1b]0;", "\x07", "\x1b[2J", "\x9b", "\u202e", "\u2066", "\u2069", "\r"]


def _inert(text: str) -> bool:
    return not any(piece in text for piece in RAW)


def test_a_view_and_a_table_show_server_text_escaped(cli: Cli, fake: FakeCubiCasa) -> None:
    fake.deviate("getOrder", replace={"/address/street": HOSTILE})
    fake.deviate("listOrders", replace={"/items/*/address/street": HOSTILE})
    shown = cli("orders", "get", READY_ORDER, terminal=True)
    assert shown.code == 0, shown.err
    assert _inert(shown.out)
    assert "\\x1b]0;Order deleted by admin\\x07" in shown.text
    listed = cli("orders", "list", terminal=True)
    assert listed.code == 0, listed.err
    assert _inert(listed.out)


def test_json_output_escapes_c1_and_bidi_and_stays_the_same_json(
    cli: Cli, fake: FakeCubiCasa
) -> None:
    fake.deviate("getOrder", replace={"/address/street": HOSTILE})
    for terminal in (True, False):
        done = cli("orders", "get", READY_ORDER, "--json", terminal=terminal)
        assert _inert(done.out)
        assert "\\u009b2J\\u202egnp.exe" in done.out
        assert done.json()["address"]["street"] == HOSTILE


def test_orders_watch_lines_show_a_status_escaped(
    cli: Cli, fake: FakeCubiCasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("cubicasa.cli.orders.sleep", interrupted)
    fake.deviate("getOrder", replace={"/info/status": HOSTILE})
    done = cli("orders", "watch", DRAFT_ORDER, terminal=True)
    assert _inert(done.out)
    assert f"{DRAFT_ORDER}: \\x1b]0;Order deleted by admin" in done.out
