"""Run by pytest in the fresh environment of `make publish`'s downstream check (the package and
its [testing] extra installed from the index, not editable): the fixtures of the `pytest11`
plugin, as a downstream service's own test suite uses them."""

from __future__ import annotations

from cubicasa import CubiCasa, NotFoundError
from cubicasa.testing import FakeCubiCasa, FakeServer


def test_the_client_fixture_reads_the_seeded_fake(
    cubicasa_client: CubiCasa, cubicasa_fake: FakeCubiCasa
) -> None:
    orders = list(cubicasa_client.orders.list())
    assert len(orders) == len(cubicasa_fake.orders) > 0
    assert cubicasa_client.orders.get(orders[0].id).id == orders[0].id
    try:
        cubicasa_client.orders.get("no-such-order")
    except NotFoundError:
        pass
    else:
        raise AssertionError("expected NotFoundError")


def test_the_server_fixture_serves_the_fake_over_http(
    cubicasa_fake: FakeCubiCasa, cubicasa_fake_server: FakeServer
) -> None:
    with CubiCasa(api_key=cubicasa_fake.api_key, base_url=cubicasa_fake_server.base_url) as client:
        emails = [user.email for user in client.users.list()]
    assert len(emails) == len(cubicasa_fake.users) > 0
