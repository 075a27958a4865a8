"""Python client for the CubiCasa Integrate API v3.

from cubicasa import CubiCasa

with CubiCasa() as client:            # the key comes from CUBICASA_API_KEY
    for order in client.orders.list(status=["Ready"]):
        print(order.id, order.info.status)
"""

from typing import TYPE_CHECKING

from ._version import __version__

if TYPE_CHECKING:
    from ._client import (
        DEFAULT_BASE_URL,
        DEFAULT_MAX_RESPONSE_BYTES,
        DEFAULT_MIN_DOWNLOAD_RATE,
        DEFAULT_TIMEOUT,
        AsyncCubiCasa,
        CubiCasa,
    )
    from ._retry import RetryPolicy
    from .conformance import ConformanceFinding
    from .errors import (
        APIConnectionError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConflictError,
        CubiCasaError,
        InternalServerError,
        NotFoundError,
        PaginationError,
        PermissionDeniedError,
        RateLimitError,
        ResponseTooLargeError,
        ResponseValidationError,
        UnprocessableEntityError,
    )
    from .pagination import AsyncPager, Page, Pager
    from .webhooks import WebhookPayloadError, WebhookVerificationError

# The modules that hold the names of `__all__`, imported on first use (PEP 562): `import cubicasa`
# loads neither httpx nor pydantic, and `cubicasa --help` stays quick. A new home goes here too.
_HOMES = (".errors", "._retry", ".pagination", "._client", ".conformance", ".webhooks")
_SUBMODULES = frozenset(
    {"cli", "errors", "models", "pagination", "resources", "testing", "webhooks"}
)


def __getattr__(name: str) -> object:
    import importlib

    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in __all__:
        for home in _HOMES:
            module = importlib.import_module(home, __name__)
            if hasattr(module, name):
                value = getattr(module, name)
                globals()[name] = value
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MIN_DOWNLOAD_RATE",
    "DEFAULT_TIMEOUT",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncCubiCasa",
    "AsyncPager",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ConformanceFinding",
    "CubiCasa",
    "CubiCasaError",
    "InternalServerError",
    "NotFoundError",
    "Page",
    "Pager",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "RetryPolicy",
    "UnprocessableEntityError",
    "WebhookPayloadError",
    "WebhookVerificationError",
    "__version__",
]
