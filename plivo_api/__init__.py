"""Dify-free core of the Plivo SMS plugin: HTTP client, errors, numbers, segments, error codes.

Nothing here imports ``dify_plugin``; the provider and tools are thin adapters over this package,
which can be used and tested on its own.
"""

from .client import PlivoClient, Timeouts
from .errors import (
    AuthenticationError,
    ConnectionFailedError,
    GeoPermissionError,
    InputError,
    InvalidRequestError,
    MalformedResponseError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    PlivoAPIError,
    PlivoError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
    TransportError,
)
from .models import Account, SendResult
from .version import PLUGIN_VERSION

__all__ = [
    "PLUGIN_VERSION",
    "Account",
    "AuthenticationError",
    "ConnectionFailedError",
    "GeoPermissionError",
    "InputError",
    "InvalidRequestError",
    "MalformedResponseError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "PlivoAPIError",
    "PlivoClient",
    "PlivoError",
    "RateLimitedError",
    "RequestTimeoutError",
    "SendResult",
    "ServerError",
    "Timeouts",
    "TransportError",
]
