"""The company's webhook settings: update and delete."""

from __future__ import annotations

from .._http import Call, FakeResponse, json_response, message
from .._store import Handler, Store
from .._validate import read_body


def update_company_webhooks(store: Store, call: Call) -> FakeResponse:
    data = read_body(call)
    for name in ("webhook_urls", "webhook_triggers"):
        if name in data:
            store.webhook_config[name] = list(data[name])
    return json_response(200, store.webhook_config)


def delete_company_webhook(store: Store, call: Call) -> FakeResponse:
    store.webhook_config = {"webhook_urls": [], "webhook_triggers": []}
    return message(200, "Webhook deleted")


HANDLERS: dict[str, Handler] = {
    "updateCompanyWebhooks": update_company_webhooks,
    "deleteCompanyWebhook": delete_company_webhook,
}
