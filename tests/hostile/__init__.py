"""Hostile servers on 127.0.0.1 against the client's default settings (and a short timeout where
the default 60 s would make a test last minutes)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from cubicasa import AsyncCubiCasa, CubiCasa

KEY = "sk-hostile-0123456789abcdef"
CHANGE_REQUEST = json.dumps(
    {"id": "cr-1", "img_urls": [], "sent_at": 1748455764.159082, "text": "fix"}
).encode()
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"
MODES = ["sync", "async"]


def call(mode: str, base_url: str, action: Callable[[Any], Any], **options: Any) -> Any:
    """`action(client)` on a `CubiCasa` (mode "sync") or, awaited, on an `AsyncCubiCasa`."""
    if mode == "sync":
        with CubiCasa(api_key=KEY, base_url=base_url, **options) as client:
            return action(client)

    async def main() -> Any:
        async with AsyncCubiCasa(api_key=KEY, base_url=base_url, **options) as client:
            return await action(client)

    return asyncio.run(main())


def assert_backed_off(waits: list[float], tries: int) -> None:
    """Between `tries` tries the client waited the default back-off: 0.5 s, then 1 s, each less
    up to 25 % jitter (recorded by the `waits` fixture, not slept)."""
    assert len(waits) == tries - 1, waits
    for attempt, waited in enumerate(waits):
        full = 0.5 * 2**attempt
        assert 0.75 * full <= waited <= full, waits


class Clock:
    """Wall-clock seconds since construction."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started
