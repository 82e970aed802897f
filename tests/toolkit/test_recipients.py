"""The country list and the cap every paid-per-destination tool applies."""

from __future__ import annotations

import pytest

from plivo_api.errors import InputError
from plivo_api.messaging.numbers import MAX_RECIPIENTS
from plivo_api.toolkit.recipients import (
    RecipientPolicy,
    enforce_cap,
    outside_allowed,
    parse_allowed_countries,
)


def test_allowed_countries_are_read_like_default_country() -> None:
    assert parse_allowed_countries(" us, ca;uk ") == frozenset({"US", "CA", "GB"})
    assert parse_allowed_countries(None) == frozenset()
    with pytest.raises(InputError, match="allowed_countries: 'XX'") as caught:
        parse_allowed_countries("US, XX")
    assert caught.value.parameter == "allowed_countries"


def test_outside_allowed_names_the_country_and_the_list() -> None:
    assert outside_allowed(frozenset(), "+442079460018") is None
    assert outside_allowed(frozenset({"GB"}), "+442079460018") is None
    refused = outside_allowed(frozenset({"US", "CA"}), "+442079460018", verb="call")
    assert refused is not None
    assert refused.input == "+442079460018"
    assert refused.reason == (
        "in GB, outside the countries this tool may call (allowed_countries: CA, US)"
    )
    freephone = outside_allowed(frozenset({"US"}), "+80012345678")
    assert freephone is not None and freephone.reason.startswith("not in any country")


def test_the_cap_is_the_builders_setting_within_plivos_limit() -> None:
    assert RecipientPolicy(5).cap == 5
    assert RecipientPolicy(MAX_RECIPIENTS + 1).cap == MAX_RECIPIENTS
    enforce_cap(5, RecipientPolicy(5), per="per request", nothing="no call was placed")
    with pytest.raises(InputError) as caught:
        enforce_cap(6, RecipientPolicy(5), per="per request", nothing="no call was placed")
    assert caught.value.parameter == "to"
    assert str(caught.value).startswith(
        "to: 6 recipients exceed this tool's limit of 5 per request; no call was placed."
    )
    assert "'Max recipients'" in str(caught.value)


def test_a_premium_rate_number_is_never_reached_whatever_the_countries() -> None:
    for countries in (frozenset(), frozenset({"US"})):
        refused = outside_allowed(countries, "+19005550100")
        assert refused is not None and "premium-rate" in refused.reason
    assert outside_allowed(frozenset({"US"}), "+14155552671") is None
