"""One `client.orders.get()` runs code in at most 7 modules of the client: a call can be read in
a handful of files (the loop, the retry policy, the body reader, the spec check and the resource),
not spread over the whole package."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import cubicasa
from cubicasa import AsyncCubiCasa, CubiCasa
from cubicasa.testing import FakeCubiCasa

PACKAGE = Path(cubicasa.__file__).resolve().parent
TESTING = PACKAGE / "testing"
ORDER = "312babc6-e742-4d54-ac49-e0f7b16ec15a"  # a seeded order of the fake
MOST = 7


class _Modules:
    """The files of src/cubicasa (outside testing/) whose code runs while tracing."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        path = Path(frame.f_code.co_filename)
        if path.is_relative_to(PACKAGE) and not path.is_relative_to(TESTING):
            self.seen.add(str(path.relative_to(PACKAGE)))

    def __enter__(self) -> _Modules:
        sys.setprofile(self)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.setprofile(None)


def test_one_sync_get_runs_code_in_at_most_seven_modules() -> None:
    fake = FakeCubiCasa()
    client: CubiCasa
    with fake.client() as client:
        client.orders.get(ORDER)  # the first call imports (and so runs) many modules once
        with _Modules() as modules:
            order = client.orders.get(ORDER)
    assert order.id == ORDER
    assert len(modules.seen) <= MOST, sorted(modules.seen)
    assert "_sync/_base_client.py" in modules.seen  # the loop is what ran


def test_one_async_get_runs_code_in_at_most_seven_modules() -> None:
    fake = FakeCubiCasa()

    async def main() -> set[str]:
        client: AsyncCubiCasa
        async with fake.async_client() as client:
            await client.orders.get(ORDER)
            with _Modules() as modules:
                await client.orders.get(ORDER)
        return modules.seen

    seen = asyncio.run(main())
    assert len(seen) <= MOST, sorted(seen)
    assert "_base_client.py" in seen
