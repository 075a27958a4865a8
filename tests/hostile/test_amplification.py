"""Bodies under the size cap that would build many times their size once parsed or quoted: a
64 MiB page of `{},` (22 million objects), an error page of `ab ab ...` (21 million words).
Peak RSS is measured in a child process (its VmHWM); the server runs in this one."""

from __future__ import annotations

import subprocess
import sys

import pytest

import cubicasa
from tests.hostile import CHANGE_REQUEST, MODES, call
from tests.hostile.server import amplifier, answer, sequence, serve

MiB = 1024 * 1024
CAP_MIB = 64


PEAK_RSS_CHILD = r"""
import asyncio, re, sys
from cubicasa import AsyncCubiCasa, CubiCasa, CubiCasaError, RetryPolicy
url, mode = sys.argv[1], sys.argv[2]
# The default retries, without their back-off waits (this measures memory, not time).
retries = RetryPolicy(initial_delay=0.0)
def peak():
    # VmHWM: this process image's peak RSS. (getrusage's ru_maxrss would start at this test
    # process's RSS at fork: Linux keeps it across exec.)
    status = open("/proc/self/status").read()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
if mode == "sync":
    client = CubiCasa(api_key="k", base_url=url, max_retries=retries)
    client.orders.change_requests.get("o", "cr-1")  # warm-up
    before = peak()
    try:
        client.orders.change_requests.get("o-1", "cr-1")
    except CubiCasaError as exc:
        print(type(exc).__name__, file=sys.stderr)
else:
    async def main():
        async with AsyncCubiCasa(api_key="k", base_url=url, max_retries=retries) as client:
            await client.orders.change_requests.get("o", "cr-1")  # warm-up
            before = peak()
            try:
                await client.orders.change_requests.get("o-1", "cr-1")
            except CubiCasaError as exc:
                print(type(exc).__name__, file=sys.stderr)
            return before
    before = asyncio.run(main())
print(peak() - before)
"""


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("status", "kind", "error", "tries"),
    [
        (200, "json", "ResponseValidationError", 1),
        (502, "json", "InternalServerError", 3),
        (502, "text", "InternalServerError", 3),
        (400, "json", "BadRequestError", 1),
    ],
)
@pytest.mark.slow
def test_a_body_under_the_cap_that_parses_to_gigabytes_stays_near_the_cap(
    mode: str, status: int, kind: str, error: str, tries: int
) -> None:
    with serve(sequence(answer(200, CHANGE_REQUEST), amplifier(status, kind))) as server:
        done = subprocess.run(
            [sys.executable, "-c", PEAK_RSS_CHILD, server.base_url, mode],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        assert server.count == 1 + tries
    assert done.stderr.strip().splitlines()[-1] == error
    growth_mib = float(done.stdout.split()[0])
    # Before: +1,650 MiB (200), +3,208 MiB (502 JSON), +1,708 MiB (502 text).
    assert growth_mib < CAP_MIB + 32


@pytest.mark.parametrize("mode", MODES)
def test_a_2xx_with_more_json_values_than_the_cap_allows_is_refused_unparsed(mode: str) -> None:
    with serve(amplifier(200, "json")) as server:
        with pytest.raises(cubicasa.ResponseValidationError, match="max_response_bytes") as caught:
            call(mode, server.base_url, lambda c: c.orders.change_requests.get("o-1", "cr-1"))
        assert server.count == 1
    # 22 million `{` and as many `,`: over the 64 MiB cap's 1,048,576 values.
    assert "a JSON body of 44,040,192 values: more than the 1,048,576" in str(caught.value)
    assert caught.value.text.startswith("[{},{},")


@pytest.mark.parametrize("mode", MODES)
def test_a_large_error_page_is_quoted_from_its_start_unparsed(mode: str) -> None:
    body = b'{"message": "big"}' + b" " * (2 * MiB)
    with serve(answer(404, body)) as server, pytest.raises(cubicasa.NotFoundError) as caught:
        call(mode, server.base_url, lambda c: c.orders.change_requests.get("o-1", "cr-1"))
    error = caught.value
    assert isinstance(error.body, str)  # over 1 MiB: the text of its start, not parsed
    assert len(error.body) == 1024 * 1024
    assert str(error).endswith(': {"message": "big"}')
