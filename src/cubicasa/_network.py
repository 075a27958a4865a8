"""How a client reaches the API: through which proxy (the `proxy=` argument, else the
environment as httpx and curl read it), trusting which certificates (`verify=`, else
`SSL_CERT_FILE` / `SSL_CERT_DIR`, else certifi's bundle), and what to say when a certificate is
not trusted, or no answer came at all. Resolved once, at construction, into a frozen
`Network`."""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from typing import Any

import httpx

from ._redact import redact
from .errors import APIConnectionError, APITimeoutError, CubiCasaError

# What users are told to look at when a server's certificate is not trusted.
CA_SETTINGS = (
    "pass verify= a CA bundle path (or an ssl.SSLContext), set SSL_CERT_FILE or SSL_CERT_DIR, "
    "or use the operating system's trust store with "
    "verify=truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT) (pip install "
    "'cubicasa-integrate[truststore]')"
)


@dataclass(frozen=True, slots=True)
class Network:
    """A client's proxy and TLS trust, resolved."""

    ssl_context: ssl.SSLContext
    trusted: str
    """Where the trusted CAs come from, for the certificate-failure message."""
    proxy: httpx.Proxy | None
    trust_env: bool

    def transport_options(self) -> dict[str, Any]:
        """Keyword arguments for the httpx client that routes each request (proxies, TLS)."""
        return {"verify": self.ssl_context, "proxy": self.proxy, "trust_env": self.trust_env}


def resolve_network(verify: Any, proxy: Any, trust_env: Any) -> Network:
    """The `verify=`, `proxy=` and `trust_env=` arguments checked (TypeError or ValueError
    naming the argument) and resolved against the environment."""
    if not isinstance(trust_env, bool):
        raise TypeError(f"trust_env must be True or False, got {type(trust_env).__name__}")
    context, trusted = _trust(verify, trust_env)
    return Network(context, trusted, _proxy(proxy), trust_env)


def _trust(verify: Any, trust_env: bool) -> tuple[ssl.SSLContext, str]:
    if isinstance(verify, ssl.SSLContext):
        return verify, "the ssl.SSLContext passed as verify="
    if verify is False:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context, "nothing (verify=False)"
    if isinstance(verify, str | os.PathLike):
        return _from_path(os.fspath(verify), "verify=")
    if verify is not True:
        raise TypeError(
            "verify must be True, False, a CA bundle path or an ssl.SSLContext, got "
            f"{type(verify).__name__}"
        )
    # As httpx does with trust_env: SSL_CERT_FILE first, then SSL_CERT_DIR, then certifi.
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR") if trust_env else ():
        value = os.environ.get(name)
        if value:
            return _from_path(value, name)
    import certifi

    return ssl.create_default_context(cafile=certifi.where()), "certifi's CA bundle (the default)"


def _from_path(path: str, setting: str) -> tuple[ssl.SSLContext, str]:
    where = f"{setting}={path}" if setting != "verify=" else f"verify={path!r}"
    try:
        if os.path.isdir(path):
            return ssl.create_default_context(capath=path), where
        return ssl.create_default_context(cafile=path), where
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(f"{where}: cannot read CA certificates there ({exc})") from None


def _proxy(proxy: Any) -> httpx.Proxy | None:
    if proxy is None or isinstance(proxy, httpx.Proxy):
        return proxy
    if not isinstance(proxy, str | httpx.URL):
        raise TypeError(
            f"proxy must be a URL (str or httpx.URL) or an httpx.Proxy, got {type(proxy).__name__}"
        )
    try:
        return httpx.Proxy(proxy)
    except (ValueError, httpx.InvalidURL) as exc:
        raise ValueError(f"proxy: {exc}") from None


def certificate_advice(exc: BaseException, trusted: str) -> str | None:
    """What to say when `exc` (a failed connection) is a certificate the client does not trust;
    None for any other failure."""
    if not is_certificate_failure(exc):
        return None
    return f"the server's TLS certificate is not trusted (trusting {trusted}): {CA_SETTINGS}"


def is_certificate_failure(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def connection_error(
    exc: Exception, request: httpx.Request, tries: int, network: Network | None = None
) -> CubiCasaError:
    """httpx's error (no answer came) as ours, saying how many tries were made and under which
    timeouts; for a certificate not trusted, which CA settings to look at."""
    timeout = isinstance(exc, httpx.TimeoutException)
    what = "Timed out" if timeout else "Connection failed"
    where = f"{request.method} {request.url.copy_with(query=None)}"
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    trusted = "the http_client's settings" if network is None else network.trusted
    advice = certificate_advice(exc, trusted)
    if advice is not None:
        detail = f"{advice} ({detail})"
    message = (
        f"{what}: {where} after {tries} {'try' if tries == 1 else 'tries'} "
        f"({_timeouts(request)}): {detail}"
    )
    kind = APITimeoutError if timeout else APIConnectionError
    return redact(kind(message, request=request), request, exc)  # type: ignore[no-any-return]


def _timeouts(request: httpx.Request) -> str:
    timeouts = request.extensions.get("timeout") or {}
    read, connect = timeouts.get("read"), timeouts.get("connect")
    if read is None and connect is None:
        return "no timeout"
    text = "no time limit a try" if read is None else f"timeout {read:g} s a try"
    return text + ("" if connect in (None, read) else f", {connect:g} s to connect")


def carrying(exc: httpx.RequestError, request: httpx.Request) -> httpx.RequestError:
    """`exc` with the request it failed (httpx sets it only on what its own client reads)."""
    try:
        exc.request  # noqa: B018
    except RuntimeError:
        exc.request = request
    return exc
