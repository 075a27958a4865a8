"""Fork safety: a client used in a forked child (gunicorn preload, Celery prefork,
multiprocessing) opens its own connection instead of writing into its parent's socket, and the
parent's connection keeps working."""

from __future__ import annotations

import os
import warnings
from http.server import BaseHTTPRequestHandler

import pytest

from cubicasa import CubiCasa
from tests.facade.conftest import PREFIX
from tests.infra.conftest import answer_json
from tests.servers import LocalServer

COMPANY = {"profile": {"name": "Agency", "email": None}}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork on this platform")
def test_a_forked_child_makes_its_own_connection() -> None:
    ports: list[int] = []
    answer = answer_json(COMPANY)

    def handle(request: BaseHTTPRequestHandler) -> None:
        ports.append(request.client_address[1])
        answer(request)

    with LocalServer(handle) as server, CubiCasa("k", base_url=server.url + PREFIX) as client:
        client.company.get()  # the parent's pooled connection
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork beside the server threads
            child = os.fork()
        if child == 0:  # pragma: no cover - the child reports through its exit status
            try:
                ok = client.company.get().profile.name == "Agency"
            finally:
                os._exit(0 if ok else 1)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        client.company.get()  # the parent's connection still works
    parent, in_child, parent_again = ports
    assert in_child != parent
    assert parent_again == parent
