"""Plivo's messaging error codes (MDR ``error_code``, callback ``ErrorCode``) explained in words.

A failed or undelivered message carries only a number; the tools turn it into a sentence saying
what happened and what to do, so a user or an LLM agent can act without looking the code up. The
comment on each entry names its source:

- A: Plivo blog "Introducing SMS error codes", https://www.plivo.com/blog/introducing-sms-error-codes/
- B: Plivo's error-code table, https://plivo.com/docs/messaging/troubleshooting/error-codes
- D: Plivo support, "Message Expiry",
  https://support.plivo.com/hc/en-us/articles/14814454609561-Message-Expiry
- G: Plivo's Geo Permissions page, https://plivo.com/docs/messaging/concepts/geo-permissions
- H: Plivo support on insufficient balance,
  https://support.plivo.com/support/solutions/articles/17000088423

Codes marked unverified come only from third-party code: their meaning says so, and ``verified``
is False.

``retryable`` answers one question: *can the same message, resent unchanged from the same
account, succeed later without anyone changing anything?*

- ``True``: the cause passes by itself (carrier network hiccup, handset off, queue expiry, a Geo
  Permissions block period). Resending later may work; it is never done automatically.
- ``False``: resending fails again until someone changes something (the text, the sender, the
  destination, account credit or console settings) or never succeeds. The advice names the
  change. Account fixes (credit for 900, Geo Permissions for 450) count as changes on purpose: a
  workflow that branches on ``retryable`` must not loop on a resend that cannot work yet.
- ``None``: unknown (1000, unknown codes, and codes whose retryability no source states).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

NO_ERROR_CODES = frozenset({"", "0", "00", "000"})
"""Values Plivo uses for "no error" (the docs show ``"000"``; the SDK fixture has ``null``)."""

UNKNOWN_CODE_ADVICE = "Contact Plivo support with the message UUID."


@dataclass(frozen=True)
class ErrorCodeInfo:
    """What one error code means, what to do about it, and whether a later resend can work."""

    code: str
    meaning: str
    advice: str
    retryable: bool | None
    known: bool
    verified: bool


def _entry(
    code: str, meaning: str, advice: str, retryable: bool | None, *, verified: bool = True
) -> tuple[str, ErrorCodeInfo]:
    return code, ErrorCodeInfo(code, meaning, advice, retryable, known=True, verified=verified)


ERROR_CODES: Mapping[str, ErrorCodeInfo] = MappingProxyType(
    dict(
        [
            # A, B
            _entry(
                "10",
                "A downstream carrier rejected the message as invalid.",
                "Check the message content; contact Plivo support with the message UUID if this "
                "happens often.",
                False,
            ),
            # A, B
            _entry(
                "20",
                "A temporary network error occurred at the carrier.",
                "Resend the message later.",
                True,
            ),
            # A, B. Table: "after changing content/sender", so not retryable unchanged.
            _entry(
                "30",
                "The carrier's filters flagged the message as spam (bulk traffic over US or "
                "Canadian long codes is flagged too).",
                "Reword the message (avoid URL shorteners and spam-like phrasing) or send from a "
                "registered 10DLC, toll-free or short code number.",
                False,
            ),
            # A, B
            _entry(
                "40",
                "The sender number is invalid: badly formatted, not SMS-enabled, or not on this "
                "Plivo account.",
                "Send from an SMS-enabled number on your Plivo account, written in E.164 format "
                "(e.g. +14155550100).",
                False,
            ),
            # A
            _entry(
                "50",
                "The destination number is invalid: badly formatted, not able to receive SMS, or a "
                "landline.",
                "Check the destination number and write it in E.164 format (e.g. +14155550123); "
                "landlines cannot receive SMS.",
                False,
            ),
            # A
            _entry(
                "60",
                "Plivo detected a message loop between numbers.",
                "Stop your numbers or applications from automatically messaging each other in a "
                "loop.",
                False,
            ),
            # A
            _entry(
                "70",
                "The destination number is permanently unavailable.",
                "Remove this number from your recipient list; do not resend.",
                False,
            ),
            # A
            _entry(
                "80",
                "The destination phone is temporarily unavailable (switched off or out of "
                "coverage).",
                "Resend the message later.",
                True,
            ),
            # A
            _entry(
                "90",
                "No route is available to deliver messages to this destination.",
                "Contact Plivo support with the message UUID.",
                False,
            ),
            # A
            _entry(
                "100",
                "The carrier prohibited this message.",
                "Check the destination country's rules for senders and content, then change the "
                "sender or the text.",
                False,
            ),
            # A
            _entry(
                "110",
                "The message is too long (over 1,600 GSM-7 or 737 UCS-2 characters).",
                "Shorten the message or split it into several messages.",
                False,
            ),
            # A
            _entry(
                "200",
                "The recipient opted out (replied STOP) of messages from this sender.",
                "Do not resend: respect the opt-out unless the recipient opts in again.",
                False,
            ),
            # A
            _entry(
                "201",
                "Messages from a US toll-free number to Canadian destinations are blocked.",
                "Send to this Canadian number from a different sender, not a US toll-free number.",
                False,
            ),
            # D. Table: "if still useful"; nothing needs fixing, so retryable.
            _entry(
                "420",
                "The message expired in Plivo's queue before it was sent (after 3 hours or the "
                "message_expiry you set); it was not charged.",
                "Resend the message if it is still relevant.",
                True,
            ),
            # G. Table: "after fixing settings", so not retryable unchanged.
            _entry(
                "450",
                "The destination country is not enabled in the account's Geo Permissions.",
                "Enable the destination country in the Plivo console "
                "(Messaging > Geo Permissions).",
                False,
            ),
            # G. Table: "after the block period"; the block ends by itself, so retryable.
            _entry(
                "451",
                "The hourly message threshold set in Geo Permissions for this country was "
                'exceeded, so Plivo blocked the traffic ("Block & Alert").',
                "Resend after the block period ends, or raise the hourly threshold in the Plivo "
                "console (Messaging > Geo Permissions).",
                True,
            ),
            # H. Table: "after top-up", so not retryable unchanged.
            _entry(
                "900",
                "The Plivo account has insufficient credit.",
                "Add credit in the Plivo console; sends fail for about 2 minutes after this error.",
                False,
            ),
            # A. Table: "maybe".
            _entry(
                "1000",
                "Plivo reported an unknown error.",
                "Contact Plivo support with the message UUID.",
                None,
            ),
            # UNVERIFIED: third-party code only, in no Plivo source. Table retryable: "?".
            _entry(
                "300",
                "Plivo failed to dispatch the message (unconfirmed: this code is not in Plivo's "
                "documentation).",
                "Contact Plivo support with the message UUID.",
                None,
                verified=False,
            ),
            # UNVERIFIED: third-party code only, in no Plivo source.
            _entry(
                "910",
                "The Plivo account is disabled (unconfirmed: this code is not in Plivo's "
                "documentation).",
                "Contact Plivo support to reactivate the account.",
                False,
                verified=False,
            ),
            # UNVERIFIED: third-party report only (activepieces Plivo piece,
            # packages/pieces/community/plivo/src/lib/common/signature.ts). The message itself may
            # have been delivered, so a resend risks a duplicate: not retryable.
            _entry(
                "2403",
                "Your webhook rejected Plivo's callback because its signature check failed "
                "(unconfirmed: this code is not in Plivo's documentation).",
                "Fix the webhook's signature check: accept X-Plivo-Signature-V3 signed with the "
                "account's Auth Token or X-Plivo-Signature-Ma-V3 signed with the main account's "
                "token.",
                False,
                verified=False,
            ),
        ]
    )
)


def normalize_error_code(value: object) -> str | None:
    """Reduce any ``error_code`` shape Plivo sends (string or number, zero-padded) to one key.

    Returns None for "no error" (None, "", "0", "000", 0), the digits without leading zeros for
    numeric codes, and the stripped text for anything else, so that odd values still reach the user
    as an unknown code instead of crashing a tool that only wanted to explain a failure.
    """
    if value is None:
        return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text in NO_ERROR_CODES:
        return None
    if text.isascii() and text.isdigit():
        return text.lstrip("0") or None
    return text


def describe_error_code(value: object, plivo_text: str | None = None) -> ErrorCodeInfo | None:
    """Explain an ``error_code``; None when it means "no error".

    Unknown codes never raise: they become an ``ErrorCodeInfo`` with ``known=False`` that carries
    Plivo's own text (e.g. the MDR ``error_message``) when there is one, since that is then the only
    explanation available. Known codes ignore ``plivo_text``: the table's sentences say more.
    """
    code = normalize_error_code(value)
    if code is None:
        return None
    info = ERROR_CODES.get(code)
    if info is not None:
        return info
    meaning = f"Unknown error code {code}"
    extra = plivo_text.strip() if plivo_text else ""
    if extra:
        meaning = f"{meaning}: {extra}"
    return ErrorCodeInfo(
        code=code,
        meaning=meaning,
        advice=UNKNOWN_CODE_ADVICE,
        retryable=None,
        known=False,
        verified=False,
    )


__all__ = [
    "ERROR_CODES",
    "NO_ERROR_CODES",
    "UNKNOWN_CODE_ADVICE",
    "ErrorCodeInfo",
    "describe_error_code",
    "normalize_error_code",
]
