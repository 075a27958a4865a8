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
    ("25ddfd4a-599b-40f8-8232-39799cf9441a", "New", "1600 Amphitheatre Parkway",
     "Mountain View", "manager@cubicasa.com", None),
    ("a245e123-7d73-4844-a9bd-1dc81730483a", "New", "1 Infinite Loop", "Cupertino",
     "linus@computer.com", None),
    ("adc65933-2c6f-41fe-bcc1-35ec0a6aa0f0", "Draft", "350 Fifth Avenue", "New York",
     "tim@internet.com", None),
    ("2109a900-cd75-4964-91e4-9389f06c4b05", "Pending", "4059 Mount Lee Drive", "Los Angeles",
     "manager@cubicasa.com", None),
    ("dffaf8c6-b60d-408c-a6e0-4d031c3c0ac3", "Pending", "2 Macquarie Street", "Sydney",
     "user@example.com", None),
    ("909f4c4a-cd52-46b1-b891-6bb69cfc0397", "Ready", "Pohjoisesplanadi 11-13", "Helsinki",
     "manager@cubicasa.com", None),
    ("b501169c-b28f-45bb-8453-cdc3df98bbc0", "Fixing", "Kaivokatu 1", "Oulu",
     "manager@cubicasa.com",
     "The second bedroom is drawn as a closet, and the balcony on the north side is missing"),
    ("1de39593-f3c1-438f-9a89-7e2670714a29", "Fixing", "10 Downing Street", "London",
     "linus@computer.com", "Please add the garage"),
)  # fmt: skip
"""Orders older than the documented examples (which stay first in a list, newest first)."""


CHANGE_REQUESTS = {
    6: "7e4d441e-9ebf-4cc5-879e-a8d608537c91",
    7: "ca66bb2a-8ad6-4c25-8fc3-ecf66b802ab6",
}
"""The IDs of the Fixing orders' change requests, by their place in `OLDER`."""
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
                    "id": CHANGE_REQUESTS[number],
                    "img_urls": [f"https://www.urltoimg.com/{order_id}/{number}.jpg"],
                    "sent_at": 1748455764.159082 + 3_600 * number,
                    "text": fix,
                }
            )
