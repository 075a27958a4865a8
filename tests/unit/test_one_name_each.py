"""One public name for each thing: the webhook payload and a page of a list are each one class."""

from __future__ import annotations

import cubicasa
import cubicasa.models
import cubicasa_api.models


def test_the_webhook_payload_has_one_model() -> None:
    from cubicasa.webhooks import OrderStatusEvent

    assert "OrderStatusEvent" not in cubicasa.models.__all__
    assert not hasattr(cubicasa.models, "OrderStatusEvent")
    assert not hasattr(cubicasa_api.models, "OrderStatusEvent")  # no attrs twin is generated
    assert OrderStatusEvent.model_validate({"id": "o1", "current_status": "Ready"}).id == "o1"


def test_a_page_is_only_cubicasa_page() -> None:
    assert "Page" not in cubicasa.models.__all__
    assert not hasattr(cubicasa.models, "Page")
    assert cubicasa.Page.__module__ == "cubicasa.pagination"


def test_every_name_of_cubicasa_models_is_unique_across_the_public_modules() -> None:
    clashes = set(cubicasa.models.__all__) & set(cubicasa.__all__)
    assert clashes == set()
