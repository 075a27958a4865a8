"""Where CubiCasa sends order-status events (`client.webhooks`)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

from cubicasa_api.api.company import delete_company_webhook
from cubicasa_api.api.webhooks import update_company_webhooks
from cubicasa_api.models import (
    Message,
    WebhookConfig,
    WebhookConfigInput,
    WebhookTrigger,
)

from .._base_client import AsyncAPIResource
from ._common import strings

TRIGGERS = tuple(trigger.value for trigger in WebhookTrigger)
UNSUPPORTED = "moved_to_failed"


def _config(urls: Sequence[str], triggers: Sequence[str]) -> WebhookConfigInput:
    url_list = strings("urls", urls)
    trigger_list = strings("triggers", triggers)
    assert isinstance(url_list, list)
    assert isinstance(trigger_list, list)
    from ..webhooks import require_https

    for url in url_list:
        require_https(url)
    unknown = [t for t in trigger_list if t not in TRIGGERS]
    if unknown:
        raise ValueError(f"unknown webhook trigger(s) {unknown}; known: {', '.join(TRIGGERS)}")
    if UNSUPPORTED in trigger_list:
        warnings.warn(
            f"{UNSUPPORTED!r} is documented as not supported yet: CubiCasa may never send it",
            UserWarning,
            stacklevel=3,
        )
    return WebhookConfigInput(
        webhook_urls=url_list,
        webhook_triggers=[WebhookTrigger(t) for t in trigger_list],
    )


class AsyncWebhooks(AsyncAPIResource):
    """`client.webhooks`."""

    async def update(self, urls: Sequence[str], triggers: Sequence[str]) -> WebhookConfig:
        """Replace the webhook URLs and the triggers that fire them; returns what was stored.

        `PATCH /companies/webhook` (updateCompanyWebhooks).

        Args:
            urls: where CubiCasa POSTs order-status events (the previous list is replaced).
            triggers: any of moved_to_draft, moved_to_pending, moved_to_ready, moved_to_fixing
                (and moved_to_failed, documented as not supported yet: a warning is issued).

        Raises:
            ValueError: an unknown trigger, a relative URL, or plain http:// to a host that is not
                loopback (checked before sending).
            TypeError: `urls` or `triggers` is not a list of strings.
        """
        body = _config(urls, triggers)
        return await self._client._call(
            WebhookConfig, update_company_webhooks._get_kwargs, body=body
        )

    async def delete(self) -> Message:
        """Remove the webhook configuration. `DELETE /companies/webhook` (deleteCompanyWebhook;
        INFERRED)."""
        return await self._client._call(Message, delete_company_webhook._get_kwargs)


# The sync twin, produced from this module by `make generate` (scripts/unasync.py).
from .._sync.resources.webhooks import Webhooks as Webhooks  # noqa: E402
