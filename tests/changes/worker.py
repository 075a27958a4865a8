"""A change-feed worker in its own process, for the multi-process tests:

    python -m tests.changes.worker STORE BASE_URL API_KEY OUT [--passes N] [--die-on N]
        [--clock-offset S] [--lease S] [--start-together]

Each delivered change becomes a JSON line in OUT; with --die-on N the worker kills itself
(SIGKILL) inside the handler of its Nth change, after writing a "started" line for it. With
--start-together it prints "ready" once its feed is open and starts its passes when a line
comes on stdin (so that workers which start up at different speeds run their passes at once)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time

from cubicasa import CubiCasa
from cubicasa.changes import ChangeFeed, OrderChange


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("store", "base_url", "api_key", "out"):
        parser.add_argument(name)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--die-on", type=int, default=0)
    parser.add_argument("--clock-offset", type=float, default=0.0)
    parser.add_argument("--lease", type=float, default=300.0)
    parser.add_argument("--start-together", action="store_true")
    args = parser.parse_args()
    handled = 0

    with open(args.out, "a", encoding="utf-8") as out:

        def write(**line: object) -> None:
            out.write(json.dumps({**line, "pid": os.getpid()}) + "\n")
            out.flush()

        def handler(change: OrderChange) -> None:
            nonlocal handled
            handled += 1
            if handled == args.die_on:
                write(started=change.change_id, order_id=change.order_id)
                os.kill(os.getpid(), signal.SIGKILL)
            write(change_id=change.change_id, order_id=change.order_id, current=change.current)

        with CubiCasa(api_key=args.api_key, base_url=args.base_url, max_retries=5) as client:
            feed = ChangeFeed(
                client,
                store=args.store,
                lease=args.lease,
                clock=lambda: time.time() + args.clock_offset,
            )
            with feed:
                if args.start_together:
                    print("ready", flush=True)
                    sys.stdin.readline()
                for _ in range(args.passes):
                    feed.sync(handler)


if __name__ == "__main__":
    main()
