"""`cubicasa fake serve`: the fake CubiCasa over HTTP, as `python -m cubicasa.testing serve`."""

from __future__ import annotations

import click

from ._commands import CONTEXT

fake = click.Group(
    "fake",
    help="Run the fake CubiCasa locally.\n\n\b\nExample:\n    cubicasa fake serve --port 8080",
    short_help="Run the fake CubiCasa locally.",
    context_settings=CONTEXT,
)


@fake.command("serve", context_settings=CONTEXT)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (IPv6 too: ::1); 0.0.0.0 or :: listens on every "
                   "interface, with a warning that the fake's key is then exposed.")  # fmt: skip
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="0 picks a free port.")  # fmt: skip
@click.option("--api-key", metavar="KEY", help="The key requests must send [default: the fake's].")
@click.option("--empty", is_flag=True, help="Start without the example data.")
@click.option(
    "--docs-offsets", is_flag=True, help="next_offset = offset + limit + 1, as documented."
)
def serve(host: str, port: int, api_key: str | None, empty: bool, docs_offsets: bool) -> None:
    """Serve a stateful fake CubiCasa over HTTP until Ctrl-C, to try commands and code
    against. It starts with the API docs' example orders and users.

    \b
    Example:
        cubicasa fake serve --port 8080 &
        export CUBICASA_BASE_URL=http://127.0.0.1:8080/api/integrate/v3
        export CUBICASA_API_KEY=fake-cubicasa-key
        cubicasa orders list
    """
    from ..testing.__main__ import main as serve_main

    argv = ["serve", "--host", host, "--port", str(port)]
    argv += ["--api-key", api_key] if api_key is not None else []
    argv += ["--empty"] if empty else []
    argv += ["--docs-offsets"] if docs_offsets else []
    raise SystemExit(serve_main(argv))
