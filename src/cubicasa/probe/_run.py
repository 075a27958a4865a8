"""`cubicasa probe` as a library: call every read-only operation (and, on request, a self-cleaning
draft cycle) against a real account, discovering IDs as a person would, and check each answer.

`run_probe()` returns a `ProbeReport`; `report_json()` / `report_markdown()` (from
`_report`) render it without the account's values unless asked. The command line
(`cubicasa.cli.probe`) only parses options.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
from typing import Any, Final

import httpx

from .._client import DEFAULT_BASE_URL, CubiCasa
from .._error_shape import path_unknown
from .._redact import REDACTED, safe_name, safe_pointer
from .._settings import API_KEY_ENV
from ..conformance import ConformanceFinding
from ..conformance._spec import Checker, checker
from ..errors import APIConnectionError, APIStatusError, CubiCasaError
from ._results import OperationResult, ProbeError, ProbeReport, WriteCycle

__all__ = ["run_probe"]

PRODUCTION_HOST: Final = httpx.URL(DEFAULT_BASE_URL).host
DRAFT_WRITES: Final = ("createDraftOrder", "updateDraftOrder", "deleteDraftOrder")
PROBE_TEXT: Final = "Written by cubicasa probe; deleted by it straight away."
SAMPLES: Final = 20
"""Values kept per unknown field (for inferring its schema) and per open value list (distinct)."""


class _Probe:
    def __init__(self, client: CubiCasa, spec: Checker, report: ProbeReport, secret: str) -> None:
        self.client = client
        self.secret = secret  # the API key: no name or value holding it enters the report
        self.spec = spec
        self.report = report
        self.anything_answered = False
        self.emails: list[str] = []

    def call(
        self,
        operation_id: str,
        path_params: dict[str, str] | None = None,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        accept: str | None = None,
    ) -> Any:
        """Send one request for `operation_id`, check the answer; its JSON when 2xx, else None."""
        result = self.report.result(operation_id)
        path = result.path
        for name, value in (path_params or {}).items():
            path = path.replace("{" + name + "}", _quote(value))
        result.calls += 1
        request = {"method": result.method, "url": path, "params": params, "json": body}
        if accept:
            request["headers"] = {"Accept": accept}
        try:
            response = self.client._call_raw(request)
        except APIStatusError as exc:
            response = exc.response
        except APIConnectionError as exc:
            if not self.anything_answered:
                raise ProbeError(f"{self.report.base_url} is unreachable: {exc}") from None
            result.outcome, result.reason = "unreachable", f"no answer: {type(exc).__name__}"
            return None
        self.anything_answered = True
        status = response.status_code
        if status == 401:
            raise ProbeError(f"401 Unauthorized: check the API key ({API_KEY_ENV}).")
        result.status = status
        content_type = response.headers.get("content-type")
        if path_unknown(status, content_type, response.content):
            result.outcome = "unreachable"
            result.reason = f"{status} {response.reason_phrase} for {result.method} {result.path}"
            return None
        checked = self.spec.check(
            operation_id, status, content_type, response.content, keep_values=True
        )
        for finding in checked.findings:
            result.add(self._scrubbed(finding))
        for place, value in checked.outside:
            _distinct_sample(self.report.unknown_values, place, self._value(value))
        for place, value in checked.observed:
            _distinct_sample(self.report.observed, place, self._value(value))
        for place, key, value in checked.unknown:
            seen = self.report.unknown.setdefault((place, self._name(key)), [])
            if len(seen) < SAMPLES:
                seen.append(self._value(value))
        if result.outcome != "unreachable":
            result.outcome = "deviates" if result.findings else "conforms"
        if not response.is_success:
            if not result.findings:
                result.outcome = "skipped"
                result.reason = f"answered {status} {response.reason_phrase}"
            return None
        try:
            return response.json()
        except ValueError:
            return None

    def _name(self, name: str) -> str:
        return safe_name(name, secret=self.secret, show=True)

    def _value(self, value: Any) -> Any:
        if isinstance(value, str | dict | list) and self.secret in json.dumps(value):
            return REDACTED  # the whole value: it holds the API key
        return value

    def _scrubbed(self, finding: ConformanceFinding) -> ConformanceFinding:
        """`finding` without the API key in its place or value (the rest is rendered later)."""
        where = safe_pointer(finding.where, secret=self.secret, show=True)
        value = self._value(finding.value)
        if where == finding.where and value is finding.value:
            return finding
        return dataclasses.replace(finding, where=where, value=value)

    def skip(self, operation_id: str, reason: str) -> None:
        result = self.report.result(operation_id)
        if result.calls == 0:
            result.outcome, result.reason = "skipped", reason


def _distinct_sample(samples: dict[str, list[Any]], place: str, value: Any) -> None:
    seen = samples.setdefault(place, [])
    if len(seen) < SAMPLES and value not in seen:
        seen.append(value)


def _normal_host(host: str) -> str:
    """A host name as DNS compares it: lower case, IDNA-encoded, without the root's dot."""
    host = host.strip().lower().rstrip(".\u3002\uff0e\uff61")
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    return host.lower().rstrip(".")


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="@")


def _items(page: Any) -> list[Any]:
    items = page.get("items") if isinstance(page, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _ids(items: list[Any], key: str = "id") -> list[str]:
    return [item[key] for item in items if isinstance(item.get(key), str) and item[key]]


def _status_of(order: dict[str, Any]) -> Any:
    info = order.get("info")
    return info.get("status") if isinstance(info, dict) else None


def run_probe(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    write: bool = False,
    allow_production: bool = False,
    order_id: str | None = None,
    change_request_id: str | None = None,
    user_email: str | None = None,
    http_client: httpx.Client | None = None,
    today: datetime.date | None = None,
    timeout: float | None = None,
) -> ProbeReport:
    """Probe every operation of the spec against the account of `api_key`.

    Raises:
        ProbeError: no key, a production base URL with `write` but not `allow_production`, the
            base URL unreachable, or 401.
    """
    options: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
    try:
        client = CubiCasa(
            api_key,
            base_url=base_url,
            conformance="off",
            http_client=http_client,
            max_retries=2,
            **options,
        )
    except CubiCasaError as exc:
        raise ProbeError(str(exc)) from None
    url = client._options.base_url
    production = _normal_host(url.host) == _normal_host(PRODUCTION_HOST)
    if write and production and not allow_production:
        raise ProbeError(
            f"--write refuses the production base URL {url}: pass --allow-production as well "
            "(the cycle creates a draft order and deletes it), or use a test account's base URL."
        )
    spec = checker()
    report = ProbeReport(
        base_url=str(url),
        spec_sha256=spec.spec_sha256,
        date=(today or datetime.date.today()).isoformat(),
        operations=[
            OperationResult(op_id, op["method"], op["path"], op["evidence"])
            for op_id, op in spec.operations.items()
        ],
    )
    probe = _Probe(client, spec, report, client._options.api_key)
    with client:
        _read_only(probe, order_id, change_request_id, user_email)
        if write:
            _write_cycle(probe, user_email)
    for result in report.operations:
        if result.calls == 0 and not result.reason:
            if result.operation_id in DRAFT_WRITES:
                result.reason = "a write operation: run with --write for the draft cycle"
            else:
                result.reason = "a write operation that would change the account"
    return report


def _read_only(
    probe: _Probe, order_id: str | None, change_request_id: str | None, user_email: str | None
) -> None:
    probe.call("getCompanyInfo")
    probe.call("getCompanyPackage")
    probe.call("listOffices")

    users = _items(probe.call("listUsers"))
    emails = [user_email] if user_email else _ids(users, "email")
    probe.emails = emails
    if emails:
        probe.call("getUser", {"user_id": emails[0]})
    else:
        probe.skip("getUser", "nothing to look at: listUsers returned no user")

    orders = _items(probe.call("listOrders"))
    order_ids = [order_id] if order_id else _ids(orders)
    if order_ids:
        probe.call("getOrder", {"id": order_ids[0]})
    else:
        probe.skip("getOrder", "nothing to look at: listOrders returned no order")

    delivered = order_id
    if delivered is None:
        ready = [o for o in orders if _status_of(o) == "Ready"]
        if not ready:
            ready = _items(probe.call("listOrders", params={"status": "Ready", "limit": 1}))
        delivered = next(iter(_ids(ready)), None)
    if delivered:
        probe.call("getOrderCombinedPdf", {"order_id": delivered}, accept="application/pdf")
    else:
        probe.skip("getOrderCombinedPdf", "nothing to look at: no delivered (Ready) order")

    found: tuple[str, str] | None = None
    for candidate in order_ids[:5]:
        requests = _items(probe.call("listChangeRequests", {"order_id": candidate}))
        if change_request_id:
            found = (candidate, change_request_id)
            break
        first = next(iter(_ids(requests)), None)
        if first:
            found = (candidate, first)
            break
    if not order_ids:
        probe.skip("listChangeRequests", "nothing to look at: listOrders returned no order")
    if found:
        probe.call("getChangeRequest", {"order_id": found[0], "change_request_id": found[1]})
    else:
        probe.skip("getChangeRequest", "nothing to look at: no order with a change request")


def _write_cycle(probe: _Probe, user_email: str | None) -> None:
    """Create a draft, update it, delete it: nothing is ordered, nothing stays."""
    owner = user_email or next(iter(probe.emails), None)
    if not owner:
        for op in DRAFT_WRITES:
            probe.skip(op, "no user e-mail to own a draft (pass --user-email)")
        return
    body = {
        "street": "1 Probe Street",
        "city": "Helsinki",
        "country": "Finland",
        "owner_email": owner,
        "info": PROBE_TEXT,
    }
    cycle = probe.report.write_cycle = WriteCycle()
    draft = probe.call("createDraftOrder", body=body)
    draft_id = draft.get("id") if isinstance(draft, dict) else None
    if not isinstance(draft_id, str) or not draft_id:
        status = probe.report.result("createDraftOrder").status
        if status is not None and 400 <= status < 500 and status != 408:
            reason = f"the draft was not created (createDraftOrder answered {status})"
        else:
            answer = "no answer" if status is None else f"an answer {status} without a draft ID"
            cycle.uncertain = (
                f"createDraftOrder got {answer}: a draft may have been created; look for a "
                f"draft whose info reads {PROBE_TEXT!r} and delete it"
            )
            reason = f"no draft ID to use (createDraftOrder got {answer})"
        probe.skip("updateDraftOrder", reason)
        probe.skip("deleteDraftOrder", reason)
        return
    cycle.created.append(draft_id)
    try:
        probe.call("updateDraftOrder", {"order_id": draft_id}, body={**body, "suite": "Probe"})
    finally:
        probe.call("deleteDraftOrder", {"order_id": draft_id})
        status = probe.report.result("deleteDraftOrder").status
        if status is not None and 200 <= status < 300:
            cycle.deleted.append(draft_id)
        else:
            cycle.left_behind.append(draft_id)
