"""`.` and `..` as IDs on the command line and in the probe: refused, naming the argument, before
anything is sent; an ID of dots from the server is not followed (it would reach another
operation: `GET /orders/..` is `GET /`)."""

from __future__ import annotations

import pytest

from cubicasa.testing import FakeCubiCasa
from tests.cli.conftest import Cli


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["orders", "get", "."], "id"),
        (["drafts", "delete", ".."], "order_id"),
        (["users", "delete", "%2e%2e"], "user_id"),
        (["change-requests", "get", "o-1", ".."], "change_request_id"),
        (["orders", "get", "o" * 70_000], "id"),
    ],
)
def test_the_command_line_refuses_a_dot_id_before_sending(
    cli: Cli, fake: FakeCubiCasa, args: list[str], named: str
) -> None:
    done = cli(*args)
    assert done.code != 0
    assert f"cubicasa: {named} " in done.err
    assert fake.requests == []


@pytest.mark.parametrize("option", ["--order-id", "--change-request-id", "--user-email"])
def test_the_probe_refuses_a_dot_id_before_sending(
    cli: Cli, fake: FakeCubiCasa, option: str
) -> None:
    done = cli("probe", option, "..")
    assert done.code == 2
    assert "must not be made only of dots" in done.err
    assert fake.requests == []


def test_the_probe_does_not_follow_a_dot_id_from_the_server(cli: Cli, fake: FakeCubiCasa) -> None:
    """listOrders answering `"id": ".."` must not make the probe call `GET /orders/..`."""
    fake.deviate("listOrders", replace={"/items/*/id": ".."})
    done = cli("probe")
    assert done.code in (0, 1), done.err  # it ran to the end, reporting what it could
    assert "skipped      getOrder" in done.out
    assert fake.requests_to("getOrder") == []
    operations = {(r.method, r.path.split("/v3", 1)[-1]) for r in fake.requests}
    assert ("GET", "/orders") in operations
    assert all("/.." not in path and not path.endswith("/.") for _, path in operations)
