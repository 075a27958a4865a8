"""The client guide's "Every area, sync and async" table says, per area, which async methods are
awaited and which give an `AsyncPager`, and names each method's required arguments: both are
checked against the clients here, so the table cannot drift from the code."""

from __future__ import annotations

import inspect
import re
from typing import Any

import cubicasa
from cubicasa import AsyncPager
from tests.docs_pages import page

CALL = re.compile(r"`(?:client((?:\.\w+)+))?\.(\w+)\(([^`]*)\)")


def rows() -> list[tuple[str, str, str]]:
    text = page("guides/client.md")
    table = text.split("## Every area, sync and async", 1)[1].split("\n\n", 2)[1]
    found = []
    for line in table.splitlines()[2:]:
        area, sync, asynchronous = (cell.strip() for cell in line.strip("|").split(" | "))
        found.append((area, sync, asynchronous))
    return found


def methods(sync: str) -> list[tuple[str, str, str]]:
    """(resource path, method name, arguments as written) for each call in a Sync cell."""
    listed, prefix = [], ""
    for match in CALL.finditer(sync):
        path, name, arguments = match.groups()
        if path is not None:
            prefix = path.lstrip(".")
        listed.append((prefix, name, arguments))
    return listed


def resolve(client: Any, path: str) -> Any:
    for part in path.split("."):
        client = getattr(client, part)
    return client


def test_the_table_lists_every_area() -> None:
    assert [area for area, _, _ in rows()][:3] == ["Orders", "Change requests", "Drafts"]
    assert len(rows()) >= 8


def test_the_async_column_says_which_calls_are_awaited_and_which_give_a_pager() -> None:
    client = cubicasa.AsyncCubiCasa(api_key="k")
    for area, sync, asynchronous in rows():
        pagers = set(re.findall(r"`(\w+)` gives? an `AsyncPager`", asynchronous))
        assert "awaited" in asynchronous, area
        for path, name, _ in methods(sync):
            method = getattr(resolve(client, path), name)
            if name in pagers:
                assert not inspect.iscoroutinefunction(method), (area, name)
                returned = inspect.signature(method).return_annotation
                assert returned is AsyncPager or str(returned).startswith("AsyncPager["), name
            else:
                assert inspect.iscoroutinefunction(method), (area, name, "gives a pager")


def test_each_listed_method_names_its_required_arguments() -> None:
    client = cubicasa.CubiCasa(api_key="k")
    for area, sync, _ in rows():
        for path, name, arguments in methods(sync):
            written = set(re.findall(r"\w+", arguments))
            signature = inspect.signature(getattr(resolve(client, path), name))
            required = {
                parameter.name
                for parameter in signature.parameters.values()
                if parameter.default is inspect.Parameter.empty
                and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
            }
            assert required <= written, (area, name, sorted(required - written))
