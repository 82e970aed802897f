"""What a send would cost and why, computed locally: no request, no credentials needed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import params as read
from .numbers import Recipients, parse_recipients, parse_region
from .outbound import describe_segments, message_text
from .params import Params
from .segments import SegmentAnalysis, analyze


@dataclass(frozen=True)
class Preview:
    analysis: SegmentAnalysis
    recipients: Recipients

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.analysis.to_dict(),
            "recipients": list(self.recipients.valid),
            "invalid_recipients": [i.to_dict() for i in self.recipients.invalid],
        }

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
                    f"{i.input} ({i.reason})" for i in invalid[:5]
                )
        return line + "."


def preview_from_params(params: Params) -> Preview:
    text = message_text(params)
    if not text:
        raise read.InputError("message", "message is empty: write the text to preview.")
    region = parse_region(read.text(params, "default_country"))
    to = read.text(params, "to")
    recipients = parse_recipients(to, region) if to else Recipients((), ())
    return Preview(analyze(text), recipients)
