"""The facade's behaviour against the fake, over real HTTP and in-process, sync and async."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import cubicasa
from cubicasa.testing import FakeCubiCasa

DRAFT = {"street": "1 Main St", "city": "Springfield", "country": "United States",
         "owner_email": "linus@computer.com"}  # fmt: skip


class Setup:
    def __init__(self, fake: FakeCubiCasa, mode: str) -> None:
        self.fake, self.mode = fake, mode
        self.server = fake.serve().start() if mode == "http" else None

    def sync(self, **options: Any) -> cubicasa.CubiCasa:
        if self.server is not None:
            return self.server.client(**options)
        return self.fake.client(**options)

    def async_(self, **options: Any) -> cubicasa.AsyncCubiCasa:
        if self.server is not None:
            return self.server.async_client(**options)
        return self.fake.async_client(**options)


@pytest.fixture(params=["http", "in-process"])
def setup(request: pytest.FixtureRequest) -> Iterator[Setup]:
    made = Setup(FakeCubiCasa(docs_offsets=True), request.param)
    yield made
    if made.server is not None:
        made.server.stop()


def test_walks_docs_offsets_sequentially_and_concurrently(setup: Setup) -> None:
    for n in range(95):
        setup.fake.add_order(external_id=f"e{n}")
    with setup.sync() as client:
        sequential = [o.id for o in client.orders.list(page_size=10)]
        concurrent = [o.id for o in client.orders.list(page_size=10, concurrency=4)]
    assert len(sequential) == len(setup.fake.orders) == len(set(sequential))
    assert concurrent == sequential
    offsets = [dict(r.query).get("offset") for r in setup.fake.requests_to("listOrders")[:3]]
    assert offsets == ["0", "11", "22"]

    async def walk() -> list[str]:
        async with setup.async_() as client:
            return [o.id async for o in client.orders.list(page_size=10, concurrency=4)]

    assert asyncio.run(walk()) == sequential


def test_faults_meet_the_retry_rules(setup: Setup, waits: list[float]) -> None:
    setup.fake.fail(503, times=1, route="getOrder")
    setup.fake.fail(503, times=1, route="createDraftOrder")
    setup.fake.rate_limit(retry_after=3, times=1, route="listUsers")
    with setup.sync() as client:
        assert client.orders.get("312babc6-e742-4d54-ac49-e0f7b16ec15a").id
        with pytest.raises(cubicasa.InternalServerError):
            client.drafts.create(**DRAFT)
        assert len(list(client.users.list())) == 4
    assert len(setup.fake.requests_to("getOrder")) == 2
    assert len(setup.fake.requests_to("createDraftOrder")) == 1  # a POST is not repeated
    assert 3.0 in waits


def test_errors_from_the_fake_are_typed(setup: Setup) -> None:
    with setup.sync(max_retries=0) as client:
        with pytest.raises(cubicasa.BadRequestError) as bad:
            client.drafts.create(**{**DRAFT, "owner_email": "stranger@else.test"})
        assert bad.value.errors == [("body.owner_email", "user is not a member of the company")]
        with pytest.raises(cubicasa.NotFoundError):
            client.orders.change_requests.get("312babc6-e742-4d54-ac49-e0f7b16ec15a", "nope")
        setup.fake.invalid_json(route="getCompanyPackage")
        with pytest.raises(cubicasa.ResponseValidationError):
            client.company.get_package()
    wrong = (
        cubicasa.CubiCasa(api_key="wrong", base_url=setup.server.base_url)
        if setup.server
        else cubicasa.CubiCasa(api_key="wrong", base_url=setup.fake.base_url,
                               http_client=__import__("httpx").Client(transport=setup.fake.transport))
    )  # fmt: skip
    with wrong, pytest.raises(cubicasa.AuthenticationError):
        wrong.orders.get("x")


def test_download_whole_and_cut(setup: Setup, tmp_path: Path) -> None:
    order_id = "312babc6-e742-4d54-ac49-e0f7b16ec15a"
    with setup.sync(max_retries=0) as client:
        saved = client.orders.download_combined_pdf(order_id, tmp_path / "plan.pdf")
        assert saved.read_bytes() == client.orders.get_combined_pdf(order_id)
        setup.fake.drop_connection(route="getOrderCombinedPdf", after_bytes=50)
        with pytest.raises(cubicasa.APIConnectionError):
            client.orders.download_combined_pdf(order_id, tmp_path / "cut.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.pdf"]


def test_async_flow_against_the_fake(setup: Setup, tmp_path: Path) -> None:
    async def main() -> None:
        async with setup.async_(max_retries=0) as client:
            draft = await client.drafts.create(**DRAFT)
            setup.fake.set_status(draft.id, "Ready")
            fix = await client.orders.change_requests.create(draft.id, text="Move the door")
            assert (
                await client.orders.change_requests.get(draft.id, fix.id)
            ).text == "Move the door"
            assert (await client.orders.get(draft.id)).info.status == "Fixing"  # type: ignore[union-attr]
            path = await client.orders.download_combined_pdf(draft.id, tmp_path / "a.pdf")
            assert path.read_bytes().startswith(b"%PDF")
            with pytest.raises(cubicasa.NotFoundError):
                await client.users.get("nobody@else.test")

    asyncio.run(main())
