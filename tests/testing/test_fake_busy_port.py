"""`cubicasa fake serve` on a port already taken says which port and what to do."""

from __future__ import annotations

import socket

import pytest

from cubicasa.testing.__main__ import main


def test_a_busy_port_is_named_with_the_way_out(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert f"127.0.0.1:{port}" in err
    assert "--port" in err
