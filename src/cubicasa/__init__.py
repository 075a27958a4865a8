"""Python client for the CubiCasa Integrate API v3.

from cubicasa import CubiCasa

with CubiCasa() as client:            # the key comes from CUBICASA_API_KEY
    for order in client.orders.list(status=["Ready"]):
        print(order.id, order.info.status)
"""

from typing import TYPE_CHECKING

from ._client import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MIN_DOWNLOAD_RATE,
    DEFAULT_TIMEOUT,
    AsyncCubiCasa,
    CubiCasa,
)
from ._retry import RetryPolicy
from ._version import __version__
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

if TYPE_CHECKING:
    from .webhooks import WebhookPayloadError, WebhookVerificationError


def __getattr__(name: str) -> object:
    # The webhook errors live in `cubicasa.webhooks`, imported only when asked for.
    if name in ("WebhookPayloadError", "WebhookVerificationError"):
        from . import webhooks

        return getattr(webhooks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
