"""A stateful fake CubiCasa for tests: in-process (an httpx transport) or over HTTP.

    from cubicasa.testing import FakeCubiCasa

    fake = FakeCubiCasa()
    with fake.client() as client:               # in-process, no socket
        draft = client.drafts.create(street=..., city=..., country=..., owner_email=...)
    fake.set_status(draft.id, "Ready")          # as CubiCasa's side would; sends webhooks

    with fake.serve() as server:                # over HTTP on 127.0.0.1, a free port
        ... server.base_url ...

From a shell: `python -m cubicasa.testing serve --port 8080 --api-key KEY`. pytest fixtures
(`cubicasa_fake`, `cubicasa_fake_server`, `cubicasa_client`) come with the package.
"""

from ._fake import DEFAULT_API_KEY, FakeCubiCasa
from ._faults import Fault
from ._http import FakeResponse
from ._pdf import pdf_document
from ._recording import RecordedRequest
from ._server import FakeServer
from ._webhooks import Delivery

__all__ = [
    "DEFAULT_API_KEY",
    "Delivery",
    "FakeCubiCasa",
    "FakeResponse",
    "FakeServer",
    "Fault",
    "RecordedRequest",
    "pdf_document",
]
