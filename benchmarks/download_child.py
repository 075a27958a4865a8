"""Measure the peak-RSS growth of one `download_combined_pdf` in a process of its own.

Usage: python download_child.py BASE_URL TARGET_PATH [memory]; prints {"growth_mib": ...} as
JSON. With `memory`, it reads the body with `get_combined_pdf` instead: the contrast that shows
the measurement sees a body held in memory.
"""

from __future__ import annotations

import json
import re
import sys


def peak_mib() -> float:
    # VmHWM, this process image's peak RSS: getrusage's ru_maxrss would start at the peak of
    # the process that forked this one, and could hide the growth measured here.
    with open("/proc/self/status") as status:
        match = re.search(r"VmHWM:\s+(\d+) kB", status.read())
    assert match is not None
    return int(match.group(1)) / 1024


def main(base_url: str, target: str, mode: str = "stream") -> None:
    from cubicasa import DEFAULT_MAX_RESPONSE_BYTES, CubiCasa

    # Reading 256 MiB into memory needs a cap above the default 64 MiB.
    cap = 512 * 1024 * 1024 if mode == "memory" else DEFAULT_MAX_RESPONSE_BYTES
    with CubiCasa(api_key="bench-key", base_url=base_url, max_response_bytes=cap) as client:
        orders = client.orders  # import the resource and download code before measuring
        from cubicasa import _download  # noqa: F401

        before = peak_mib()
        if mode == "memory":
            size = len(orders.get_combined_pdf("bench-order"))
            assert size == 256 * 1024 * 1024, size
        else:
            orders.download_combined_pdf("bench-order", target)
        after = peak_mib()
    print(json.dumps({"growth_mib": after - before, "peak_mib": after}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
