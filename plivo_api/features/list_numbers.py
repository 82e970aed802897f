"""list_numbers: the numbers this account rents, filtered and paged as ``GET Number/`` allows.

Filters are Plivo's own (https://www.plivo.com/docs/numbers/api/account-phone-number/
list-all-my-numbers/): ``type``, ``number_startswith`` (digits with the country code, as Plivo
stores numbers), ``alias`` (exact) and ``services`` (every listed service must be enabled).
Searching for numbers to buy and buying them are deliberately not tools: a purchase charges at
once and every month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from .. import params as read
from ..errors import InputError
from ..params import Choice, Limits, Params
from ..resources.connect import client_from
from ..resources.numbers import RentedNumber, list_numbers, number_fields
from ..text import listed, shorten
from ..transport.paging import LIMIT_RANGE, OFFSET_RANGE, Page, page_summary
from . import Invocation, ToolOutput

ANY: Final = "any"
NUMBER_TYPES: Final = ("local", "tollfree", "mobile", "national", "fixed")
SERVICES: Final = ("sms", "voice", "mms")
PREFIX_MAX_DIGITS: Final = 15  # an E.164 number has at most 15 digits
TYPE_CHOICE: Final = Choice((ANY, *NUMBER_TYPES), ANY, case_insensitive=True)
LIMITS: Limits = {"type": TYPE_CHOICE, "limit": LIMIT_RANGE, "offset": OFFSET_RANGE}

_PREFIX_PUNCTUATION = re.compile(r"[\s().-]")
_SERVICE_SEPARATORS = re.compile(r"[\s,;/&+]+")
_SERVICE_QUOTES = "\"'`[]"
_AND_WORDS = frozenset({"and", "plus"})  # "sms and voice": every listed service, as Plivo reads it
_OR_WORDS = frozenset({"or"})


@dataclass(frozen=True)
class NumberQuery:
    number_type: str = ANY
    number_startswith: str | None = None
    alias: str | None = None
    services: tuple[str, ...] = ()
    limit: int = LIMIT_RANGE.maximum
    offset: int = 0

    def query(self) -> dict[str, str | int]:
        """The exact query string: only the filters given."""
        params: dict[str, str | int] = {"limit": self.limit, "offset": self.offset}
        if self.number_type != ANY:
            params["type"] = self.number_type
        if self.number_startswith:
            params["number_startswith"] = self.number_startswith
        if self.alias:
            params["alias"] = self.alias
        if self.services:
            params["services"] = ",".join(self.services)
        return params


def parse_prefix(value: str | None) -> str | None:
    """``+1 (415)`` → ``1415``: Plivo stores numbers as digits with the country code."""
    if value is None:
        return None
    digits = _PREFIX_PUNCTUATION.sub("", value).removeprefix("+")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > PREFIX_MAX_DIGITS:
        raise InputError(
            "number_startswith",
            f"number_startswith: {shorten(value, 40)!r} is not the start of a number; write "
            "digits with the country code, e.g. 1415 for San Francisco numbers.",
        )
    return digits


def parse_services(value: str | None) -> tuple[str, ...]:
    """``sms, voice``, ``sms and voice``, ``["sms", "voice"]`` (via :func:`read.text_items`)
    → ``("sms", "voice")``: the services a number must all have."""
    if value is None:
        return ()
    words = [part.strip(_SERVICE_QUOTES).lower() for part in _SERVICE_SEPARATORS.split(value)]
    given = [word for word in words if word and word not in _AND_WORDS]
    if any(word in _OR_WORDS for word in given):
        raise InputError(
            "services",
            f"services: {shorten(value, 40)!r} asks for one service or another, but Plivo "
            "returns only numbers with every listed service; list the numbers once per service "
            "instead (e.g. services sms, then services voice).",
        )
    unknown = [word for word in given if word not in SERVICES]
    if unknown:
        raise InputError(
            "services",
            f"services: {shorten(', '.join(unknown), 40)!r} is not a service; use sms, voice "
            "and/or mms, separated by commas.",
        )
    return tuple(dict.fromkeys(given))


def query_from_params(params: Params) -> NumberQuery:
    return NumberQuery(
        number_type=TYPE_CHOICE.read(params, "type"),
        number_startswith=parse_prefix(read.text(params, "number_startswith")),
        alias=read.text(params, "alias"),
        services=parse_services(read.text_items(params, "services")),
        limit=LIMIT_RANGE.read_int(params, "limit"),
        offset=OFFSET_RANGE.read_int(params, "offset"),
    )


def run(call: Invocation) -> ToolOutput:
    query = query_from_params(call.parameters)
    client = client_from(call.credentials)
    page = list_numbers(client, query.query())
    return present(query, page)


def present(query: NumberQuery, page: Page[RentedNumber]) -> ToolOutput:
    rows = [number_fields(number) for number in page.records]
    text = page_summary("numbers", page, query.offset, [str(row["number"]) for row in rows])
    blocked = [str(n.number) for n in page.records if n.sms_blocked_reason]
    if blocked:
        text += (
            f" US carriers block or filter texts from {listed(blocked)}: not registered for 10DLC "
            "or not verified for toll-free SMS (get_number says which)."
        )
    data: dict[str, object] = {
        "numbers": rows,
        "total_count": page.total_count,
        "next_offset": page.next_offset,
        "api_id": page.api_id,
    }
    variables = {
        "numbers": rows,
        "total_count": page.total_count,
        "next_offset": page.next_offset,
    }
    return ToolOutput(text, data, variables)


__all__ = ["LIMITS", "NumberQuery", "parse_prefix", "parse_services", "present", "run"]
