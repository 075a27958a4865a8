"""The data a fresh fake starts with: the documented examples, so the spec's example IDs work,
and older orders around them (two in each status, a few change requests, a user of each role),
so that trying commands or code against the fake has something to list in every status."""

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
    _older_orders(store)
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


OLDER: tuple[tuple[str, str, str, str, str, str | None], ...] = (
    # id, status, street, city, owner, a change request's text (Fixing orders)
    ("0b5e7f0e-3c1c-4d38-9a77-3f6a2b1f0a01", "New", "1600 Amphitheatre Parkway",
     "Mountain View", "manager@cubicasa.com", None),
    ("0b5e7f0e-3c1c-4d38-9a77-3f6a2b1f0a02", "New", "1 Infinite Loop", "Cupertino",
     "linus@computer.com", None),
    ("0b5e7f0e-3c1c-4d38-9a77-3f6a2b1f0a03", "Draft", "350 Fifth Avenue", "New York",
     "tim@internet.com", None),
    ("0b5e7f0e-3c1c-4d38-9a77-3f6a2b1f0a04", "Pending", "4059 Mount Lee Drive", "Los Angeles",
     "manager@cubicasa.com", None),
    ("0b5e7f0e-3c1c-4d38-9a77-3f6a2b1f0a05", "Pending", "2 Macquarie Street", "Sydney",
     "user@example.com", None),
    ("0b5e7f0e-3c1c-4d38-9a77-3f6a2b1f0a06", "Ready", "Pohjoisesplanadi 11-13", "Helsinki",
     "manager@cubicasa.com", None),
    ("0b5e7f0e-3c1c-4d38-9a77-3f6a2b1f0a07", "Fixing", "Kaivokatu 1", "Oulu",
     "manager@cubicasa.com",
     "The second bedroom is drawn as a closet, and the balcony on the north side is missing"),
    ("0b5e7f0e-3c1c-4d38-9a77-3f6a2b1f0a08", "Fixing", "10 Downing Street", "London",
     "linus@computer.com", "Please add the garage"),
)  # fmt: skip
"""Orders older than the documented examples (which stay first in a list, newest first)."""


COUNTRY = {"Sydney": "Australia", "Helsinki": "Finland", "Oulu": "Finland",
           "London": "United Kingdom"}  # fmt: skip


def _older_orders(store: Store) -> None:
    for number, (order_id, status, street, city, owner, fix) in enumerate(OLDER):
        delivered = status in ("Ready", "Fixing")
        order = store.add_order(
            order_id=order_id,
            status="Ready" if delivered else status,
            external_id=f"EXT2000{number + 1}",
            street=street,
            city=city,
            country=COUNTRY.get(city, "United States"),
            owner_email=owner,
        )
        order["info"]["created_at"] -= 86_400 * (len(OLDER) - number)  # a day apart, in order
        if fix is not None:
            order["info"]["status"] = "Fixing"
            store.change_requests[order_id].append(
                {
                    "id": f"7c3d9a54-1f0e-4b7a-8d2c-5e6f7a8b9c0{number}",
                    "img_urls": [f"https://www.urltoimg.com/{order_id}/{number}.jpg"],
                    "sent_at": 1748455764.159082 + 3_600 * number,
                    "text": fix,
                }
            )
