"""What a send would cost and why, computed locally: no request, no credentials needed.

Only ``estimate_cost`` reaches Plivo (one Pricing GET per destination country). It is an extra:
without credentials, or when Plivo fails, the preview still succeeds and carries a note instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from . import params as read
from .credentials import client_for
from .errors import InputError, PlivoError
from .numbers import Recipients, parse_recipients, parse_region
from .outbound import SHOWN_RECIPIENTS
from .params import Params, message_text
from .pricing import CostEstimate, EstimateUnavailableError, estimate_cost
from .segments import SegmentAnalysis, analyze, describe_segments


@dataclass(frozen=True)
class Preview:
    analysis: SegmentAnalysis
    recipients: Recipients
    estimate_requested: bool = False
    cost: CostEstimate | None = None
    cost_note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            **self.analysis.to_dict(),
            "recipients": list(self.recipients.valid),
            "invalid_recipients": [i.to_dict() for i in self.recipients.invalid],
        }
        if self.estimate_requested:
            data["cost_estimate"] = self.cost.to_dict() if self.cost is not None else None
            data["cost_note"] = self.cost_note
        return data

    def summary(self) -> str:
        a = self.analysis
        segments = describe_segments(a)  # names UCS-2 and its cause itself
        line = f"{segments if a.encoding == 'UCS-2' else 'GSM-7, ' + segments}"
        line += f", {a.characters} characters"
        if a.over_limit:
            line += f"; over Plivo's limit of {a.limit} characters for {a.encoding}"
        if a.gsm_alternative is not None:
            alt = a.gsm_alternative.segments
            line += f"; replacing look-alike characters gives GSM-7 in {alt} segment"
            line += "" if alt == 1 else "s"
        valid, invalid = self.recipients.valid, self.recipients.invalid
        if valid or invalid:
            line += f"; {len(valid)} valid recipient{'' if len(valid) == 1 else 's'}"
            if invalid:
                line += f", {len(invalid)} invalid: " + ", ".join(
                    f"{i.input} ({i.reason})" for i in invalid[:SHOWN_RECIPIENTS]
                )
        if self.cost is not None and self.cost.total is not None:
            line += f". {self.cost.summary()}"
        elif self.cost_note:
            line += f". {self.cost_note}"
        return line.rstrip(".") + "."


def preview_from_params(params: Params) -> Preview:
    text = message_text(params)
    if not text:
        raise InputError("message", "message is empty: write the text to preview.")
    region = parse_region(read.text(params, "default_country"))
    to = read.text(params, "to")
    recipients = parse_recipients(to, region) if to else Recipients((), ())
    estimate = read.boolean(params, "estimate_cost", default=False)
    return Preview(analyze(text), recipients, estimate_requested=estimate)


def with_cost_estimate(preview: Preview, credentials: Mapping[str, object] | None) -> Preview:
    """Add ``cost_estimate`` (one Pricing GET per country); failures become ``cost_note``."""
    try:
        client = client_for(credentials)
    except PlivoError as error:
        return replace(
            preview,
            cost_note=f"No cost estimate: it needs the plugin's Plivo credentials ({error})",
        )

    def rate_for(country: str) -> Decimal | None:
        return client.get_pricing(country).sms_outbound_rate

    try:
        cost = estimate_cost(preview.recipients.valid, preview.analysis.segments, rate_for)
    except EstimateUnavailableError as error:
        return replace(preview, cost_note=f"No cost estimate: {error}")
    note = "; ".join(cost.notes) or None
    if note is not None:
        note = f"Cost estimate incomplete: {note}"
    return replace(preview, cost=cost, cost_note=note)
