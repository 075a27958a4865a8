"""`python -m cubicasa.testing serve`: run the fake CubiCasa over HTTP until interrupted."""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import threading
from types import FrameType

from ._fake import DEFAULT_API_KEY, FakeCubiCasa


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cubicasa.testing")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the fake CubiCasa over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    serve.add_argument("--api-key", default=DEFAULT_API_KEY, help="the key requests must send")
    serve.add_argument("--empty", action="store_true", help="start without the example data")
    serve.add_argument(
        "--docs-offsets", action="store_true", help="next_offset = offset + limit + 1"
    )
    args = parser.parse_args(argv)

    fake = FakeCubiCasa(args.api_key, seed=not args.empty, docs_offsets=args.docs_offsets)
    stopped = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    server = fake.serve(args.host, args.port)
    try:
        server.start()
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        print(
            f"cannot serve on {args.host}:{args.port}: the port is in use (another fake?); "
            "pick another with --port, or --port 0 for any free one",
            file=sys.stderr,
            flush=True,
        )
        return 1
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        print(f"fake CubiCasa serving {server.base_url}", flush=True)
        if server.exposed:
            print(_exposed_warning(args.host, args.api_key), file=sys.stderr, flush=True)
        stopped.wait()
    finally:
        server.stop()
    return 0


def _exposed_warning(host: str, api_key: str) -> str:
    known = (
        f"its well-known key {DEFAULT_API_KEY!r}"
        if api_key == DEFAULT_API_KEY
        else "the key given with --api-key"
    )
    return (
        f"warning: listening on {host}, not only this machine's loopback: anyone who can reach "
        f"this machine can read and change the fake's data with {known}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
