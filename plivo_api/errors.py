"""One error hierarchy for everything that can go wrong between a tool and Plivo.

Callers branch on the class, never on message text. ``str(error)`` is the user-facing sentence:
it names the cause and what to do, and carries Plivo's ``api_id`` for support tickets. No message
ever contains the Auth Token; Auth IDs are masked before they reach any text.

    PlivoError
    ├── InputError                 bad parameter, caught before any request (names the parameter)
    ├── PlivoAPIError              Plivo answered with an error status
    │   ├── AuthenticationError    401
    │   ├── PermissionDeniedError  403
    │   │   ├── GeoPermissionError destination country not enabled (Geo Permissions)
    │   │   └── TrialAccountError  a trial account may only reach verified numbers
    │   ├── NotFoundError          404
    │   ├── InvalidRequestError    400, 405, 409, 422 (and other 4xx)
    │   │   └── InsufficientCreditError  the account has no credit left
    │   ├── RateLimitedError       429 (nothing happened at Plivo; ``retry_after`` seconds)
    │   └── ServerError            5xx, including HTML bodies from proxies
    └── TransportError             no usable answer
        ├── ConnectionFailedError  never reached Plivo: nothing was sent
        ├── RequestTimeoutError    a read-only request timed out
        ├── MalformedResponseError a 2xx whose body is not the JSON Plivo documents
        └── OutcomeUnknownError    a send may have reached Plivo: do not resend blindly
"""

from __future__ import annotations

from typing import Any


class PlivoError(Exception):
    """Base class: a readable message plus the HTTP context when there is one."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        api_id: str | None = None,
        plivo_error: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.api_id = api_id
        self.plivo_error = plivo_error

    def __str__(self) -> str:
        context = []
        if self.status is not None:
            context.append(f"HTTP {self.status}")
        if self.api_id:
            context.append(f"api_id {self.api_id}")
        return f"{self.message} ({', '.join(context)})" if context else self.message


class InputError(PlivoError, ValueError):
    """A parameter is missing or malformed; raised before anything is sent."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class PlivoAPIError(PlivoError):
    """Plivo (or a proxy in front of it) answered with an error status."""


class AuthenticationError(PlivoAPIError):
    pass


class PermissionDeniedError(PlivoAPIError):
    pass


class GeoPermissionError(PermissionDeniedError):
    pass


class TrialAccountError(PermissionDeniedError):
    pass


class NotFoundError(PlivoAPIError):
    pass


class InvalidRequestError(PlivoAPIError):
    pass


class InsufficientCreditError(InvalidRequestError):
    pass


class RateLimitedError(PlivoAPIError):
    def __init__(self, message: str, *, retry_after: float | None = None, **context: Any) -> None:
        super().__init__(message, **context)
        self.retry_after = retry_after


class ServerError(PlivoAPIError):
    pass


class TransportError(PlivoError):
    pass


class ConnectionFailedError(TransportError):
    pass


class RequestTimeoutError(TransportError):
    pass


class MalformedResponseError(TransportError):
    pass


class OutcomeUnknownError(TransportError):
    pass


__all__ = [
    "AuthenticationError",
    "ConnectionFailedError",
    "GeoPermissionError",
    "InputError",
    "InsufficientCreditError",
    "InvalidRequestError",
    "MalformedResponseError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "PlivoAPIError",
    "PlivoError",
    "RateLimitedError",
    "RequestTimeoutError",
    "ServerError",
    "TransportError",
    "TrialAccountError",
]
