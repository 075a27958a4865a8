"""`import cubicasa` loads its modules on first use, which keeps `cubicasa --help` quick; every
public name still resolves to the same object as before."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import cubicasa

HOMES = [f"cubicasa{home}" for home in cubicasa._HOMES] + ["cubicasa._version"]


def test_every_public_name_resolves_to_its_home_object() -> None:
    for name in cubicasa.__all__:
        value = getattr(cubicasa, name)
        homes = [m for m in HOMES if getattr(importlib.import_module(m), name, None) is value]
        assert homes, name
    assert set(cubicasa.__all__) <= set(dir(cubicasa))


def test_from_import_and_submodules() -> None:
    from cubicasa import CubiCasa, NotFoundError

    assert CubiCasa.__module__ == "cubicasa._client"
    assert NotFoundError.__module__ == "cubicasa.errors"
    assert cubicasa.errors.NotFoundError is NotFoundError
    assert cubicasa.models.Order.__name__ == "Order"


@pytest.mark.slow
def test_import_cubicasa_loads_neither_httpx_nor_pydantic() -> None:
    code = "import sys, cubicasa; print('httpx' in sys.modules, 'pydantic' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["False", "False"]


def test_an_unknown_name_is_an_attribute_error() -> None:
    assert not hasattr(cubicasa, "NoSuchThing")
