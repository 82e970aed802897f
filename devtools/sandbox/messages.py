"""Stored messages, their lazily computed delivery state, and the magic destination numbers.

A message's state is never advanced by a background job: it is derived at read time from how long
ago the message was created (``Timeline``) and from the outcome its destination number decides.
That keeps the sandbox deterministic and lets tests speed time up with a fast ``Timeline``.

A delivered outbound WhatsApp message becomes ``read`` at ``Timeline.read_after``.

Magic destinations (the last four digits of the number decide; everything else is delivered):

    ...0000   stays ``sent`` forever: no delivery receipt, as for US/Canada
    ...0001   ``rejected`` with error 10 (a state only older Plivo docs mention)
    ...0NNN   NNN is a documented error code: 010 020 030 050 060 070 080 100 110 200 201
              end ``undelivered``; 040 090 420 450 451 900 end ``failed`` (Plivo-internal, before
              hand-off, not charged). Example: +1 415 555 0030 → undelivered, error "30".

Beware: common example numbers such as +1 415 555 0100 therefore end ``undelivered`` (100).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

# Delivery outcome by error code (https://www.plivo.com/docs/messaging/troubleshooting/
# message-error-codes): failed = Plivo gave up before the carrier.
UNDELIVERED_CODES = frozenset({10, 20, 30, 50, 60, 70, 80, 100, 110, 200, 201})
FAILED_CODES = frozenset({40, 90, 420, 450, 451, 900})
NO_RECEIPT_SUFFIX = "0000"
REJECTED_SUFFIX = "0001"
NO_ERROR = "000"

# GSM 03.38 basic set (without the escape) and its extension table (two septets each).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
GSM_SINGLE_UNIT, GSM_MULTI_UNIT, GSM_MAX_CHARS = 160, 153, 1600
UCS2_SINGLE_UNIT, UCS2_MULTI_UNIT, UCS2_MAX_CHARS = 70, 67, 737

US_CARRIER_FEE = Decimal("0.00300")
"""What US carriers add per segment sent to them (on top of Plivo's rate)."""


@dataclass(frozen=True)
class Timeline:
    """Seconds after creation at which a message becomes ``sent`` and reaches its final state."""

    sent_after: float = 0.2
    final_after: float = 0.6

    def __post_init__(self) -> None:
        if not 0 <= self.sent_after <= self.final_after:
            raise ValueError("Timeline needs 0 <= sent_after <= final_after")

    @property
    def read_after(self) -> float:
        """When a delivered WhatsApp message is read: one more step after delivery."""
        return self.final_after + (self.final_after - self.sent_after)

    @classmethod
    def instant(cls) -> Timeline:
        return cls(0.0, 0.0)

    def scaled(self, factor: float) -> Timeline:
        """Speed up (factor < 1) or slow down the whole life cycle."""
        return Timeline(self.sent_after * factor, self.final_after * factor)

    def __mul__(self, factor: float) -> Timeline:
        return self.scaled(factor)

    __rmul__ = __mul__


@dataclass(frozen=True)
class Outcome:
    """Where a message ends: ``final_state`` "sent" means it never gets a receipt."""

    final_state: str = "delivered"
    error_code: str = NO_ERROR


def outcome_for(number: str) -> Outcome:
    """The magic-number rule of the module docstring; ``number`` is digits only."""
    suffix = number[-4:]
    if suffix == NO_RECEIPT_SUFFIX:
        return Outcome("sent")
    if suffix == REJECTED_SUFFIX:
        return Outcome("rejected", "10")
    if len(suffix) == 4 and suffix.startswith("0") and suffix.isdigit():
        code = int(suffix)
        if code in UNDELIVERED_CODES:
            return Outcome("undelivered", str(code))
        if code in FAILED_CODES:
            return Outcome("failed", str(code))
    return Outcome()


def magic_numbers_help() -> list[str]:
    """One line per magic suffix, for the command-line help and the startup log."""
    lines = [
        f"...{NO_RECEIPT_SUFFIX} stays 'sent' (no receipt)",
        f"...{REJECTED_SUFFIX} rejected (error 10)",
    ]
    lines += [f"...{code:04d} undelivered (error {code})" for code in sorted(UNDELIVERED_CODES)]
    lines += [f"...{code:04d} failed (error {code})" for code in sorted(FAILED_CODES)]
    lines.append("anything else: delivered (error 000)")
    return lines


def is_gsm(text: str) -> bool:
    return all(char in GSM_BASIC or char in GSM_EXTENSION for char in text)


def ucs2_length(text: str) -> int:
    """UTF-16 code units: how carriers count UCS-2 (an emoji takes two)."""
    return len(text.encode("utf-16-le")) // 2


def text_length_error(text: str) -> str | None:
    if is_gsm(text):
        if len(text) > GSM_MAX_CHARS:
            return (
                f"text is too long: {len(text)} characters, at most {GSM_MAX_CHARS} "
                "GSM characters are allowed"
            )
        return None
    if ucs2_length(text) > UCS2_MAX_CHARS:
        return (
            f"text is too long: {ucs2_length(text)} characters, at most {UCS2_MAX_CHARS} "
            "Unicode characters are allowed"
        )
    return None


def count_units(text: str, message_type: str) -> int:
    """Billed segments (GSM-7: 160, or 153 per part; UCS-2: 70, or 67 per part).

    MMS and WhatsApp messages are one unit.
    """
    if message_type != "sms":
        return 1
    if is_gsm(text):
        septets = sum(2 if char in GSM_EXTENSION else 1 for char in text)
        return 1 if septets <= GSM_SINGLE_UNIT else math.ceil(septets / GSM_MULTI_UNIT)
    length = ucs2_length(text)
    return 1 if length <= UCS2_SINGLE_UNIT else math.ceil(length / UCS2_MULTI_UNIT)


def plivo_time(timestamp: float) -> str:
    """Plivo's MDR time format, in UTC: ``2026-01-05 10:00:01+00:00``."""
    moment = dt.datetime.fromtimestamp(timestamp, dt.UTC).replace(microsecond=0)
    return moment.isoformat(sep=" ")


@dataclass(frozen=True)
class StoredMessage:
    """One message as Plivo keeps it. ``fixed_state`` pins seeded messages to one state."""

    message_uuid: str
    account: str
    direction: str
    from_number: str
    to_number: str
    text: str
    message_type: str
    units: int
    created: float
    rate: str
    country_iso2: str
    outcome: Outcome = field(default_factory=Outcome)
    fixed_state: str | None = None
    mcc: str = ""
    mnc: str = ""
    network: str = ""
    requester_ip: str = ""
    options: Mapping[str, object] = field(default_factory=dict)

    def state_at(self, now: float, timeline: Timeline) -> tuple[str, float | None, float]:
        """(state, time it was sent or None, time of the last change) at ``now``."""
        if self.fixed_state is not None:
            sent = (
                self.created
                if self.fixed_state in ("sent", "delivered", "undelivered", "read")
                else None
            )
            return self.fixed_state, sent, self.created
        elapsed = now - self.created
        sent_time = self.created + timeline.sent_after
        final_time = self.created + timeline.final_after
        final = self.outcome.final_state
        if final in ("failed", "rejected"):
            # Plivo gave up before any carrier saw it: the message never was "sent".
            return (
                (final, None, final_time)
                if elapsed >= timeline.final_after
                else (
                    "queued",
                    None,
                    self.created,
                )
            )
        if elapsed < timeline.sent_after:
            return "queued", None, self.created
        if elapsed < timeline.final_after or final == "sent":
            return "sent", sent_time, sent_time
        if self.reads and elapsed >= timeline.read_after:
            return "read", sent_time, self.created + timeline.read_after
        return final, sent_time, final_time

    @property
    def reads(self) -> bool:
        """A delivered outbound WhatsApp message is read later (WhatsApp's read receipt)."""
        return (
            self.message_type == "whatsapp"
            and self.direction == "outbound"
            and self.outcome.final_state == "delivered"
        )

    def current_state(self, now: float, timeline: Timeline) -> str:
        return self.state_at(now, timeline)[0]

    def to_mdr(self, *, now: float, timeline: Timeline, api_id: str | None) -> dict[str, object]:
        """The message detail record of ``GET .../Message/{uuid}/`` (https://www.plivo.com/docs/messaging/api/message)."""
        state, sent_time, updated = self.state_at(now, timeline)
        charged = state in ("sent", "delivered", "undelivered", "received", "read")
        amount = Decimal(self.rate) * self.units if charged else Decimal(0)
        fee_rate = US_CARRIER_FEE if self.country_iso2 == "US" and charged else Decimal(0)
        error_code = (
            self.outcome.error_code if state in ("failed", "undelivered", "rejected") else NO_ERROR
        )
        log = str(self.options.get("log", "true"))
        to_number = self.to_number
        if log in ("false", "content_only"):
            to_number = to_number[:-3] + "***"  # Plivo's partial redaction of log=false numbers
        record: dict[str, object] = {
            "api_id": api_id,
            "carrier_fees": f"{fee_rate * self.units:.5f}",
            "carrier_fees_rate": f"{fee_rate:.5f}",
            "conversation_expiration_timestamp": "",
            "conversation_id": "",
            "conversation_origin": "",
            "destination_country_iso2": self.country_iso2,
            "destination_network": self.network,
            "dlt_entity_id": str(self.options.get("dlt_entity_id", "")),
            "dlt_template_category": str(self.options.get("dlt_template_category", "")),
            "dlt_template_id": str(self.options.get("dlt_template_id", "")),
            "error_code": error_code,
            "error_message": "" if error_code == NO_ERROR else f"error {error_code}",
            "from_number": self.from_number,
            "is_domestic": bool(self.options.get("is_domestic", False)),
            "log": log,
            "mcc": self.mcc,
            "message_direction": self.direction,
            "message_sent_time": None if sent_time is None else plivo_time(sent_time),
            "message_state": state,
            "message_time": plivo_time(self.created),
            "message_type": self.message_type,
            "message_updated_time": plivo_time(updated),
            "message_uuid": self.message_uuid,
            "mnc": self.mnc,
            "powerpack_id": str(self.options.get("powerpack_uuid", "")),
            "replaced_sender": "",
            "requester_ip": self.requester_ip,
            "resource_uri": f"/v1/Account/{self.account}/Message/{self.message_uuid}/",
            "tendlc_campaign_id": "",
            "tendlc_registration_status": "",
            "to_number": to_number,
            "total_amount": f"{amount:.5f}",
            "total_rate": f"{Decimal(self.rate):.5f}",
            "units": self.units,
        }
        if api_id is None:
            del record["api_id"]  # list objects carry no api_id of their own
        return record
