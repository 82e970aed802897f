"""The two guard rails of every tool that pays per destination: a country list and a cap.

An agent can be talked into messaging or calling premium-rate destinations (SMS pumping, toll
fraud), and a workflow can be fed a list far longer than intended. The workflow builder therefore
sets ``allowed_countries`` (destinations elsewhere are skipped and listed as invalid, never sent
to) and ``max_recipients`` (a request over it is refused whole, before anything is sent). The
same rules, and the same sentences, apply to messages and calls.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final

from ..errors import InputError
from ..messaging.numbers import (
    MAX_RECIPIENTS,
    InvalidRecipient,
    is_premium_rate,
    parse_region,
    region_code,
)
from .present import invalid_summary

ALLOWED_COUNTRIES: Final = "allowed_countries"
_COUNTRY_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class RecipientPolicy:
    """The builder's limits: at most ``max_recipients`` per request, only these countries."""

    max_recipients: int
    allowed_countries: frozenset[str] = frozenset()  # empty: any country

    @property
    def cap(self) -> int:
        return min(self.max_recipients, MAX_RECIPIENTS)


def parse_allowed_countries(raw: str | None) -> frozenset[str]:
    """``"US, ca"`` → ``{"US", "CA"}``; empty means any country."""
    if not raw:
        return frozenset()
    parts = [part for part in _COUNTRY_SEPARATORS.split(raw) if part]
    return frozenset(
        region for part in parts if (region := parse_region(part, ALLOWED_COUNTRIES)) is not None
    )


REASON_PREMIUM_RATE: Final = (
    "a premium-rate number: refused, since reaching it costs far more than a normal number"
)


def outside_allowed(
    countries: frozenset[str], number: str, *, verb: str = "send to"
) -> InvalidRecipient | None:
    """Why ``number`` (E.164) may not be reached under ``countries``, or None when it may.

    Premium-rate numbers are never reached, whatever the countries: an agent talked into one is
    the classic SMS-pumping and toll-fraud loss.
    """
    if is_premium_rate(number):
        return InvalidRecipient(number, REASON_PREMIUM_RATE)
    if not countries:
        return None
    region = region_code(number)
    if region in countries:
        return None
    allowed = ", ".join(sorted(countries))
    where = f"in {region}" if region else "not in any country (a global service number)"
    return InvalidRecipient(
        number,
        f"{where}, outside the countries this tool may {verb} ({ALLOWED_COUNTRIES}: {allowed})",
    )


def no_destination(
    invalid: Sequence[InvalidRecipient],
    well_formed: Collection[str],
    *,
    nothing: str,
    how_to_write: str,
) -> InputError:
    """The error when no destination is left: what was refused, and how to write numbers only
    when one was written badly (a number refused by a rule needs no format advice)."""
    detail = f": {invalid_summary(invalid)}" if invalid else ""
    refused_only = bool(invalid) and all(i.input in well_formed for i in invalid)
    hint = "" if refused_only else f" {how_to_write}; ask the user when unsure."
    return InputError("to", f"to: no valid destination{detail}. {nothing}.{hint}")


def enforce_cap(count: int, policy: RecipientPolicy, *, per: str, nothing: str) -> None:
    """Refuse a request to more destinations than the builder allowed, before anything is sent.

    ``per`` names the unit ("per send"), ``nothing`` what did not happen ("nothing was sent").
    """
    if count > policy.cap:
        raise InputError(
            "to",
            f"to: {count} recipients exceed this tool's limit of {policy.cap} {per}; {nothing}. "
            "Use fewer recipients, or ask the user to raise 'Max recipients' in the tool's "
            f"settings (up to {MAX_RECIPIENTS}).",
        )


__all__ = [
    "ALLOWED_COUNTRIES",
    "REASON_PREMIUM_RATE",
    "RecipientPolicy",
    "enforce_cap",
    "no_destination",
    "outside_allowed",
    "parse_allowed_countries",
]
