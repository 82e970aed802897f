"""preview_sms: what a send would cost and why, computed locally; nothing is sent.

Only ``estimate_cost`` reaches Plivo (one Pricing GET per destination country). It is an extra:
without credentials, or when Plivo fails, the preview still succeeds and carries a note instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from .. import params as read
from ..connect import client_from
from ..errors import InputError, PlivoError
from ..jsonvalues import as_number
from ..numbers import Recipients, parse_recipients, parse_region
from ..params import Limits, Params, message_text
from ..present import invalid_recipient_fields, invalid_summary, plural
from ..pricing import CostEstimate, EstimateUnavailableError, estimate_cost
from ..resources.pricing import get_pricing
from ..segments import SegmentAnalysis, analyze, describe_limit, describe_segments
from . import Invocation, ToolOutput

LIMITS: Limits = {}


@dataclass(frozen=True)
class Preview:
    analysis: SegmentAnalysis
    recipients: Recipients
    estimate_requested: bool = False
    cost: CostEstimate | None = None
    cost_note: str | None = None
    api_ids: Mapping[str, str | None] = field(default_factory=dict)  # per priced country


def preview_from_params(params: Params) -> Preview:
    text = message_text(params)
    if not text:
        raise InputError("message", "message is empty: write the text to preview.")
    region = parse_region(read.text(params, "default_country"))
    to = read.text_items(params, "to")
    recipients = parse_recipients(to, region) if to else Recipients((), ())
    estimate = read.boolean(params, "estimate_cost", default=False)
    return Preview(analyze(text), recipients, estimate_requested=estimate)


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
        cost = estimate_cost(preview.recipients.valid, preview.analysis.segments, rate_for)
    except EstimateUnavailableError as error:
        return replace(preview, cost_note=f"No cost estimate: {error}")
    note = "; ".join(cost.notes) or None
    if note is not None:
        note = f"Cost estimate incomplete: {note}"
    return replace(preview, cost=cost, cost_note=note, api_ids=api_ids)


def run(call: Invocation) -> ToolOutput:
    preview = preview_from_params(call.parameters)
    if preview.estimate_requested:
        preview = with_cost_estimate(preview, call.credentials)
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
    if preview.cost is not None and preview.cost.total is not None:
        line += f". {preview.cost.summary()}"
    elif preview.cost_note:
        line += f". {preview.cost_note}"
    return line.rstrip(".") + "."


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
        "cost_note": preview.cost_note,
    }
    variables = {
        "segments": a.segments,
        "encoding": a.encoding,
        "over_limit": a.over_limit,
        "estimated_cost": as_number(total),
    }
    return ToolOutput(summary(preview), data, variables)


__all__ = ["LIMITS", "Preview", "present", "preview_from_params", "run", "with_cost_estimate"]
