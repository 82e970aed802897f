"""The account's configuration as typed values: rented numbers, applications and SIP endpoints.

Plivo links these by URI (a number's ``application`` is ``/v1/Account/{id}/Application/{app_id}/``);
the values here carry the bare IDs instead, which is what every tool takes as input. Shapes:
https://www.plivo.com/docs/numbers/api/account-phone-number/,
https://www.plivo.com/docs/account/api/application/, https://www.plivo.com/docs/voice/api/endpoint/.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .jsonvalues import bool_of, decimal_of, str_of
from .models import display_number

_APPLICATION_URI = re.compile(r"/Application/([^/]+)/?$")


def application_id(uri: str | None) -> str | None:
    """``/v1/Account/MA…/Application/2778…/`` → ``2778…``; a bare ID is kept as it is."""
    if not uri or not uri.strip():
        return None
    match = _APPLICATION_URI.search(uri.strip())
    if match:
        return match.group(1)
    return uri.strip() if "/" not in uri else None


def country_of(data: Mapping[str, Any]) -> str | None:
    """The country's name: Plivo's ``country`` when an answer has one, else the last part of
    ``region`` (``"California, UNITED STATES"`` → ``"United States"``), which every number
    object carries (https://www.plivo.com/docs/numbers/api/account-phone-number/
    the-accountphonenumber-object/)."""
    country = str_of(data, "country")
    if country:
        return country
    region = str_of(data, "region")
    last = region.rsplit(",", 1)[-1].strip() if region else ""
    return last.title() if last else None


@dataclass(frozen=True)
class RentedNumber:
    """A number the account rents (``GET Number/{number}/`` or a ``GET Number/`` row)."""

    number: str | None
    alias: str | None
    number_type: str | None
    country: str | None
    sms_enabled: bool | None
    voice_enabled: bool | None
    mms_enabled: bool | None
    application: str | None
    monthly_rental_rate: Decimal | None
    api_id: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RentedNumber:
        return cls(
            number=display_number(str_of(data, "number")),
            alias=str_of(data, "alias"),
            number_type=str_of(data, "number_type"),
            country=country_of(data),
            sms_enabled=bool_of(data.get("sms_enabled")),
            voice_enabled=bool_of(data.get("voice_enabled")),
            mms_enabled=bool_of(data.get("mms_enabled")),
            application=application_id(str_of(data, "application")),
            monthly_rental_rate=decimal_of(data.get("monthly_rental_rate")),
            api_id=str_of(data, "api_id"),
        )


@dataclass(frozen=True)
class Application:
    """A Plivo application: the URLs Plivo calls for a number's or endpoint's calls and messages.

    Plivo reads ``default_number_app`` in requests and shows it as ``default_app``; both are
    read here, under the request's name.
    """

    app_id: str | None
    app_name: str | None
    answer_url: str | None
    answer_method: str | None
    hangup_url: str | None
    hangup_method: str | None
    fallback_answer_url: str | None
    fallback_method: str | None
    message_url: str | None
    message_method: str | None
    default_number_app: bool | None
    default_endpoint_app: bool | None
    log_incoming_messages: bool | None
    public_uri: bool | None
    api_id: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Application:
        default_app = data.get("default_number_app", data.get("default_app"))
        return cls(
            app_id=str_of(data, "app_id"),
            app_name=str_of(data, "app_name"),
            answer_url=str_of(data, "answer_url"),
            answer_method=str_of(data, "answer_method"),
            hangup_url=str_of(data, "hangup_url"),
            hangup_method=str_of(data, "hangup_method"),
            fallback_answer_url=str_of(data, "fallback_answer_url"),
            fallback_method=str_of(data, "fallback_method"),
            message_url=str_of(data, "message_url"),
            message_method=str_of(data, "message_method"),
            default_number_app=bool_of(default_app),
            default_endpoint_app=bool_of(data.get("default_endpoint_app")),
            log_incoming_messages=bool_of(data.get("log_incoming_messages")),
            public_uri=bool_of(data.get("public_uri")),
            api_id=str_of(data, "api_id"),
        )


@dataclass(frozen=True)
class Endpoint:
    """A SIP endpoint. Plivo never returns its password, and neither does anything here."""

    endpoint_id: str | None
    username: str | None
    alias: str | None
    application: str | None
    sip_uri: str | None
    sip_registered: bool | None
    api_id: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Endpoint:
        return cls(
            endpoint_id=str_of(data, "endpoint_id"),
            username=str_of(data, "username"),
            alias=str_of(data, "alias"),
            application=application_id(str_of(data, "application")),
            sip_uri=str_of(data, "sip_uri"),
            sip_registered=bool_of(data.get("sip_registered")),
            api_id=str_of(data, "api_id"),
        )


__all__ = ["Application", "Endpoint", "RentedNumber", "application_id", "country_of"]
