"""The data a fresh fake starts with: the documented examples, so the spec's example IDs work."""

from __future__ import annotations

from collections.abc import Iterable

from ._store import Store

MAIN_OFFICE = "3042395e-1606-4393-be13-66b59c604863"


def seed(store: Store) -> None:
    store.add_office("Main office", office_id=MAIN_OFFICE)
    manager = store.add_user(
        "manager@cubicasa.com",
        role="Manager",
        name="Morgan",
        password="manager-pw",  # noqa: S106
    )
    store.user_offices[manager["id"]] = MAIN_OFFICE
    examples: Iterable[tuple[str, str, str | None, str | None, str]] = (
        ("497f6eca-6276-4993-bfeb-53cbbbba6f08", "user@example.com", None, None, "User"),
        ("8b8a99d2-737d-4681-bc16-7ffee5c61fe2", "tim@internet.com", "Tim", "Berners-Lee",
         "Collaborator"),
        ("6549d877-dde8-45de-b87a-eb68207d0b3c", "linus@computer.com", "Linus", "Torvalds",
         "User"),
    )  # fmt: skip
    for user_id, email, name, surname, role in examples:
        store.add_user(email, role=role, name=name, surname=surname, user_id=user_id)
    ready = store.add_order(
        order_id="312babc6-e742-4d54-ac49-e0f7b16ec15a",
        external_id="EXT10005",
        street="121 North Washington Avenue",
        city="Minneapolis",
        owner_email="manager@cubicasa.com",
        package_type="plus",
    )
    ready["info"]["location"] = "121 North Washington Avenue Cubi suite Minneapolis"
    ready["info"]["product"].update(add_ons=["gla"], purchasable_add_ons=["3d_cad_files"])
    store.deliver_assets(ready)
    draft = store.add_order(
        order_id="c8a11daa-86ad-43ad-8ab3-756c741d1db6",
        status="Draft",
        external_id="R4ER93",
        owner_email="linus@computer.com",
    )
    store.change_requests[draft["id"]].append(
        {
            "id": "010338fb-b1d5-4086-96b9-003285aa3340",
            "img_urls": ["https://www.urltoimg.com/1.jpg", "https://www.urltoimg.com/2.jpg"],
            "sent_at": 1748455764.159082,
            "text": "fix request text",
        }
    )
