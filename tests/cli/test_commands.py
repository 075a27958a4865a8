"""Every command against the fake, in-process: what reaches the API, and that `--json` prints
exactly the API's JSON."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cubicasa.cli._exit import ExitCode
from cubicasa.testing import FakeCubiCasa
from cubicasa.webhooks import verify_token
from tests.cli.conftest import Cli

READY_ORDER = "312babc6-e742-4d54-ac49-e0f7b16ec15a"
DRAFT_ORDER = "c8a11daa-86ad-43ad-8ab3-756c741d1db6"
CHANGE_REQUEST = "010338fb-b1d5-4086-96b9-003285aa3340"
ADDRESS = ["--street", "1 Main St", "--city", "Springfield", "--country", "United States",
           "--owner-email", "linus@computer.com"]  # fmt: skip


@pytest.fixture
def api(fake: FakeCubiCasa) -> Iterator[httpx.Client]:
    """Plain httpx on the fake: what the API itself answers."""
    with httpx.Client(
        transport=fake.transport, base_url=fake.base_url, headers={"api-key": fake.api_key}
    ) as client:
        yield client


def items(api: httpx.Client, path: str) -> list[Any]:
    found: list[Any] = api.get(path, params={"limit": 1000}).json()["items"]
    return found


# ----- orders ---------------------------------------------------------------------------


def test_orders_list_prints_every_order_as_the_api_sends_it(
    cli: Cli, fake: FakeCubiCasa, api: httpx.Client
) -> None:
    for n in range(23):
        fake.add_order(status="Pending", external_id=f"bulk-{n}")
    done = cli("orders", "list", "--page-size", "10")
    assert done.code == 0
    assert len(fake.requests_to("listOrders")) == -(-len(fake.orders) // 10)  # pages of 10
    assert done.lines() == items(api, "/orders")
    assert len(done.lines()) == len(fake.orders) >= 25


def test_orders_list_status_is_repeatable_and_max_stops_early(cli: Cli, fake: FakeCubiCasa) -> None:
    for _ in range(5):
        fake.add_order(status="Fixing")
    done = cli("orders", "list", "--status", "Ready", "--status", "Fixing", "--max", "3",
               "--page-size", "2")  # fmt: skip
    assert done.code == 0
    assert len(done.lines()) == 3
    assert {line["info"]["status"] for line in done.lines()} <= {"Ready", "Fixing"}
    sent = fake.requests_to("listOrders")
    assert len(sent) == 2
    assert [v for k, v in sent[0].query if k == "status"] == ["Ready", "Fixing"]


def test_orders_list_on_a_terminal_is_a_table(cli: Cli, fake: FakeCubiCasa) -> None:
    done = cli("orders", "list", terminal=True)
    assert done.code == 0
    for word in ("ID", "Status", "Address", READY_ORDER[:8] + "…", DRAFT_ORDER[:8] + "…"):
        assert word in done.text
    assert "Ready" in done.text
    assert "Draft" in done.text
    assert "{" not in done.text
    assert f"{len(fake.orders)} orders" in done.err


def test_counts_are_singular_or_plural(cli: Cli, fake: FakeCubiCasa) -> None:
    assert (
        cli("orders", "list", "--max", "1", terminal=True, stderr_terminal=False).err == "1 order\n"
    )
    assert (
        cli("orders", "list", "--max", "2", terminal=True, stderr_terminal=False).err
        == "2 orders\n"
    )
    listed = cli("change-requests", "list", DRAFT_ORDER, terminal=True, stderr_terminal=False)
    assert listed.err.strip() == "1 change request"


def test_a_narrow_terminal_shortens_ids_and_wide_shows_them_whole(
    cli: Cli, fake: FakeCubiCasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    for command in (("orders", "list"), ("users", "list")):
        ids = list(fake.orders) if command[0] == "orders" else list(fake.users)
        done = cli(*command, terminal=True)
        assert max(len(line) for line in done.text.splitlines()) <= 80
        for identifier in ids:
            assert identifier not in done.text
            assert identifier[:8] + "…" in done.text
        wide = cli(*command, "--wide", terminal=True)
        for identifier in ids:
            assert identifier in wide.text
        if command[0] == "users":
            for user in fake.users.values():
                assert str(user["email"]) in done.text
                assert str(user["role"]) in done.text


def test_json_flag_gives_json_even_on_a_terminal(cli: Cli, api: httpx.Client) -> None:
    done = cli("orders", "list", "--json", terminal=True)
    assert done.lines() == items(api, "/orders")


def test_orders_get(cli: Cli, api: httpx.Client) -> None:
    done = cli("orders", "get", READY_ORDER)
    assert done.code == 0
    assert done.json() == api.get(f"/orders/{READY_ORDER}").json()
    # A draft's empty `delivery_assets` too, exactly as the API sent it.
    draft = cli("orders", "get", DRAFT_ORDER, "--json")
    assert draft.json() == api.get(f"/orders/{DRAFT_ORDER}").json()
    assert draft.json()["delivery_assets"] == {"listing_floorplans": {}}
    shown = cli("orders", "get", READY_ORDER, terminal=True)
    assert "info.status" in shown.text
    assert "delivery_assets.listing_floorplans.pdf_urls" in shown.text
    assert "Ready" in shown.text


def test_orders_pdf_writes_the_file_and_shows_progress_only_on_a_terminal(
    cli: Cli, api: httpx.Client, tmp_path: Path
) -> None:
    expected = api.get(f"/orders/{READY_ORDER}/combined-pdf").content
    piped = cli("orders", "pdf", READY_ORDER, "--output", str(tmp_path / "a.pdf"))
    assert piped.code == 0
    assert (tmp_path / "a.pdf").read_bytes() == expected
    assert piped.json() == {"order_id": READY_ORDER, "path": str(tmp_path / "a.pdf"),
                            "bytes": len(expected)}  # fmt: skip
    assert piped.err == ""

    shown = cli("orders", "pdf", READY_ORDER, "-o", str(tmp_path / "b.pdf"), terminal=True)
    assert shown.code == 0
    assert (tmp_path / "b.pdf").read_bytes() == expected
    assert READY_ORDER in shown.err  # the bar's label
    assert f"{len(expected)}/{len(expected)} bytes" in shown.err  # the bar, complete
    assert shown.text.strip() == str(tmp_path / "b.pdf")

    quiet = cli("orders", "pdf", READY_ORDER, "-o", str(tmp_path / "c.pdf"), "-q", terminal=True)
    assert quiet.err == ""


def test_orders_pdf_leaves_no_file_when_the_download_breaks(
    cli: Cli, fake: FakeCubiCasa, tmp_path: Path
) -> None:
    fake.drop_connection(times=None, route="getOrderCombinedPdf", after_bytes=100)
    target = tmp_path / "plan.pdf"
    done = cli("orders", "pdf", READY_ORDER, "--output", str(target))
    assert done.code == ExitCode.NETWORK
    assert list(tmp_path.iterdir()) == []


def test_orders_pdf_refuses_a_missing_folder_before_sending(
    cli: Cli, fake: FakeCubiCasa, tmp_path: Path
) -> None:
    done = cli("orders", "pdf", READY_ORDER, "--output", str(tmp_path / "no" / "x.pdf"))
    assert done.code == ExitCode.USAGE
    assert "does not exist" in done.err
    assert fake.requests == []


def test_orders_upgrade(cli: Cli, fake: FakeCubiCasa, api: httpx.Client) -> None:
    done = cli("orders", "upgrade", READY_ORDER, "--add-on", "3d_cad_files")
    assert done.code == 0
    assert fake.requests_to("upgradeOrder")[0].json() == {
        "package_type": None,
        "add_ons": ["3d_cad_files"],
    }
    assert done.json() == api.get(f"/orders/{READY_ORDER}").json()
    assert "3d_cad_files" in done.json()["info"]["product"]["add_ons"]


def test_orders_upgrade_with_nothing_to_buy_is_refused(cli: Cli, fake: FakeCubiCasa) -> None:
    done = cli("orders", "upgrade", READY_ORDER)
    assert done.code == ExitCode.USAGE
    assert fake.requests == []


def test_orders_redeliver_and_redraw(cli: Cli, fake: FakeCubiCasa, api: httpx.Client) -> None:
    prefs = '{"style_2d": {"theme": "blue"}}'
    redelivered = cli("orders", "redeliver", READY_ORDER, "--preferences", prefs)
    assert redelivered.code == 0
    assert fake.requests_to("redeliverOrder")[0].json() == {
        "order_preferences": {"style_2d": {"theme": "blue"}}
    }
    assert redelivered.json()["id"] == READY_ORDER

    redrawn = cli("orders", "redraw", READY_ORDER, "--info", "The garage is missing")
    assert redrawn.code == 0
    assert fake.requests_to("createRedrawOrder")[0].json() == {"info": "The garage is missing"}
    new_id = redrawn.json()["id"]
    assert new_id != READY_ORDER
    stored = api.get(f"/orders/{new_id}").json() | {"redraw_of": READY_ORDER}
    assert redrawn.json() == {key: stored[key] for key in redrawn.json()}


@pytest.mark.parametrize("preferences", ["{not json", "[1, 2]"])
def test_bad_preferences_are_refused_before_sending(
    cli: Cli, fake: FakeCubiCasa, preferences: str
) -> None:
    done = cli("orders", "redeliver", READY_ORDER, "--preferences", preferences)
    assert done.code == ExitCode.USAGE
    assert "--preferences" in done.err
    assert fake.requests == []


class Clock:
    """Stands in for the pause between polls: each pause moves the fake's orders on."""

    def __init__(self, fake: FakeCubiCasa, steps: list[tuple[str, str]]) -> None:
        self.fake, self.steps, self.pauses = fake, steps, []  # type: list[float]

    def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)
        if not self.steps:
            raise KeyboardInterrupt
        self.fake.set_status(*self.steps.pop(0))


def test_orders_watch_prints_each_change_until_every_order_is_ready(
    cli: Cli, fake: FakeCubiCasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(fake, [(DRAFT_ORDER, "Pending"), (DRAFT_ORDER, "Pending"),
                         (DRAFT_ORDER, "Ready")])  # fmt: skip
    monkeypatch.setattr("cubicasa.cli.orders.sleep", clock)
    done = cli("orders", "watch", DRAFT_ORDER, READY_ORDER, terminal=True)
    assert done.code == 0
    changes = [line.split(" ", 1)[1] for line in done.text.splitlines()]
    assert changes == [
        f"{DRAFT_ORDER}: Draft",
        f"{READY_ORDER}: Ready",
        f"{DRAFT_ORDER}: Draft -> Pending",
        f"{DRAFT_ORDER}: Pending -> Ready",
    ]
    assert clock.pauses == [30.0, 30.0, 30.0]
    assert len(fake.requests_to("getOrder")) == 2 + 3  # the Ready order is not polled again


def test_orders_watch_json_lines_and_ctrl_c(
    cli: Cli, fake: FakeCubiCasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(fake, [(DRAFT_ORDER, "Pending")])
    monkeypatch.setattr("cubicasa.cli.orders.sleep", clock)
    done = cli("orders", "watch", DRAFT_ORDER, "--interval", "5")
    assert done.code == ExitCode.INTERRUPTED
    assert [line["info"]["status"] for line in done.lines()] == ["Draft", "Pending"]
    assert all(line["id"] == DRAFT_ORDER for line in done.lines())
    assert done.err == f"stopped; not Ready yet: {DRAFT_ORDER}\n"
    assert clock.pauses == [5.0, 5.0]


def test_orders_watch_refuses_polling_faster_than_the_floor(cli: Cli, fake: FakeCubiCasa) -> None:
    done = cli("orders", "watch", DRAFT_ORDER, "--interval", "1")
    assert done.code == ExitCode.USAGE
    assert "--interval" in done.err
    assert fake.requests == []


# ----- change requests ------------------------------------------------------------------


def test_change_requests(cli: Cli, fake: FakeCubiCasa, api: httpx.Client) -> None:
    created = cli("change-requests", "create", READY_ORDER, "--text", "Kitchen is missing",
                  "--img-url", "https://img.example.com/1.jpg")  # fmt: skip
    assert created.code == 0
    assert fake.requests_to("createChangeRequest")[0].json() == {
        "text": "Kitchen is missing",
        "img_urls": ["https://img.example.com/1.jpg"],
    }
    new_id = created.json()["id"]
    listed = cli("change-requests", "list", READY_ORDER)
    assert listed.lines() == items(api, f"/orders/{READY_ORDER}/change-requests")
    assert new_id in [line["id"] for line in listed.lines()]
    got = cli("change-requests", "get", DRAFT_ORDER, CHANGE_REQUEST)
    assert got.json() == api.get(f"/orders/{DRAFT_ORDER}/change-requests/{CHANGE_REQUEST}").json()
    assert got.json()["text"] == "fix request text"
    table = cli("change-requests", "list", READY_ORDER, terminal=True)
    assert "Kitchen is missing" in table.text


def test_change_request_without_text_is_refused_before_sending(
    cli: Cli, fake: FakeCubiCasa
) -> None:
    done = cli("change-requests", "create", READY_ORDER, "--text", "   ")
    assert done.code == ExitCode.USAGE
    assert "text is required" in done.err
    assert fake.requests == []


# ----- drafts and GoToScan --------------------------------------------------------------


def test_drafts_create_update_delete(cli: Cli, fake: FakeCubiCasa, api: httpx.Client) -> None:
    created = cli("drafts", "create", *ADDRESS, "--postal-code", "12345", "--add-on", "gla",
                  "--latitude", "60.1", "--longitude", "24.9")  # fmt: skip
    assert created.code == 0
    body = fake.requests_to("createDraftOrder")[0].json()
    assert body["postalCode"] == "12345"
    assert (body["add_ons"], body["latitude"], body["longitude"]) == (["gla"], 60.1, 24.9)
    draft_id = created.json()["id"]
    assert created.json() == api.get(f"/orders/{draft_id}").json()

    updated = cli("drafts", "update", draft_id, *ADDRESS[:1], "2 Main St", *ADDRESS[2:])
    assert updated.code == 0
    assert updated.json()["address"]["street"] == "2 Main St"

    deleted = cli("drafts", "delete", draft_id)
    assert deleted.code == 0
    assert deleted.json() == {"message": "Draft order deleted"}
    assert api.get(f"/orders/{draft_id}").status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--street", " "], "street is required"),
        (["--latitude", "91"], "--latitude"),
        (["--country"], "--country"),
    ],
)
def test_drafts_arguments_are_checked_before_sending(
    cli: Cli, fake: FakeCubiCasa, change: list[str], message: str
) -> None:
    args = list(ADDRESS)
    if len(change) == 1:
        args = args[:4] + args[6:]  # drop --country
    else:
        args += change
    done = cli("drafts", "create", *args)
    assert done.code == ExitCode.USAGE
    assert message in done.err
    assert fake.requests == []


def test_gotoscan_create(cli: Cli, fake: FakeCubiCasa, api: httpx.Client) -> None:
    done = cli("gotoscan", "create", *ADDRESS, "--client-name", "Ann", "--priority", "fast")
    assert done.code == 0
    body = fake.requests_to("createGoToScanOrder")[0].json()
    assert (body["client_name"], body["priority"]) == ("Ann", "fast")
    assert done.json() == api.get(f"/orders/{done.json()['id']}").json()


# ----- users, offices, company ----------------------------------------------------------


def test_users(cli: Cli, fake: FakeCubiCasa, api: httpx.Client) -> None:
    listed = cli("users", "list", "--page-size", "3")
    assert len(fake.requests_to("listUsers")) == 2
    assert listed.lines() == items(api, "/users")
    got = cli("users", "get", "tim@internet.com")
    assert got.json() == api.get("/users/tim@internet.com").json()
    created = cli("users", "create", "--email", "ann@example.com", "--role", "User")
    assert created.code == 0
    assert created.json()["email"] == "ann@example.com"
    updated = cli("users", "update", "ann@example.com", "--name", "Ann", "--role", "Manager")
    assert fake.requests_to("updateUser")[0].json() == {"name": "Ann", "role": "Manager"}
    assert updated.json() == api.get("/users/ann@example.com").json()
    reset = cli("users", "reset-password", "ann@example.com")
    assert reset.code == 0
    assert fake.password_resets == ["ann@example.com"]
    deleted = cli("users", "delete", created.json()["id"])
    assert deleted.code == 0
    assert api.get("/users/ann@example.com").status_code == 404


def test_users_change_password_takes_given_passwords(cli: Cli, fake: FakeCubiCasa) -> None:
    fake.add_user("ann@example.com", password="old-password-1")
    done = cli("users", "change-password", "ann@example.com",
               "--old-password", "old-password-1", "--new-password", "new-password-2")  # fmt: skip
    assert done.code == 0, done.err
    assert fake.passwords["ann@example.com"] == "new-password-2"
    assert "password-" not in done.out + done.err


@pytest.mark.parametrize(
    "args",
    [
        ["users", "create", "--email", "a@example.com", "--role", "Boss"],
        ["users", "update", "a@example.com"],
        ["users", "get", " "],
    ],
)
def test_users_arguments_are_checked_before_sending(
    cli: Cli, fake: FakeCubiCasa, args: list[str]
) -> None:
    done = cli(*args)
    assert done.code == ExitCode.USAGE
    assert fake.requests == []


def test_offices(cli: Cli, fake: FakeCubiCasa, api: httpx.Client) -> None:
    created = cli("offices", "create", "--name", "Helsinki office")
    assert created.code == 0
    listed = cli("offices", "list")
    assert listed.lines() == items(api, "/offices")
    assert created.json() in listed.lines()
    assert "Helsinki office" in cli("offices", "list", terminal=True).text


def test_company(cli: Cli, fake: FakeCubiCasa, api: httpx.Client) -> None:
    assert cli("company", "get").json() == api.get("/companies/info").json()
    assert cli("company", "package").json() == api.get("/companies/package").json()
    sent = cli("company", "merge-request", "--email", "manager@other.example.com")
    assert sent.code == 0
    assert fake.requests_to("sendCompanyMergeRequest")[0].json() == {
        "email": "manager@other.example.com"
    }
    assert "profile.name" in cli("company", "get", terminal=True).text


# ----- webhooks -------------------------------------------------------------------------


def test_webhooks_set_and_delete(cli: Cli, fake: FakeCubiCasa) -> None:
    done = cli("webhooks", "set", "--url", "https://hooks.example.com/a", "--trigger",
               "moved_to_ready", "--trigger", "moved_to_fixing")  # fmt: skip
    assert done.code == 0
    assert done.json() == {
        "webhook_urls": ["https://hooks.example.com/a"],
        "webhook_triggers": ["moved_to_ready", "moved_to_fixing"],
    }
    assert fake.webhook_config == done.json()
    assert cli("webhooks", "delete").code == 0
    assert fake.webhook_config["webhook_urls"] == []


@pytest.mark.parametrize(
    "args",
    [
        ["--url", "hooks.example.com/a", "--trigger", "moved_to_ready"],
        ["--url", "https://hooks.example.com/a", "--trigger", "moved_to_heaven"],
    ],
)
def test_webhooks_set_checks_before_sending(cli: Cli, fake: FakeCubiCasa, args: list[str]) -> None:
    done = cli("webhooks", "set", *args)
    assert done.code == ExitCode.USAGE
    assert fake.requests == []


def test_webhooks_url_prints_a_tokened_url_and_a_fresh_secret(cli: Cli, fake: FakeCubiCasa) -> None:
    first = cli("webhooks", "url", "https://hooks.example.com/cubicasa").json()
    second = cli("webhooks", "url", "https://hooks.example.com/cubicasa").json()
    assert first["secret"] != second["secret"]
    assert len(first["secret"]) >= 43
    assert first["url"].startswith("https://hooks.example.com/cubicasa?token=")
    assert verify_token(first["url"], first["secret"])
    given = cli("webhooks", "url", "https://h.example.com/x", "--secret", "s" * 20).json()
    assert given == {"url": "https://h.example.com/x?token=" + "s" * 20, "secret": "s" * 20}
    assert cli("webhooks", "url", "http://h.example.com/x").code == ExitCode.USAGE
    assert cli("webhooks", "url", "https://h.example.com/x", "--secret", "short").code == 2
    assert fake.requests == []
