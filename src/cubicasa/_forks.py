"""How many times this process is a forked child of the one that imported us: a client whose
connections were opened in another generation opens new ones (gunicorn preload, Celery prefork,
multiprocessing with fork) instead of sharing its parent's sockets."""

from __future__ import annotations

import os

generation = 0


def _forked() -> None:
    global generation
    generation += 1


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_forked)
