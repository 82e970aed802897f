"""Destination numbers as people and LLM agents type them, turned into what Plivo's ``dst`` needs.

Plivo reads the leading digits of ``dst`` as the country code and never guesses a country, so a
national-format number is misrouted or rejected
(https://www.plivo.com/docs/messaging/api/message/send-a-message). Everything is therefore
normalised to E.164 here, before any request, and every entry that cannot be sent is reported
with the text the user typed and a short reason instead of being silently dropped.

Reading rules (``normalize_number``):

- ``+``, ``00`` and ``011`` mark an international number whatever ``default_country`` says.
  One exception: with a non-NANP default country, ``011`` is first read as a national number
  (``0114 496 0123`` is Sheffield, ``011 2345 6789`` is Delhi) and only read as the NANP
  international prefix when the national reading is not a valid number.
- Without ``default_country`` a number with no prefix is read country-code-first, exactly as
  Plivo reads it (``14155552671`` is ``+14155552671``; beware ``4155552671`` is then Swiss). A
  leading ``0`` cannot start a country code, so such a number is reported as national.
- With ``default_country`` it is read as a national number of that region; phonenumbers also
  recognises the region's own international prefix (e.g. ``0011`` for AU).
- Formatting (spaces, dashes, dots, brackets, ``(0)``), full-width characters, Unicode digits
  (e.g. Arabic-Indic), invisible format characters and a ``tel:`` prefix are tolerated.
- Rejected: letters, including vanity numbers such as ``1-800-FLOWERS`` (a mistyped O/0 or l/1
  would silently become another number; write the digits); extensions, because SMS cannot reach
  one; control characters; numbers longer than Plivo's 14 digits; anything phonenumbers does not
  consider a valid number.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumber, ValidationResult
from phonenumbers import re_util as _phonenumbers_re

from ..errors import InputError
from ..params import UNRESOLVED_VARIABLE
from ..text import shorten

MAX_RECIPIENTS = 1000
"""Plivo's cap on unique destinations per request; callers enforce it."""

MMS_REGIONS = frozenset({"US", "CA"})
"""Plivo delivers MMS only to US and Canadian numbers."""

PLIVO_MAX_DIGITS = 14
"""Plivo rejects a sanitised ``dst``/``src`` longer than this, although E.164 allows 15."""

MAX_NUMBER_CHARS = 64
"""Longer text is not a phone number; the bound keeps pathological input cheap."""

PARSED_CACHE_SIZE = 2 * 1000
"""Numbers whose parse is kept: every recipient of the largest send, checked by several rules."""

MIN_DIGITS = 3
"""Fewer digits is "too short" before phonenumbers would call it "not a number"."""

_MIN_LENGTH_FOR_NSN = 2  # phonenumbers' bounds on a national significant number
_MAX_LENGTH_FOR_NSN = 17
_MAX_LENGTH_COUNTRY_CODE = 3

STANDALONE_MIN_DIGITS = 8
"""Space-separated pieces with at least this many digits each are separate numbers: two such
pieces together would have 16 or more digits, more than any E.164 number."""


# phonenumbers compiles its metadata patterns on every use, which Python's bounded cache of
# compiled expressions mostly answers; its own cache (where this version has one) keeps them
# all and halves the time of classifying a number. Same patterns, same results.
_enable_pattern_cache = getattr(_phonenumbers_re, "enable_pattern_cache", None)
if _enable_pattern_cache is not None:
    _enable_pattern_cache()

# Also the full-width, small, ideographic and Arabic commas and semicolons.
_HARD_SEPARATORS = re.compile(
    r"[,;<\n\r\v\f\x1c-\x1e\x85\u2028\u2029\uff0c\uff1b\u3001\u060c\u061b\ufe50\ufe54]"
)
_SPACE_BEFORE_PLUS = re.compile(r"\s+(?=[+\uff0b\ufe62])")  # also full-width and small plus
# "+1 415 555 2671 and +44 20 7946 0030": words people and models put between numbers.
# Also the Spanish, Portuguese, Italian, French and German words, and the full-width ampersand.
_CONJUNCTIONS = re.compile(r"\s+(?:and|or|&|\uff06|plus|y|o|e|ou|et|und|oder)\s+", re.IGNORECASE)
# "Mobile: +1 415 ...", "Phone 1: ...", "Mr. Smith: ...": a label before a number is not one.
_LABEL = re.compile(r"(?<!\S)[^\W\d_][^\W_]*(?:[ .'-]+[^\W_]+){0,3}\.?\s*:\s*(?=[+(\d\uff0b])")
# "1. +1 415 ...", "2) ...", "- ...", "• ...": list markers at the start of a line.
_LIST_MARKER = re.compile(r"^\s*(?:\d{1,3}[.)]|[-*\u2022\u00b7\u25aa\u25e6\u2023\u2013\u2014])\s+")
_QUOTES = "\"'`\u201c\u201d\u2018\u2019\u00ab\u00bb"
# "+" and ASCII digits only: what a well-formed E.164 list holds, read by the fast path.
_PLUS_DIGITS = re.compile(r"\+[0-9]{3,17}")
# Hyphens and dashes (U+2010..U+2015, minus U+2212), dots, brackets, slashes, tildes.
_NUMBER_PUNCTUATION = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212.()[]/~\u2053\u223c")
_TEL_PREFIX = "tel:"
_EXTENSION_PROBE_REGION = "US"  # extension markers ("ext", "x", "#") are the same for every region

REASON_EMPTY = "empty"
REASON_TOO_SHORT = "too short"
REASON_TOO_LONG = "too long"
REASON_UNKNOWN_COUNTRY_CODE = "unknown country code"
REASON_NOT_A_NUMBER = "not a phone number"
REASON_LETTERS = "contains letters (write the number with digits only)"
REASON_CONTROL = "contains control characters"
REASON_EXTENSION = "has an extension (SMS cannot be sent to extensions)"
REASON_NATIONAL = (
    "national number without a country code: write it with + and the country code; if you do "
    "not know the country, ask the user"
)
REASON_NO_COUNTRY_CODE = (
    "no valid country code: write it with + and the country code; if you do not know the "
    "country, ask the user"
)
_WITHOUT_COUNTRY_CODE = {
    REASON_NATIONAL: "national number without a country code",
    REASON_NO_COUNTRY_CODE: "no valid country code",
}

LIKELY_REGIONS = ("US", "GB", "CA", "AU")
"""Where a number written without its country code most likely belongs, when no default country
says: the countries Plivo opens to SMS by default (US and Canada for new accounts, also the UK and
Australia for older ones). A number is only ever suggested, never sent, on this guess."""
REASON_UNRESOLVED = "unresolved workflow variable: the variable it refers to was empty or never set"
REASON_TOO_LONG_FOR_PLIVO = f"too long for Plivo (at most {PLIVO_MAX_DIGITS} digits)"

_PARSE_ERROR_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: REASON_UNKNOWN_COUNTRY_CODE,
    NumberParseException.NOT_A_NUMBER: REASON_NOT_A_NUMBER,
    NumberParseException.TOO_SHORT_AFTER_IDD: REASON_TOO_SHORT,
    NumberParseException.TOO_SHORT_NSN: REASON_TOO_SHORT,
    NumberParseException.TOO_LONG: REASON_TOO_LONG,
}


class InvalidNumberError(InputError):
    """A single number cannot be sent to; ``reason`` is the short text shown per recipient, and
    ``kind`` the bare ``REASON_*`` constant it starts from (``reason`` may add the likely
    reading)."""

    def __init__(
        self, reason: str, number: str = "", parameter: str = "to", *, kind: str | None = None
    ) -> None:
        advice = (
            ""
            if "write it" in reason
            else " Write it in international format with the country code, e.g. +14155552671."
        )
        super().__init__(
            parameter,
            f"{parameter}: '{shorten(number)}' is not a usable phone number: {reason}.{advice}",
        )
        self.reason = reason
        self.kind = kind or reason
        self.number = number


@dataclass(frozen=True)
class InvalidRecipient:
    """An entry that will not be sent, with what the user typed (shortened if huge)."""

    input: str
    reason: str


@dataclass(frozen=True)
class Recipients:
    """Unique E.164 destinations in first-seen order, plus the entries that were dropped."""

    valid: tuple[str, ...]
    invalid: tuple[InvalidRecipient, ...]


def parse_region(value: str | None, parameter: str = "default_country") -> str | None:
    """Validate an ISO 3166 alpha-2 code; ``UK`` (ISO's reserved code) is accepted as ``GB``."""
    if value is None or not value.strip():
        return None
    region = value.strip().upper()
    if region == "UK":
        return "GB"
    if len(region) == 2 and region.isascii() and region in phonenumbers.SUPPORTED_REGIONS:
        return region
    raise InputError(
        parameter,
        f"{parameter}: '{shorten(value.strip())}' is not a known country; use a two-letter "
        "ISO 3166 code such as US, GB or IN.",
    )


def split_destinations(raw: str) -> list[str]:
    """Split a ``to`` field into the pieces that are meant as separate numbers.

    1. Commas, semicolons, line breaks and ``<`` (Plivo's own separator) always separate; so do
       their full-width, ideographic and Arabic forms.
    2. Inside such a chunk, a ``+`` after whitespace starts a new number (``+`` only ever opens
       a number): ``+1 415 555 2671 +44 20 7946 0018`` is two numbers.
    3. Otherwise whitespace separates only when every whitespace-separated piece holds at least
       ``STANDALONE_MIN_DIGITS`` digits: ``14155552671 442079460018`` is two numbers, while
       ``+1 415 555 2671`` and ``020 7946 0018`` are one each.

    Before that, words such as "and", "or", "&" between numbers separate; list markers (``1.``,
    ``-``, ``•``), labels (``Mobile:``) and quotes around a number are dropped; and in a chunk
    that holds a number, a word without any digit (``Tel.``, ``Mobile``) is a label too. Empty
    pieces are dropped; the pieces keep their original text for error reports.
    """
    pieces: list[str] = []
    for chunk in _HARD_SEPARATORS.split(_CONJUNCTIONS.sub("\n", raw)):
        chunk = _LABEL.sub("", _LIST_MARKER.sub("", chunk)).strip()
        parts = [p.strip().strip(_QUOTES).strip() for p in _SPACE_BEFORE_PLUS.split(chunk)]
        if any(_digit_count(p) for p in parts):
            parts = [p for p in parts if _digit_count(p) or UNRESOLVED_VARIABLE.search(p)]
        for part in parts:
            if not part:
                continue
            words = part.split()
            if len(words) > 1 and all(_digit_count(w) >= STANDALONE_MIN_DIGITS for w in words):
                pieces.extend(words)
            else:
                pieces.append(part)
    return pieces


def normalize_number(raw: str, default_country: str | None = None) -> str:
    """Return ``raw`` as E.164 (``+14155552671``) or raise ``InvalidNumberError``.

    See the module docstring for the reading rules.
    """
    return _normalize(raw, parse_region(default_country))


def parse_recipients(raw: str, default_country: str | None = None) -> Recipients:
    """Split, normalise and de-duplicate a ``to`` field; never raises for a bad number.

    Raises ``InputError`` only for an unusable ``default_country``. Duplicates are compared in
    E.164, so ``+1 415 555 2671`` and ``(415) 555-2671`` (default US) count once; repeated
    invalid entries are reported once. The ``MAX_RECIPIENTS`` cap is left to the caller.
    """
    region = parse_region(default_country)
    valid: dict[str, None] = {}
    invalid: dict[str, InvalidRecipient] = {}
    outcomes: dict[str, str | InvalidRecipient] = {}
    for piece in split_destinations(raw):
        outcome = outcomes.get(piece)
        if outcome is None:
            try:
                outcome = _normalize(piece, region)
            except InvalidNumberError as error:
                outcome = InvalidRecipient(shorten(piece), error.reason)
            outcomes[piece] = outcome
        if isinstance(outcome, str):
            valid.setdefault(outcome)
        else:
            invalid.setdefault(piece, outcome)
    return Recipients(valid=tuple(valid), invalid=tuple(invalid.values()))


def region_code(e164: str) -> str | None:
    """ISO region of a number (``+14155552671`` → ``US``), for pricing and the MMS rule.

    Accepts Plivo's digits-only form too (``14155552671``, as in ``to_number``). ``None`` when
    the number is invalid or belongs to no country (e.g. +800 international freephone).
    """
    number = _parsed_international(e164)
    if number is None:
        return None
    region = phonenumbers.region_code_for_number(number)
    return region if region in phonenumbers.SUPPORTED_REGIONS else None


def is_premium_rate(e164: str) -> bool:
    """Whether a number is premium-rate (``+1 900``, ``+44 909``): reaching it costs far more,
    and is how SMS pumping and toll fraud make money."""
    return _number_type(e164) == phonenumbers.PhoneNumberType.PREMIUM_RATE


@functools.lru_cache(maxsize=PARSED_CACHE_SIZE)
def _parsed_international(e164: str) -> PhoneNumber | None:
    """A number in international form (``+`` optional), parsed once however many rules ask."""
    text = e164.strip()
    if not text.startswith("+"):
        text = "+" + text
    if _PLUS_DIGITS.fullmatch(text):
        number = _plus_digits_number(text[1:])
        if number is not None:
            return number
    try:
        return phonenumbers.parse(text, None)
    except NumberParseException:
        return None


@functools.lru_cache(maxsize=PARSED_CACHE_SIZE)
def _number_type(e164: str) -> int:
    """phonenumbers' type of a number in international form; ``UNKNOWN`` exactly when it is not
    a valid number (``is_valid_number`` and ``number_type`` test the same patterns), so one
    look answers both "valid?" and "premium-rate?"."""
    number = _parsed_international(e164)
    if number is None:
        return phonenumbers.PhoneNumberType.UNKNOWN
    return phonenumbers.number_type(number)


def _plus_digits_number(digits: str) -> PhoneNumber | None:
    """``phonenumbers.parse("+" + digits, None)`` for ASCII ``digits``, without the work that
    free-form text needs (about a fifth of the time); ``None``: let ``parse`` decide.

    ``parse`` takes the first 1 to 3 digits that are a country calling code, then strips a
    national prefix from the rest when the country's ``national_prefix_for_parsing`` matches its
    start (``+44 0 20 ...``). Without such a match nothing is stripped and the number is the
    country code plus the rest as written; with one, or when the rest is too short or too long,
    ``parse`` is asked instead. A test compares both on generated numbers.
    """
    if digits.startswith("0") or len(digits) <= _MIN_LENGTH_FOR_NSN:
        return None
    for size in range(1, _MAX_LENGTH_COUNTRY_CODE + 1):
        country_code = int(digits[:size])
        if country_code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return None
    national = digits[size:]
    if not _MIN_LENGTH_FOR_NSN <= len(national) <= _MAX_LENGTH_FOR_NSN:
        return None
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(
        country_code, phonenumbers.region_code_for_country_code(country_code)
    )
    if metadata is None:
        return None
    if metadata.national_prefix_for_parsing and _prefix_pattern(
        metadata.national_prefix_for_parsing
    ).match(national):
        return None
    number = PhoneNumber(country_code=country_code, national_number=int(national))
    if len(national) > 1 and national[0] == "0":  # as parse keeps leading zeros (Italy)
        number.italian_leading_zero = True
        zeros = len(national) - len(national.lstrip("0"))
        zeros = min(zeros, len(national) - 1)  # an all-zero number keeps its last zero
        if zeros != 1:
            number.number_of_leading_zeros = zeros
    return number


@functools.cache
def _prefix_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def is_mms_capable(e164: str) -> bool:
    """Plivo sends MMS only to US and Canadian destinations."""
    return region_code(e164) in MMS_REGIONS


def _normalize(raw: str, region: str | None) -> str:
    """``normalize_number`` with an already validated region (checked once per request)."""
    stripped = raw.strip()
    if _PLUS_DIGITS.fullmatch(stripped):
        # Already "+" and digits, as in most long lists: read it once, through the same cached
        # parse and type the recipient rules use. A number this cannot accept is read the full
        # way below, which gives the same answer (a test holds both to it) and the reason.
        e164 = _valid_international(stripped)
        if e164 is not None and len(e164) - 1 <= PLIVO_MAX_DIGITS:
            return e164
    return _normalize_text(stripped, raw, region)


def _valid_international(text: str) -> str | None:
    """E.164 of a valid number in international form, else None."""
    number = _parsed_international(text)
    if number is None or _number_type(text) == phonenumbers.PhoneNumberType.UNKNOWN:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _normalize_text(stripped: str, raw: str, region: str | None) -> str:
    """The full reading of any text (see the module docstring)."""
    if not stripped:
        raise InvalidNumberError(REASON_EMPTY, raw)
    if len(stripped) > MAX_NUMBER_CHARS:
        raise InvalidNumberError(REASON_TOO_LONG, stripped)
    if UNRESOLVED_VARIABLE.search(stripped):
        raise InvalidNumberError(REASON_UNRESOLVED, stripped)
    text = _clean(stripped)
    if not text:
        raise InvalidNumberError(REASON_EMPTY, raw)
    if any(unicodedata.category(ch) == "Cc" and not ch.isspace() for ch in text):
        raise InvalidNumberError(REASON_CONTROL, stripped)
    if any(not _is_number_char(ch) for ch in text):
        if _has_extension(text, region):
            raise InvalidNumberError(REASON_EXTENSION, stripped)
        if any(ch.isalpha() for ch in text):
            raise InvalidNumberError(REASON_LETTERS, stripped)
        raise InvalidNumberError(REASON_NOT_A_NUMBER, stripped)
    if not any(ch.isdigit() for ch in text) or not _plus_is_leading(text):
        raise InvalidNumberError(REASON_NOT_A_NUMBER, stripped)
    if _digit_count(text) < MIN_DIGITS:
        raise InvalidNumberError(REASON_TOO_SHORT, stripped)

    first_reason: str | None = None
    for candidate, candidate_region in _readings(text, region):
        try:
            e164 = _parse_valid(candidate, candidate_region)
        except InvalidNumberError as error:
            if error.reason == REASON_EXTENSION:
                raise InvalidNumberError(REASON_EXTENSION, stripped) from None
            first_reason = first_reason or error.reason
            continue
        if len(e164) - 1 > PLIVO_MAX_DIGITS:
            raise InvalidNumberError(REASON_TOO_LONG_FOR_PLIVO, stripped)
        return e164
    prefix, rest = _international_prefix(text)
    if region is None and not prefix and not rest.startswith("0") and _digit_count(text) >= 9:
        # Read country-code-first, "4155552671" is a short Swiss number: the likely truth is a
        # national number written without its country code, and that is what to say.
        raise InvalidNumberError(
            _explained(REASON_NO_COUNTRY_CODE, text, region), stripped, kind=REASON_NO_COUNTRY_CODE
        )
    reason = first_reason or REASON_NATIONAL
    raise InvalidNumberError(
        reason if prefix else _explained(reason, text, region), stripped, kind=reason
    )


def _explained(reason: str, text: str, region: str | None) -> str:
    """``reason`` with the number as the user most likely meant it, when a reading is valid.

    Only for a number written without an international prefix: under ``default_country`` the
    international reading (``447400123456`` under US is ``+44 7400 123456``), then the national
    reading in :data:`LIKELY_REGIONS` (``0207 946 0030`` is ``+44 20 7946 0030`` in GB). "Too
    long" under a default country also says what to do about a number from elsewhere.
    """
    too_long = region is not None and reason == REASON_TOO_LONG
    base = f"too long for a {region} number" if too_long else _WITHOUT_COUNTRY_CODE.get(reason)
    if base is None:
        return reason
    meant = _likely_meant(text, region)
    if not meant:
        if too_long:
            return (
                f"{base}: check the digits; if it is from another country, write it with + and "
                "the country code"
            )
        return reason
    (country, number), *others = meant
    readings = f"if it is a {country} number, write it as {number}"
    readings += "".join(f"; if a {country} number, as {number}" for country, number in others)
    return (
        f"{base}: {readings}; if it is from elsewhere, use + and its country code, or ask the user"
    )


def _likely_meant(text: str, region: str | None) -> list[tuple[str, str]]:
    """(country, number in international format) of each valid reading, most likely first."""
    digits = "".join(ch for ch in text if ch.isdigit())
    candidates: list[tuple[str, str | None]] = []
    if region is not None and not digits.startswith("0"):
        candidates.append(("+" + digits, None))
    candidates.extend((digits, likely) for likely in LIKELY_REGIONS if likely != region)
    found: dict[str, str] = {}
    for candidate, candidate_region in candidates:
        try:
            number = phonenumbers.parse(candidate, candidate_region)
        except NumberParseException:
            continue
        if number.extension or not phonenumbers.is_valid_number(number):
            continue
        international = phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        country = phonenumbers.region_code_for_number(number)
        if country is not None:
            found.setdefault(international, country)
    return [(country, number) for number, country in found.items()]


def _readings(text: str, region: str | None) -> list[tuple[str, str | None]]:
    """Candidate (text, region) pairs for phonenumbers, most likely first; [] = national."""
    prefix, rest = _international_prefix(text)
    international = ("+" + rest, None)
    if prefix == "+":
        return [international]
    if region is None:
        if prefix:
            return [international]
        return [] if rest.startswith("0") else [("+" + rest, None)]
    national = (text, region)
    if prefix == "00":
        return [international, national]
    if prefix == "011":
        nanp = phonenumbers.country_code_for_region(region) == 1
        return [international, national] if nanp else [national, international]
    return [national]


def _international_prefix(text: str) -> tuple[str, str]:
    """Split off a leading ``+``, ``011`` or ``00`` (after any opening punctuation)."""
    start = 0
    while start < len(text) and (text[start].isspace() or text[start] in _NUMBER_PUNCTUATION):
        start += 1
    body = text[start:]
    for prefix in ("+", "011", "00"):
        if body.startswith(prefix):
            return prefix, body[len(prefix) :]
    return "", body


def _parse_valid(candidate: str, region: str | None) -> str:
    try:
        number = phonenumbers.parse(candidate, region)
    except NumberParseException as error:
        reason = _PARSE_ERROR_REASONS.get(error.error_type, REASON_NOT_A_NUMBER)
        raise InvalidNumberError(reason, candidate) from None
    if number.extension:
        raise InvalidNumberError(REASON_EXTENSION, candidate)
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise InvalidNumberError(_invalid_reason(number, national=region is not None), candidate)


def _invalid_reason(number: PhoneNumber, *, national: bool) -> str:
    calling_code = number.country_code or 0
    region = phonenumbers.region_code_for_country_code(calling_code)
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible == ValidationResult.INVALID_COUNTRY_CODE or region == "ZZ":
        return REASON_UNKNOWN_COUNTRY_CODE
    # Non-geographic codes (+800, +882, ...) have the pseudo-region "001".
    country = region if region in phonenumbers.SUPPORTED_REGIONS else f"+{calling_code}"
    if possible == ValidationResult.TOO_SHORT:
        return REASON_TOO_SHORT
    if possible == ValidationResult.TOO_LONG:
        return REASON_TOO_LONG
    if possible == ValidationResult.IS_POSSIBLE_LOCAL_ONLY and national:
        return f"too short for {country} (area code missing?)"
    if possible == ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        return REASON_TOO_SHORT
    if possible == ValidationResult.INVALID_LENGTH:
        return f"wrong length for {country}"
    return f"not a valid number for {country}"


def _has_extension(text: str, region: str | None) -> bool:
    try:
        number = phonenumbers.parse(text, region or _EXTENSION_PROBE_REGION)
    except NumberParseException:
        return False
    return bool(number.extension)


def _clean(text: str) -> str:
    """Fold full-width forms, map any Unicode digit to ASCII, drop invisible format marks."""
    folded = unicodedata.normalize("NFKC", text)
    if folded[:4].lower() == _TEL_PREFIX:
        folded = folded[4:]
    out = []
    for ch in folded:
        if ch.isascii():
            out.append(ch)
        elif ch.isdecimal():
            out.append(str(unicodedata.decimal(ch)))
        elif unicodedata.category(ch) != "Cf":
            out.append(ch)
    return "".join(out).strip()


def _is_number_char(ch: str) -> bool:
    return (ch.isascii() and ch.isdigit()) or ch == "+" or ch.isspace() or ch in _NUMBER_PUNCTUATION


def _plus_is_leading(text: str) -> bool:
    plus = text.count("+")
    return plus == 0 or (plus == 1 and _international_prefix(text)[0] == "+")


def _digit_count(text: str) -> int:
    return sum(map(str.isdecimal, text))


__all__ = [
    "LIKELY_REGIONS",
    "MAX_NUMBER_CHARS",
    "MAX_RECIPIENTS",
    "MMS_REGIONS",
    "PLIVO_MAX_DIGITS",
    "InvalidNumberError",
    "InvalidRecipient",
    "Recipients",
    "is_mms_capable",
    "is_premium_rate",
    "normalize_number",
    "parse_recipients",
    "parse_region",
    "region_code",
    "split_destinations",
]
