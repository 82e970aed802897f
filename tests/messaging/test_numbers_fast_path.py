"""The fast reading of "+digits" input gives exactly what the full reading and phonenumbers give.

Bulk sends are mostly lists already in E.164; ``numbers`` reads those without the work free-form
text needs. Every answer must be the same: the E.164 form or the refusal reason, the region,
and whether the number is premium-rate (never texted or called).
"""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plivo_api.messaging import numbers
from plivo_api.messaging.numbers import InvalidNumberError

COUNTRY_CODES = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
PREMIUM_EXAMPLES = sorted(
    phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    for region in phonenumbers.SUPPORTED_REGIONS
    if (
        example := phonenumbers.example_number_for_type(
            region, phonenumbers.PhoneNumberType.PREMIUM_RATE
        )
    )
)
TYPE_EXAMPLES = sorted(
    phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    for region in phonenumbers.SUPPORTED_REGIONS
    for kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.VOIP,
    )
    if (example := phonenumbers.example_number_for_type(region, kind))
)


def full_reading(text: str) -> str:
    """What the full reading of any text says: the E.164 form or the reason it is refused."""
    try:
        return numbers._normalize_text(text.strip(), text, None)
    except InvalidNumberError as error:
        return f"refused: {error.reason}"


def fast_reading(text: str) -> str:
    numbers._parsed_international.cache_clear()
    numbers._number_type.cache_clear()
    try:
        return numbers._normalize(text, None)
    except InvalidNumberError as error:
        return f"refused: {error.reason}"


def reference_facts(text: str) -> tuple[str | None, bool]:
    """Region and premium-rate straight from phonenumbers.parse, as before the fast path."""
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None, False
    region = phonenumbers.region_code_for_number(parsed)
    premium = phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.PREMIUM_RATE
    return (region if region in phonenumbers.SUPPORTED_REGIONS else None), premium


def assert_same(text: str) -> None:
    assert fast_reading(text) == full_reading(text), text
    numbers._parsed_international.cache_clear()
    numbers._number_type.cache_clear()
    assert (numbers.region_code(text), numbers.is_premium_rate(text)) == reference_facts(text)
    digits = text[1:]
    built = numbers._plus_digits_number(digits)
    if built is not None:
        assert built == phonenumbers.parse(text, None), text


# A country code, then digits (sometimes a national prefix such as 0 or 1 first).
plus_numbers = st.builds(
    lambda code, prefix, rest: f"+{code}{prefix}{rest}",
    st.sampled_from(COUNTRY_CODES),
    st.sampled_from(["", "", "", "0", "1", "00", "8"]),
    st.text("0123456789", min_size=0, max_size=15),
)
# Premium-rate and other real numbers with their last digits changed.
mutated_examples = st.builds(
    lambda number, cut, tail: number[: max(2, len(number) - cut)] + tail,
    st.sampled_from(PREMIUM_EXAMPLES + TYPE_EXAMPLES),
    st.integers(0, 5),
    st.text("0123456789", max_size=6),
)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(plus_numbers, mutated_examples, st.from_regex(r"\+[0-9]{1,18}", fullmatch=True)))
def test_fast_reading_matches_the_full_reading_and_phonenumbers(text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize("text", PREMIUM_EXAMPLES)
def test_every_countrys_premium_rate_example_is_still_refused(text: str) -> None:
    assert_same(text)
    assert numbers.is_premium_rate(text)


def test_every_countrys_example_numbers_read_the_same() -> None:
    for text in TYPE_EXAMPLES:
        assert_same(text)
