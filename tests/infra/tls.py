"""A local HTTPS server with a throwaway CA (trustme), for the TLS trust tests.

`TLSServer(handle)` answers like `tests.servers.LocalServer`, over TLS with a certificate for
127.0.0.1 and localhost signed by its own CA; `ca_file` is that CA's PEM bundle (for
`SSL_CERT_FILE` or `verify=`), `ca_dir` a directory holding it in OpenSSL's hashed form (for
`SSL_CERT_DIR`). Nothing else trusts the CA.
"""

from __future__ import annotations

import ssl
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

import trustme

from tests.servers import Handle, LocalServer


class TLSServer:
    """`with TLSServer(handle) as server: ... server.url ... server.ca_file ...`"""

    def __init__(self, handle: Handle) -> None:
        self.ca = trustme.CA()
        certificate = self.ca.issue_cert("127.0.0.1", "localhost")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(context)
        self._files = tempfile.TemporaryDirectory(prefix="cubicasa-tls-")
        folder = Path(self._files.name)
        self.ca_file = folder / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self._local = LocalServer(handle, ssl_context=context)
        self.port = self._local.port
        self.url = f"https://127.0.0.1:{self.port}"

    @property
    def ca_dir(self) -> Path:
        """A directory with the CA under its OpenSSL subject hash (what `capath` reads)."""
        folder = Path(self._files.name) / "certs"
        if not folder.exists():
            folder.mkdir()
            digest = subprocess.run(
                ["openssl", "x509", "-hash", "-noout", "-in", str(self.ca_file)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            (folder / f"{digest}.0").write_bytes(self.ca_file.read_bytes())
        return folder

    def stop(self) -> None:
        self._local.stop()
        self._files.cleanup()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
