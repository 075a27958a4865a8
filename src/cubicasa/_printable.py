"""Server text made safe to show on a terminal: control characters (C0, DEL, C1, so every escape
sequence loses its ESC) and bidirectional overrides become visible escapes such as `\\x1b` or
`\\u202e`, so an answer cannot retitle a window, clear the screen or reorder what is read."""

from __future__ import annotations

import json
import re
from typing import Final

BIDI_CONTROLS: Final = "".join(
    map(chr, [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
)
"""The marks and embeddings/overrides/isolates that reorder how a line reads (U+202A-U+202E,
U+2066-U+2069, and the ALM/LRM/RLM marks)."""

_TABLE: Final = {code: f"\\x{code:02x}" for code in [*range(0x20), *range(0x7F, 0xA0)]}
_TABLE.update({ord(char): f"\\u{ord(char):04x}" for char in BIDI_CONTROLS})
_UNSAFE: Final = re.compile("[\x00-\x1f\x7f-\x9f" + BIDI_CONTROLS + "]")
# What `json.dumps(ensure_ascii=False)` leaves raw and a terminal still acts on.
_JSON_RAW: Final = re.compile("[\x7f-\x9f" + BIDI_CONTROLS + "]")


def printable(text: str) -> str:
    """`text` with every control and bidi character written as a visible escape (`\\x1b`,
    `\\x0a`, `\\u202e`); text without any is returned as is, at the cost of one scan."""
    if _UNSAFE.search(text) is None:
        return text
    return text.translate(_TABLE)


def json_text(data: object, *, indent: int | None = None) -> str:
    """`data` as JSON that keeps non-ASCII text readable (`ensure_ascii=False`) but writes DEL, C1
    controls and bidi characters as `\\uXXXX` (JSON already escapes C0 controls): the same JSON
    value, and nothing a terminal acts on."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    if _JSON_RAW.search(text) is None:
        return text
    return _JSON_RAW.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
