"""Run inside a fresh virtual environment after `make publish`: use the installed package as a
downstream service would. Usage: python downstream_check.py EXPECTED_VERSION"""

from __future__ import annotations

import sys


def main(expected: str) -> None:
    import cubicasa
    from cubicasa import CubiCasa, NotFoundError
    from cubicasa.models import Order
    from cubicasa.testing import FakeCubiCasa
    from cubicasa.webhooks import parse_order_status

    assert cubicasa.__version__ == expected, (cubicasa.__version__, expected)
    assert "site-packages" in (cubicasa.__file__ or ""), cubicasa.__file__

    fake = FakeCubiCasa()
    with fake.client() as client:
        assert isinstance(client, CubiCasa)
        order = client.orders.get("312babc6-e742-4d54-ac49-e0f7b16ec15a")  # get
        assert isinstance(order, Order)
        users = [user.email for user in client.users.list(page_size=2)]  # list, 2 pages
        assert len(users) == 4, users
        assert len(fake.requests_to("listUsers")) == 2
        draft = client.drafts.create(  # create
            street="1 Main St",
            city="Springfield",
            country="United States",
            owner_email="linus@computer.com",
        )
        assert draft.id in [o.id for o in client.orders.list()]
        try:
            client.orders.get("no-such-order")
        except NotFoundError:
            pass
        else:
            raise AssertionError("expected NotFoundError")
    event = parse_order_status(
        '{"id": "x", "current_status": "Ready", "previous_status": "Pending"}'
    )
    assert event.is_first_delivery
    print(f"downstream check: cubicasa {cubicasa.__version__} imports and works")


def command_line(expected: str) -> None:
    """The `cubicasa` command of the [cli] extra: its version, and one list against the fake
    over HTTP, whose JSON Lines must be the API's own JSON."""
    import json
    import os
    import subprocess
    from pathlib import Path

    import httpx

    from cubicasa.testing import FakeCubiCasa

    command = str(Path(sys.executable).parent / "cubicasa")
    shown = subprocess.run(
        [command, "--version"], capture_output=True, text=True, timeout=60, check=True
    )
    assert shown.stdout == f"cubicasa-integrate, version {expected}\n", shown.stdout
    fake = FakeCubiCasa()
    with fake.serve() as server:
        env = {**os.environ, "CUBICASA_API_KEY": fake.api_key, "CUBICASA_BASE_URL": server.base_url}
        listed = subprocess.run(
            [command, "orders", "list", "--json"],
            capture_output=True, text=True, timeout=60, check=True, env=env,
        )  # fmt: skip
        answer = httpx.get(f"{server.base_url}/orders", headers={"api-key": fake.api_key})
    lines = [json.loads(line) for line in listed.stdout.splitlines()]
    assert lines == answer.json()["items"], listed.stdout
    assert len(lines) == len(fake.orders) > 0
    print(f"downstream check: `cubicasa` {expected} runs (--version, orders list --json)")


if __name__ == "__main__":
    main(sys.argv[1])
    command_line(sys.argv[1])
