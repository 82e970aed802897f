"""preview_sms: what a send would cost and why, computed locally; nothing is sent.

Only ``estimate_cost`` reaches Plivo (one Pricing GET per destination country). It is an extra:
without credentials, or when Plivo fails, the preview still succeeds and carries a note instead;
whenever there is no estimate, ``cost_note`` says why. The estimate prices the numbers in ``to``,
or, before the numbers are known, ``recipient_count`` messages to ``estimate_country``.

Whatever send_sms would refuse about the text itself and the preview can still show (a template
placeholder left in it) is a warning here, so the text can be fixed before the send.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Final

from .. import params as read
from ..errors import InputError, PlivoError
from ..messaging.numbers import Recipients, parse_recipients, parse_region
from ..messaging.placeholders import describe, fill_in, find_placeholders
from ..messaging.segments import SegmentAnalysis, analyze, describe_limit, describe_segments
from ..params import Limits, NumberRange, Params, message_text
from ..resources.connect import client_from
from ..resources.pricing import get_pricing
from ..toolkit.present import invalid_recipient_fields, invalid_summary, plural
from ..toolkit.pricing import (
    CostEstimate,
    EstimateUnavailableError,
    RateLookup,
    estimate_cost,
    estimate_country_cost,
)
from ..transport.jsonvalues import as_number
from . import Invocation, ToolOutput

MAX_RECIPIENT_COUNT: Final = 10_000_000  # a campaign spread over many sends; bounds typos only
RECIPIENT_COUNT_LIMIT: Final = NumberRange(1, MAX_RECIPIENT_COUNT)
LIMITS: Limits = {"recipient_count": RECIPIENT_COUNT_LIMIT}

NOTE_ESTIMATES_OFF: Final = (
    "No cost estimate: this tool is set up without cost estimates (the user can turn them on); "
    "a country's SMS rate per segment is also in get_pricing"
)
NOTE_NO_VALID_RECIPIENTS: Final = "No cost estimate: none of the numbers in to is valid"
NOTE_NOTHING_TO_PRICE: Final = (
    "No cost estimate: give the numbers in to, or the destination country in estimate_country "
    "(with recipient_count)"
)


@dataclass(frozen=True)
class Preview:
    analysis: SegmentAnalysis
    recipients: Recipients
    estimate_requested: bool = False  # the builder's setting: may the tool ask Plivo for prices
    estimate_country: str | None = None  # with recipient_count: a send whose numbers are unknown
    recipient_count: int | None = None
    placeholders: tuple[str, ...] = ()  # send_sms refuses a text with any of these
    cost: CostEstimate | None = None
    cost_note: str | None = None
    api_ids: Mapping[str, str | None] = field(default_factory=dict)  # per priced country

    @property
    def estimate_asked(self) -> bool:
        """The caller asked for a cost (the setting, or the estimate parameters)."""
        return self.estimate_requested or self.estimate_country is not None

    @property
    def warnings(self) -> tuple[str, ...]:
        if not self.placeholders:
            return ()
        found = self.placeholders
        return (
            f"The text contains {describe(found)}, which would reach the recipient as written, "
            f"so send_sms would refuse it: {fill_in(found)}.",
        )


def preview_from_params(params: Params) -> Preview:
    text = message_text(params)
    if not text:
        raise InputError("message", "message is empty: write the text to preview.")
    region = parse_region(read.text(params, "default_country"))
    to = read.text_items(params, "to")
    recipients = parse_recipients(to, region) if to else Recipients((), ())
    country = parse_region(read.text(params, "estimate_country"), "estimate_country")
    count = RECIPIENT_COUNT_LIMIT.read(params, "recipient_count")
    if to and (country is not None or count is not None):
        given = "estimate_country" if country is not None else "recipient_count"
        raise InputError(
            given,
            f"{given} is for a send whose numbers are not known yet; with numbers in to, the "
            f"estimate uses their own countries. Leave out {given} or to.",
        )
    if count is not None and country is None:
        raise InputError(
            "estimate_country",
            "recipient_count needs estimate_country: the two-letter ISO code of the country "
            "the messages go to (e.g. US, GB, IN); if you do not know it, ask the user.",
        )
    if country is not None and count is None:
        count = 1  # the price per recipient
    return Preview(
        analyze(text),
        recipients,
        estimate_requested=read.boolean(params, "estimate_cost", default=False),
        estimate_country=country,
        recipient_count=count,
        placeholders=find_placeholders(text),
    )


def with_cost_estimate(preview: Preview, credentials: Mapping[str, object] | None) -> Preview:
    """Add the cost estimate (one Pricing GET per country); failures become ``cost_note``."""
    try:
        client = client_from(credentials)
    except PlivoError as error:
        return replace(
            preview,
            cost_note=f"No cost estimate: it needs the plugin's Plivo credentials ({error})",
        )

    api_ids: dict[str, str | None] = {}

    def rate_for(country: str) -> Decimal | None:
        pricing = get_pricing(client, country)
        api_ids[country] = pricing.api_id
        return pricing.sms_outbound_rate

    try:
        cost = _estimate(preview, rate_for)
    except EstimateUnavailableError as error:
        return replace(preview, cost_note=f"No cost estimate: {error}")
    note = "; ".join(cost.notes) or None
    if note is not None:
        note = f"Cost estimate incomplete: {note}"
    return replace(preview, cost=cost, cost_note=note, api_ids=api_ids)


def _estimate(preview: Preview, rate_for: RateLookup) -> CostEstimate:
    segments = preview.analysis.segments
    if preview.estimate_country is not None and preview.recipient_count is not None:
        return estimate_country_cost(
            preview.estimate_country, preview.recipient_count, segments, rate_for
        )
    return estimate_cost(preview.recipients.valid, segments, rate_for)


def why_no_estimate(preview: Preview) -> str | None:
    """What ``cost_note`` says when no estimate was attempted."""
    if not preview.estimate_requested:
        return NOTE_ESTIMATES_OFF
    if preview.recipients.valid or preview.estimate_country is not None:
        return None
    if preview.recipients.invalid:
        return NOTE_NO_VALID_RECIPIENTS
    return NOTE_NOTHING_TO_PRICE


def run(call: Invocation) -> ToolOutput:
    preview = preview_from_params(call.parameters)
    reason = why_no_estimate(preview)
    if reason is None:
        preview = with_cost_estimate(preview, call.credentials)
    elif preview.estimate_asked:  # a cost was asked for: the line says why there is none
        preview = replace(preview, cost_note=reason)
    return present(preview)


# -- presentation ----------------------------------------------------------------------------


def summary(preview: Preview) -> str:
    a = preview.analysis
    segments = describe_segments(a)  # names UCS-2 and its cause itself
    line = f"{segments if a.encoding == 'UCS-2' else 'GSM-7, ' + segments}"
    line += f", {describe_limit(a) if a.over_limit else plural(a.characters, 'character')}"
    if a.over_limit:
        line += f"; over Plivo's limit of {a.limit} characters for {a.encoding}"
    if a.gsm_alternative is not None:
        alt = a.gsm_alternative.segments
        line += f"; replacing look-alike characters gives GSM-7 in {plural(alt, 'segment')}"
    valid, invalid = preview.recipients.valid, preview.recipients.invalid
    if valid or invalid:
        line += f"; {plural(len(valid), 'valid recipient')}"
        if invalid:
            line += f", {invalid_summary(invalid)}"
    if preview.estimate_country is not None:
        count = plural(preview.recipient_count or 1, "recipient")
        line += f"; priced for {count} in {preview.estimate_country}"
    if preview.cost is not None and preview.cost.total is not None:
        line += f". {preview.cost.summary()}"
    elif preview.cost_note:
        line += f". {preview.cost_note}"
    line = line.rstrip(".") + "."
    return " ".join((line, *(f"Warning: {w}" for w in preview.warnings)))


def cost_fields(cost: CostEstimate, api_ids: Mapping[str, str | None]) -> dict[str, object]:
    return {
        "currency": cost.currency,
        "total": as_number(cost.total),
        "countries": [
            {
                "country_iso": c.country or None,
                "recipient_count": c.recipients,
                "units": c.units,
                "rate": as_number(c.rate),
                "cost": as_number(c.cost),
                "api_id": api_ids.get(c.country),
            }
            for c in cost.per_country
        ],
    }


def present(preview: Preview) -> ToolOutput:
    a = preview.analysis
    invalid = invalid_recipient_fields(preview.recipients.invalid)
    total = preview.cost.total if preview.cost is not None else None
    warnings = list(preview.warnings)
    data: dict[str, object] = {
        "encoding": a.encoding,
        "segments": a.segments,
        "characters": a.characters,
        "character_limit": a.limit,
        "over_limit": a.over_limit,
        "code_units": a.units,
        "max_code_units_per_segment": a.max_units_per_segment,
        "non_gsm_characters": [
            {
                "char": c.char,
                "codepoint": c.codepoint,
                "positions": list(c.positions),
                "count": c.count,
            }
            for c in a.non_gsm_characters
        ],
        "gsm_alternative": (
            None
            if a.gsm_alternative is None
            else {"text": a.gsm_alternative.text, "segments": a.gsm_alternative.segments}
        ),
        "recipients": list(preview.recipients.valid),
        "invalid_recipients": invalid,
        "invalid_count": len(invalid),
        "cost_estimate": cost_fields(preview.cost, preview.api_ids)
        if preview.cost is not None
        else None,
        "cost_note": preview.cost_note
        or (why_no_estimate(preview) if preview.cost is None else None),
        "warnings": warnings,
    }
    variables = {
        "segments": a.segments,
        "encoding": a.encoding,
        "over_limit": a.over_limit,
        "estimated_cost": as_number(total),
        "warnings": warnings,
    }
    return ToolOutput(summary(preview), data, variables)


__all__ = [
    "LIMITS",
    "Preview",
    "present",
    "preview_from_params",
    "run",
    "why_no_estimate",
    "with_cost_estimate",
]
