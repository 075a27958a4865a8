"""`.` and `..` as IDs on the command line and in the probe: refused, naming the argument, before
anything is sent; an ID of dots from the server is not followed (it would reach another
operation: `GET /orders/..` is `GET /`)."""

from __future__ import annotations

import pytest

from cubicasa.cli._exit import ExitCode
from cubicasa.testing import FakeCubiCasa
from tests.cli.conftest import Cli


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["orders", "get", "."], "ORDER_ID"),
        (["drafts", "delete", ".."], "ORDER_ID"),
        (["users", "delete", "%2e%2e"], "USER_ID"),
        (["change-requests", "get", "o-1", ".."], "CHANGE_REQUEST_ID"),
        (["orders", "watch", "o-1", "\uff0e"], "ORDER_ID..."),
        (["orders", "get", "o" * 70_000], "ORDER_ID"),
    ],
)
def test_the_command_line_refuses_a_dot_id_before_sending(
    cli: Cli, fake: FakeCubiCasa, args: list[str], named: str
) -> None:
    done = cli(*args)
    assert done.code == ExitCode.USAGE
    assert f"Invalid value for '{named}': " in done.err
    assert "must not be made only of dots" in done.err or "characters long" in done.err
    assert fake.requests == []


@pytest.mark.parametrize("option", ["--order-id", "--change-request-id", "--user-email"])
def test_the_probe_refuses_a_dot_id_before_sending(
    cli: Cli, fake: FakeCubiCasa, option: str
) -> None:
    done = cli("probe", option, "..")
    assert done.code == ExitCode.USAGE
    assert f"Invalid value for '{option}': must not be made only of dots" in done.err
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


@pytest.mark.parametrize("option", ["--order-id", "--change-request-id", "--user-email"])
def test_run_probe_itself_refuses_a_dot_id_naming_the_argument(option: str) -> None:
    from cubicasa.probe import run_probe

    fake = FakeCubiCasa()
    argument = option.removeprefix("--").replace("-", "_")
    with pytest.raises(ValueError, match=rf"^{argument} must not be made only of dots"):
        run_probe(api_key=fake.api_key, base_url=fake.base_url, **{argument: "%2E."})
    assert fake.requests == []
