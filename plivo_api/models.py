"""Typed results of the Plivo calls, parsed once and defensively.

These are values, not views: how a tool words or shapes them is the job of its feature module
(:mod:`plivo_api.features`) and of :mod:`plivo_api.present`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .error_codes import normalize_error_code
from .errors import OutcomeUnknownError
from .jsonvalues import bool_of, decimal_of, int_of, mapping_of, str_of
from .states import is_final

TRIAL_ACCOUNT_TYPE = "developer"
PLIVO_CURRENCY = "USD"  # Plivo bills and prices in USD; its answers carry no currency field
MIN_PHONE_DIGITS = 8
E164_MAX_DIGITS = 15


def display_number(value: str | None) -> str | None:
    """Plivo's ``14155550123`` as E.164 (``+14155550123``), so it matches what send_sms reports.

    Short codes, alphanumeric sender IDs and numbers Plivo redacted (``1415555***``, ``log=false``)
    are returned unchanged: adding ``+`` to them would invent a number.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit() and MIN_PHONE_DIGITS <= len(text) <= E164_MAX_DIGITS:
        return "+" + text
    return text or None


@dataclass(frozen=True)
class Account:
    name: str | None
    account_type: str | None
    balance: Decimal | None
    auto_recharge: bool | None
    billing_mode: str | None
    timezone: str | None
    api_id: str | None = None

    @property
    def is_trial(self) -> bool:
        return self.account_type == TRIAL_ACCOUNT_TYPE

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Account:
        return cls(
            name=str_of(data, "name"),
            account_type=str_of(data, "account_type"),
            balance=decimal_of(data.get("cash_credits")),
            auto_recharge=bool_of(data.get("auto_recharge")),
            billing_mode=str_of(data, "billing_mode"),
            timezone=str_of(data, "timezone"),
            api_id=str_of(data, "api_id"),
        )


@dataclass(frozen=True)
class SendResult:
    """Plivo's 202: one UUID per accepted destination, and the destinations it refused."""

    api_id: str | None
    message_uuids: tuple[str, ...]
    invalid_numbers: tuple[str, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SendResult:
        uuids = data.get("message_uuid")
        if isinstance(uuids, str):
            uuids = [uuids]
        invalid = data.get("invalid_number") or []
        if isinstance(invalid, str):
            invalid = [part for part in invalid.split("<") if part]
        if not isinstance(uuids, list) or not isinstance(invalid, list):
            # Same class as any other unreadable answer to a send: callers branch on it.
            raise OutcomeUnknownError(
                "Plivo accepted the request but its answer lists no message UUIDs in the "
                "documented form. The messages may have been queued: check list_messages "
                "before sending again.",
                api_id=str_of(data, "api_id"),
            )
        return cls(
            api_id=str_of(data, "api_id"),
            message_uuids=tuple(str(u) for u in uuids),
            invalid_numbers=tuple(str(n) for n in invalid),
        )


@dataclass(frozen=True)
class MessageRecord:
    """One message detail record (MDR) of ``GET Message/{uuid}/`` or a List Messages page.

    ``error_code`` is normalised (``"000"``, ``0``, ``""`` and ``null`` all become ``None``;
    ``"030"`` becomes ``"30"``); ``error_text`` keeps Plivo's ``error_message`` for unknown codes.
    """

    message_uuid: str | None
    state: str | None
    direction: str | None
    message_type: str | None
    from_number: str | None
    to_number: str | None
    error_code: str | None
    error_text: str | None
    units: int | None
    total_amount: Decimal | None
    total_rate: Decimal | None
    message_time: str | None
    sent_time: str | None
    delivered_time: str | None
    api_id: str | None = None

    @property
    def final(self) -> bool:
        return is_final(self.state)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MessageRecord:
        state = (str_of(data, "message_state") or "").strip().lower() or None
        # Plivo's MDR has no delivery time of its own: the last change of a delivered message is
        # its delivery receipt. A field with that meaning wins when Plivo sends one.
        delivered = str_of(data, "message_delivered_time") or str_of(data, "delivery_report_time")
        if delivered is None and state == "delivered":
            delivered = str_of(data, "message_updated_time")
        return cls(
            message_uuid=str_of(data, "message_uuid"),
            state=state,
            direction=str_of(data, "message_direction"),
            message_type=str_of(data, "message_type"),
            from_number=display_number(str_of(data, "from_number")),
            to_number=display_number(str_of(data, "to_number")),
            error_code=normalize_error_code(data.get("error_code")),
            error_text=str_of(data, "error_message"),
            units=int_of(data.get("units")),
            total_amount=decimal_of(data.get("total_amount")),
            total_rate=decimal_of(data.get("total_rate")),
            message_time=str_of(data, "message_time"),
            sent_time=str_of(data, "message_sent_time"),
            delivered_time=delivered,
            api_id=str_of(data, "api_id"),
        )


@dataclass(frozen=True)
class NumberLookup:
    """Plivo Lookup (``type=carrier``): who runs a number and what kind of line it is."""

    number: str | None
    country_iso: str | None
    country: str | None
    carrier: str | None
    line_type: str | None
    ported: bool | None
    mcc: str | None
    mnc: str | None
    national_format: str | None
    international_format: str | None
    api_id: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NumberLookup:
        country = mapping_of(data, "country")
        carrier = mapping_of(data, "carrier")
        formats = mapping_of(data, "format")
        ported = str_of(carrier, "ported")
        return cls(
            number=str_of(data, "phone_number") or str_of(formats, "e164"),
            country_iso=str_of(country, "iso2"),
            country=str_of(country, "name"),
            carrier=str_of(carrier, "name"),
            line_type=str_of(carrier, "type"),
            # "yes"/"no", or "unknown" outside the US and Canada.
            ported={"yes": True, "no": False}.get((ported or "").lower(), bool_of(ported)),
            mcc=str_of(carrier, "mobile_country_code"),
            mnc=str_of(carrier, "mobile_network_code"),
            national_format=str_of(formats, "national"),
            international_format=str_of(formats, "international"),
            api_id=str_of(data, "api_id"),
        )


@dataclass(frozen=True)
class Rate:
    """A named price: a mobile network's SMS rate, or a voice category's per-minute rate."""

    name: str
    rate: Decimal | None


@dataclass(frozen=True)
class Pricing:
    """A country's price list (``GET Pricing/?country_iso=XX``); rates in USD per unit/minute."""

    country: str | None
    country_iso: str | None
    country_code: int | None
    sms_outbound_rate: Decimal | None
    sms_inbound_rate: Decimal | None
    sms_networks: tuple[Rate, ...]
    voice_outbound: tuple[Rate, ...]
    voice_inbound: tuple[Rate, ...]
    api_id: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Pricing:
        message = mapping_of(data, "message")
        voice = mapping_of(data, "voice")
        networks = message.get("outbound_networks_list")
        return cls(
            country=str_of(data, "country"),
            country_iso=str_of(data, "country_iso"),
            country_code=int_of(data.get("country_code")),
            sms_outbound_rate=decimal_of(mapping_of(message, "outbound").get("rate")),
            sms_inbound_rate=decimal_of(mapping_of(message, "inbound").get("rate")),
            sms_networks=tuple(
                Rate(str_of(n, "group_name") or "", decimal_of(n.get("rate")))
                for n in (networks if isinstance(networks, list) else [])
                if isinstance(n, Mapping) and str_of(n, "group_name")
            ),
            voice_outbound=_rates(mapping_of(voice, "outbound")),
            voice_inbound=_rates(mapping_of(voice, "inbound")),
            api_id=str_of(data, "api_id"),
        )


def _rates(section: Mapping[str, Any]) -> tuple[Rate, ...]:
    """``{"local": {"rate": "0.0085"}, ...}`` → ``(Rate("local", 0.0085),)``; others skipped."""
    rates: list[Rate] = []
    for name, value in section.items():
        if isinstance(value, Mapping):
            rate = decimal_of(value.get("rate"))
            if rate is not None:
                rates.append(Rate(str(name), rate))
    return tuple(rates)
