"""The numbers the account rents: list them, read one, and link one to an application
(https://www.plivo.com/docs/numbers/api/account-phone-number/).

Plivo links a number to its application by URI (``/v1/Account/{id}/Application/{app_id}/``);
the records here carry the bare ID, which is what every tool takes as input. A number is always
addressed by Plivo's digits (:func:`plivo_api.messaging.digits.to_plivo`).

US carriers block or filter texts from a local number that is not registered for 10DLC (A2P
10-digit long code) and from a toll-free number whose SMS use is not verified; Plivo says which
in ``tendlc_registration_status`` and ``toll_free_sms_verification``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from ..messaging.digits import display_number, to_plivo
from ..transport.client import PlivoClient
from ..transport.jsonvalues import as_number, bool_of, decimal_of, str_of
from ..transport.paging import PAGE_SIZE_MAX, Page
from . import rest
from .applications import application_id

TENDLC_REGISTERED: Final = "registered"
TOLL_FREE_VERIFIED: Final = "verified"
UNITED_STATES: Final = "united states"


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
    tendlc_registration_status: str | None = None
    toll_free_sms_verification: str | None = None

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
            tendlc_registration_status=str_of(data, "tendlc_registration_status"),
            toll_free_sms_verification=str_of(data, "toll_free_sms_verification"),
        )

    @property
    def sms_blocked_reason(self) -> str | None:
        """Why US carriers block or filter this number's texts, when Plivo's answer says so:
        ``"not registered for 10DLC (UNREGISTERED)"``; ``None`` when it does not."""
        if self.sms_enabled is not True or (self.country or "").lower() != UNITED_STATES:
            return None
        tendlc = self.tendlc_registration_status
        if tendlc and tendlc.strip().lower() != TENDLC_REGISTERED:
            return f"not registered for 10DLC ({tendlc})"
        toll_free = self.toll_free_sms_verification
        if toll_free and toll_free.strip().lower() != TOLL_FREE_VERIFIED:
            return f"not verified for toll-free SMS ({toll_free})"
        return None


def number_fields(number: RentedNumber) -> dict[str, object]:
    """A rented number in every tool's output; ``application`` is the linked application's
    ID (null: none)."""
    return {
        "number": number.number,
        "alias": number.alias,
        "type": number.number_type,
        "country": number.country,
        "sms_enabled": number.sms_enabled,
        "voice_enabled": number.voice_enabled,
        "mms_enabled": number.mms_enabled,
        "application": number.application,
        "monthly_rental_rate": as_number(number.monthly_rental_rate),
        "tendlc_registration_status": number.tendlc_registration_status,
        "toll_free_sms_verification": number.toll_free_sms_verification,
    }


def get_number(client: PlivoClient, number: str) -> RentedNumber:
    """``GET Number/{digits}/``; a number the account does not rent raises
    :class:`~plivo_api.errors.NotFoundError`, for the caller to word."""
    return RentedNumber.from_json(rest.read_one(client, "Number", to_plivo(number)))


def list_numbers(client: PlivoClient, query: Mapping[str, str | int]) -> Page[RentedNumber]:
    """One page of ``GET Number/`` with exactly these query parameters (filters, limit, offset)."""
    filters = {key: value for key, value in query.items() if key not in ("limit", "offset")}
    return rest.read_page(
        client,
        "Number",
        RentedNumber.from_json,
        what="number",
        limit=int(query.get("limit", PAGE_SIZE_MAX)),
        offset=int(query.get("offset", 0)),
        filters=filters,
    )


def all_numbers(client: PlivoClient) -> list[RentedNumber]:
    """Every rented number, page by page (at most :data:`rest.MAX_PAGES` pages)."""
    return rest.read_all(client, "Number", RentedNumber.from_json, what="number")


def link_number(client: PlivoClient, number: str, app_id: str | None) -> None:
    """Link ``number`` to ``app_id``; ``None`` unlinks it (an empty ``app_id``)."""
    rest.update(client, "Number", to_plivo(number), {"app_id": app_id or ""})


__all__ = [
    "RentedNumber",
    "all_numbers",
    "country_of",
    "get_number",
    "link_number",
    "list_numbers",
    "number_fields",
]
