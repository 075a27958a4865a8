"""`cubicasa webhooks ...`: set, delete, url."""

from __future__ import annotations

import click

from ..models import WebhookTrigger
from ._commands import CONTEXT, api_command, api_group, checked_arguments, show_result
from ._output import Output
from ._session import Session, json_option, pass_session

webhooks = api_group(
    "webhooks",
    "Set or delete where CubiCasa sends order events.",
    "cubicasa webhooks url https://hooks.example.com/cubicasa",
)


@api_command(webhooks, "set")
@click.option("--url", "urls", required=True, multiple=True, metavar="URL", help="Repeatable.")
@click.option(
    "--trigger",
    "triggers",
    required=True,
    multiple=True,
    type=click.Choice([trigger.value for trigger in WebhookTrigger]),
    help="The status changes that call the URLs; repeatable.",
)
@pass_session
def set_(session: Session, urls: tuple[str, ...], triggers: tuple[str, ...]) -> None:
    """Replace the webhook URLs and the triggers that call them. Shows what was stored.

    \b
    Example:
        cubicasa webhooks set --url "$(cubicasa webhooks url https://hooks.example.com/cc \\
            --quiet --json | jq -r .url)" --trigger moved_to_ready --trigger moved_to_fixing
    """
    show_result(session, lambda client: client.webhooks.update(list(urls), list(triggers)))


@api_command(webhooks, "delete")
@pass_session
def delete(session: Session) -> None:
    """Remove the webhook configuration.

    \b
    Example:
        cubicasa webhooks delete
    """
    show_result(session, lambda client: client.webhooks.delete())


@webhooks.command("url", context_settings=CONTEXT)
@click.argument("base")
@click.option(
    "--secret",
    metavar="TEXT",
    help="Use this secret instead of a fresh one (at least 16 characters).",
)
@json_option
@pass_session
def url(session: Session, base: str, secret: str | None) -> None:
    """Print a webhook URL carrying a secret token, and the secret (fresh unless given):
    register the URL with `webhooks set`, keep the secret in your receiver's settings.

    \b
    Example:
        cubicasa webhooks url https://hooks.example.com/cubicasa
    """
    from ..webhooks import generate_secret, webhook_url

    secret = secret if secret is not None else generate_secret()
    with checked_arguments():
        tokened = webhook_url(base, secret)
    Output(session).show({"url": tokened, "secret": secret})
