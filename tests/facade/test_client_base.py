"""What the two clients share through their base: a `RetryPolicy` or a retry count, the
resource table (each resource built once, the async twin's for `AsyncCubiCasa`), the repr."""

from __future__ import annotations

import pytest

import cubicasa
from cubicasa import AsyncCubiCasa, CubiCasa, RetryPolicy
from cubicasa.testing import FakeCubiCasa
from tests.facade.conftest import run

POLICY = RetryPolicy(max_retries=1, initial_delay=0.25, jitter=0.0)


def test_a_retry_policy_sets_the_retries_and_their_delays(sleeps: list[float]) -> None:
    fake = FakeCubiCasa()
    fake.fail(503, times=3, route="getCompanyInfo")
    with fake.client(max_retries=POLICY) as client, pytest.raises(cubicasa.APIStatusError):
        client.company.get()
    assert [r.status for r in fake.requests_to("getCompanyInfo")] == [503, 503]
    assert sleeps == [0.25]
    assert "max_retries=1" in repr(client)


def test_the_async_client_takes_a_retry_policy_too(sleeps: list[float]) -> None:
    fake = FakeCubiCasa()
    fake.fail(503, times=1, route="getCompanyInfo")

    async def main() -> str:
        async with fake.async_client(max_retries=POLICY) as client:
            company = await client.company.get()
            return company.profile.name

    assert run(main()) == "Fake Photography Inc."
    assert [r.status for r in fake.requests_to("getCompanyInfo")] == [503, 200]
    assert sleeps == [0.25]


def test_with_options_swaps_a_count_for_a_policy_and_back(sleeps: list[float]) -> None:
    fake = FakeCubiCasa()
    with fake.client(max_retries=0) as client:
        patient = client.with_options(max_retries=POLICY)
        assert isinstance(patient, CubiCasa)
        assert repr(patient).endswith("max_retries=1)")
        assert repr(patient.with_options(max_retries=3)).endswith("max_retries=3)")
        fake.fail(503, times=1, route="getCompanyPackage")
        assert patient.company.get_package().package_type == "base"
    assert sleeps == [0.25]


@pytest.mark.parametrize(
    ("value", "error"),
    [("2", TypeError), (True, TypeError), (-1, ValueError), (1.5, TypeError)],
)
def test_a_bad_max_retries_is_refused_naming_it(value: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="max_retries"):
        CubiCasa(api_key="k", max_retries=value)  # type: ignore[arg-type]
    with pytest.raises(error, match="max_retries"):
        AsyncCubiCasa(api_key="k", max_retries=value)  # type: ignore[arg-type]


def test_a_policy_with_a_negative_delay_is_refused() -> None:
    with pytest.raises(ValueError, match=r"RetryPolicy\.initial_delay"):
        CubiCasa(api_key="k", max_retries=RetryPolicy(initial_delay=-1))


def test_each_client_builds_its_own_resources_once() -> None:
    with CubiCasa(api_key="k") as client:
        assert client.orders is client.orders
        assert type(client.orders).__name__ == "Orders"
        copy = client.with_options(timeout=5)
        assert copy.orders is not client.orders
        assert copy.orders._client is copy
    asynchronous = AsyncCubiCasa(api_key="k")
    names = {
        name: type(getattr(asynchronous, name)).__name__
        for name in ("orders", "drafts", "gotoscan", "users", "offices", "company", "webhooks")
    }
    assert names == {
        "orders": "AsyncOrders",
        "drafts": "AsyncDrafts",
        "gotoscan": "AsyncGoToScan",
        "users": "AsyncUsers",
        "offices": "AsyncOffices",
        "company": "AsyncCompany",
        "webhooks": "AsyncWebhooks",
    }
    run(asynchronous.close())
