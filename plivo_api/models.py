"""Typed results of the Plivo calls the tools make.

Plivo's JSON is parsed here, once, defensively: a field Plivo leaves out becomes ``None`` instead of
a ``KeyError`` in a tool, and numbers that Plivo sends as decimal strings become numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .error_codes import describe_error_code, normalize_error_code
from .errors import MalformedResponseError, OutcomeUnknownError

TRIAL_ACCOUNT_TYPE = "developer"
PLIVO_CURRENCY = "USD"  # Plivo bills and prices in USD; its answers carry no currency field


def _str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    return str(value)


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None  # NaN/Infinity would be invalid JSON


def _int(value: object) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(str(value))
    except ValueError:
        number = _decimal(value)
        return int(number) if number is not None else None  # "1.0" → 1; "NaN" → None


def _bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    return None


def as_number(value: Decimal | None) -> float | None:
    """Decimals become JSON numbers for Dify's output; exactness is not needed past 5 places."""
    return float(value) if value is not None else None


@dataclass(frozen=True)
class Account:
    name: str | None
    account_type: str | None
    balance: Decimal | None
    auto_recharge: bool | None
    billing_mode: str | None
    timezone: str | None
    api_id: str | None = None
    currency: str = PLIVO_CURRENCY

    @property
    def is_trial(self) -> bool:
        return self.account_type == TRIAL_ACCOUNT_TYPE

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "account_type": self.account_type,
            "is_trial": self.is_trial,
            "balance": as_number(self.balance),
            "currency": self.currency,
            "auto_recharge": self.auto_recharge,
            "billing_mode": self.billing_mode,
            "timezone": self.timezone,
        }

    def summary(self) -> str:
        balance = self.balance if self.balance is not None else "unknown"
        kind = "trial" if self.is_trial else self.account_type or "unknown"
        line = (
            f"Plivo account {self.name or '(unnamed)'}: balance {balance} {self.currency}, "
            f"{kind} account."
        )
        if self.is_trial:
            line += " Trial accounts can only send to numbers verified as sandbox numbers."
        return line

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Account:
        return cls(
            name=_str(data, "name"),
            account_type=_str(data, "account_type"),
            balance=_decimal(data.get("cash_credits")),
            auto_recharge=_bool(data.get("auto_recharge")),
            billing_mode=_str(data, "billing_mode"),
            timezone=_str(data, "timezone"),
            api_id=_str(data, "api_id"),
        )


@dataclass(frozen=True)
class SendResult:
    """Plivo's 202: one UUID per accepted destination, and the destinations it refused."""

    api_id: str | None
    message: str | None
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
                api_id=_str(data, "api_id"),
            )
        return cls(
            api_id=_str(data, "api_id"),
            message=_str(data, "message"),
            message_uuids=tuple(str(u) for u in uuids),
            invalid_numbers=tuple(str(n) for n in invalid),
        )


# -- read models (issue 4) -----------------------------------------------------------------------

FINAL_STATES = frozenset({"delivered", "undelivered", "failed", "rejected", "read"})
"""States a message never leaves. ``sent`` is not among them, although it is where a message stays
when the carrier sends no delivery receipt (US and Canada, ``plivo-api.md`` §6)."""

MESSAGE_STATES = (
    "queued",
    "sent",
    "delivered",
    "undelivered",
    "failed",
    "rejected",
    "received",
    "read",
)
"""Every ``message_state`` Plivo documents (outbound, inbound and WhatsApp), in life-cycle order."""

SHOWN_NETWORKS = 5
MIN_PHONE_DIGITS = 8
E164_MAX_DIGITS = 15
"""Plivo writes numbers as bare digits with the country code; fewer digits is a short code."""


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


def _mapping(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def _error_fields(error_code: str | None, plivo_text: str | None) -> dict[str, object]:
    info = describe_error_code(error_code, plivo_text)
    if info is None:
        return {"error_code": None, "error": None, "advice": None, "retryable": None}
    return info.to_dict()


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
    updated_time: str | None
    delivered_time: str | None
    country_iso2: str | None = None

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MessageRecord:
        state = (_str(data, "message_state") or "").strip().lower() or None
        updated = _str(data, "message_updated_time")
        # Plivo's MDR has no delivery time of its own: the last change of a delivered message is
        # its delivery receipt. A field with that meaning wins when Plivo sends one.
        delivered = _str(data, "message_delivered_time") or _str(data, "delivery_report_time")
        if delivered is None and state == "delivered":
            delivered = updated
        return cls(
            message_uuid=_str(data, "message_uuid"),
            state=state,
            direction=_str(data, "message_direction"),
            message_type=_str(data, "message_type"),
            from_number=display_number(_str(data, "from_number")),
            to_number=display_number(_str(data, "to_number")),
            error_code=normalize_error_code(data.get("error_code")),
            error_text=_str(data, "error_message"),
            units=_int(data.get("units")),
            total_amount=_decimal(data.get("total_amount")),
            total_rate=_decimal(data.get("total_rate")),
            message_time=_str(data, "message_time"),
            sent_time=_str(data, "message_sent_time"),
            updated_time=updated,
            delivered_time=delivered,
            country_iso2=_str(data, "destination_country_iso2"),
        )

    def error_fields(self) -> dict[str, object]:
        """``error_code``, ``error`` (meaning), ``advice``, ``retryable``; None without an error."""
        return _error_fields(self.error_code, self.error_text)

    def to_dict(self) -> dict[str, object]:
        """The ``get_message`` shape: every key always present, None where Plivo gave nothing."""
        return {
            "message_uuid": self.message_uuid,
            "state": self.state,
            "final": self.final,
            **self.error_fields(),
            "to": self.to_number,
            "from": self.from_number,
            "direction": self.direction,
            "type": self.message_type,
            "units": self.units,
            "total_amount": as_number(self.total_amount),
            "total_rate": as_number(self.total_rate),
            "message_time": self.message_time,
            "sent_time": self.sent_time,
            "delivered_time": self.delivered_time,
        }

    def to_compact_dict(self) -> dict[str, object]:
        """The ``list_messages`` shape: what a history row needs, with the error explained."""
        errors = self.error_fields()
        return {
            "uuid": self.message_uuid,
            "state": self.state,
            "direction": self.direction,
            "from": self.from_number,
            "to": self.to_number,
            "time": self.message_time,
            "units": self.units,
            "error_code": errors["error_code"],
            "error": errors["error"],
            "advice": errors["advice"],
        }


@dataclass(frozen=True)
class MessagePage:
    """One page of List Messages; ``next_offset`` is None on the last page."""

    records: tuple[MessageRecord, ...]
    total_count: int | None
    limit: int | None
    offset: int
    next_offset: int | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, requested_offset: int = 0) -> MessagePage:
        objects = data.get("objects")
        if objects is None:
            objects = []
        if not isinstance(objects, list):
            raise MalformedResponseError(
                "Plivo's message list has no 'objects' list; try again in a moment.",
                api_id=_str(data, "api_id"),
            )
        records = tuple(MessageRecord.from_json(o) for o in objects if isinstance(o, Mapping))
        meta = _mapping(data, "meta")
        offset = _int(meta.get("offset"))
        offset = requested_offset if offset is None else offset
        limit = _int(meta.get("limit"))
        total = _int(meta.get("total_count"))
        return cls(
            records=records,
            total_count=total,
            limit=limit,
            offset=offset,
            next_offset=_next_offset(meta.get("next"), offset, len(records), total),
        )


def _next_offset(next_url: object, offset: int, count: int, total: int | None) -> int | None:
    """Plivo's ``meta.next`` is a relative URL or null; its ``offset`` argument is the answer."""
    if not next_url or count == 0:
        return None
    if total is not None and offset + count >= total:
        return None
    query = parse_qs(urlsplit(str(next_url)).query)
    found = _int(query["offset"][0]) if query.get("offset") else None
    return found if found is not None and found > offset else offset + count


@dataclass(frozen=True)
class NumberLookup:
    """Plivo Lookup (``type=carrier``): who runs a number and what kind of line it is."""

    number: str | None
    country_iso2: str | None
    country_name: str | None
    carrier_name: str | None
    carrier_type: str | None
    ported: bool | None
    mcc: str | None
    mnc: str | None
    e164: str | None
    national: str | None
    international: str | None
    api_id: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NumberLookup:
        country = _mapping(data, "country")
        carrier = _mapping(data, "carrier")
        formats = _mapping(data, "format")
        ported = _str(carrier, "ported")
        return cls(
            number=_str(data, "phone_number") or _str(formats, "e164"),
            country_iso2=_str(country, "iso2"),
            country_name=_str(country, "name"),
            carrier_name=_str(carrier, "name"),
            carrier_type=_str(carrier, "type"),
            # "yes"/"no", or "unknown" outside the US and Canada.
            ported={"yes": True, "no": False}.get((ported or "").lower(), _bool(ported)),
            mcc=_str(carrier, "mobile_country_code"),
            mnc=_str(carrier, "mobile_network_code"),
            e164=_str(formats, "e164"),
            national=_str(formats, "national"),
            international=_str(formats, "international"),
            api_id=_str(data, "api_id"),
        )

    def summary(self) -> str:
        where = ", ".join(x for x in (self.country_name, self.country_iso2) if x)
        line = f"{self.number or self.e164 or 'The number'}" + (f" ({where})" if where else "")
        line += f": {self.carrier_type or 'unknown'} line"
        if self.carrier_name:
            line += f", carrier {self.carrier_name}"
        if self.ported is not None:
            line += ", ported" if self.ported else ", not ported"
        if self.national:
            line += f"; national format {self.national}"
        return line + "."

    def to_dict(self) -> dict[str, object]:
        return {
            "number": self.number,
            "country": {"iso2": self.country_iso2, "name": self.country_name},
            "carrier": {
                "name": self.carrier_name,
                "type": self.carrier_type,
                "ported": self.ported,
                "mcc": self.mcc,
                "mnc": self.mnc,
            },
            "format": {
                "e164": self.e164,
                "national": self.national,
                "international": self.international,
            },
        }


@dataclass(frozen=True)
class NetworkRate:
    name: str | None
    rate: Decimal | None


@dataclass(frozen=True)
class Pricing:
    """A country's price list (``GET Pricing/?country_iso=XX``); rates in USD per unit/minute."""

    country: str | None
    country_iso: str | None
    country_code: int | None
    sms_outbound_rate: Decimal | None
    sms_inbound_rate: Decimal | None
    networks: tuple[NetworkRate, ...]
    voice_outbound: Mapping[str, Decimal]
    voice_inbound: Mapping[str, Decimal]
    api_id: str | None = None
    currency: str = PLIVO_CURRENCY

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Pricing:
        message = _mapping(data, "message")
        voice = _mapping(data, "voice")
        networks = message.get("outbound_networks_list")
        return cls(
            country=_str(data, "country"),
            country_iso=_str(data, "country_iso"),
            country_code=_int(data.get("country_code")),
            sms_outbound_rate=_decimal(_mapping(message, "outbound").get("rate")),
            sms_inbound_rate=_decimal(_mapping(message, "inbound").get("rate")),
            networks=tuple(
                NetworkRate(_str(n, "group_name"), _decimal(n.get("rate")))
                for n in (networks if isinstance(networks, list) else [])
                if isinstance(n, Mapping)
            ),
            voice_outbound=_rates(_mapping(voice, "outbound")),
            voice_inbound=_rates(_mapping(voice, "inbound")),
            api_id=_str(data, "api_id"),
        )

    def summary(self) -> str:
        name = self.country or self.country_iso or "this country"
        iso = f" ({self.country_iso})" if self.country_iso and self.country else ""
        line = f"Plivo prices for {name}{iso} in {self.currency}: SMS outbound "
        line += f"{_rate_text(self.sms_outbound_rate)} per segment, inbound "
        line += f"{_rate_text(self.sms_inbound_rate)}"
        shown = [n for n in self.networks if n.name][:SHOWN_NETWORKS]
        if shown:
            line += "; by network: " + ", ".join(f"{n.name} {_rate_text(n.rate)}" for n in shown)
            if len(self.networks) > len(shown):
                line += f" and {len(self.networks) - len(shown)} more"
        local = self.voice_outbound.get("local")
        if local is not None:
            line += f"; voice outbound (local) {local} per minute"
        return line + "."

    def to_dict(self) -> dict[str, object]:
        return {
            "country": self.country,
            "country_iso": self.country_iso,
            "country_code": self.country_code,
            "currency": self.currency,
            "sms": {
                "outbound_rate": as_number(self.sms_outbound_rate),
                "inbound_rate": as_number(self.sms_inbound_rate),
                "networks": [{"name": n.name, "rate": as_number(n.rate)} for n in self.networks],
            },
            "voice": {
                "outbound": {k: as_number(v) for k, v in self.voice_outbound.items()},
                "inbound": {k: as_number(v) for k, v in self.voice_inbound.items()},
            },
        }


def _rate_text(rate: Decimal | None) -> str:
    return "unknown" if rate is None else f"{rate}"


def _rates(section: Mapping[str, Any]) -> dict[str, Decimal]:
    """``{"local": {"rate": "0.0085"}, ...}`` → ``{"local": Decimal("0.0085")}``; others skipped."""
    rates: dict[str, Decimal] = {}
    for name, value in section.items():
        if isinstance(value, Mapping):
            rate = _decimal(value.get("rate"))
            if rate is not None:
                rates[str(name)] = rate
    return rates
