"""Pricing: number rental and per-prefix voice rates (an answer shaped like Plivo's SDK fixture
pricingGetResponse)."""

from __future__ import annotations

from decimal import Decimal

from plivo_api.features import get_pricing
from plivo_api.resources.pricing import PrefixRate, Pricing, Rate

US = {
    "api_id": "25b3d816-1c9f-11e4-bd8a-12313f016a39",
    "country": "United States",
    "country_code": 1,
    "country_iso": "US",
    "message": {"inbound": {"rate": "0.00000"}, "outbound": {"rate": "0.00650"}},
    "phone_numbers": {"local": {"rate": "0.80000"}, "tollfree": {"rate": "1.00000"}},
    "voice": {
        "inbound": {"local": {"rate": "0.00850"}},
        "outbound": {
            "local": {"rate": "0.01200"},
            "rates": [
                {"prefix": ["1"], "rate": "0.01200"},
                {"prefix": ["1907"], "rate": "0.17900"},
                {"prefix": "1900", "rate": "0.60300"},  # one prefix written as text
                {"prefix": [], "rate": "0.5"},  # no prefix: nothing to apply it to
                {"prefix": ["1340"]},  # no rate
                "junk",
            ],
        },
    },
}


def test_rental_and_prefix_rates_are_read() -> None:
    pricing = Pricing.from_json(US)
    assert pricing.number_rental == (
        Rate("local", Decimal("0.80000")),
        Rate("tollfree", Decimal("1.00000")),
    )
    assert pricing.voice_outbound_prefixes == (
        PrefixRate(("1",), Decimal("0.01200")),
        PrefixRate(("1907",), Decimal("0.17900")),
        PrefixRate(("1900",), Decimal("0.60300")),
    )
    assert [rate.name for rate in pricing.voice_outbound] == ["local"]  # "rates" is not a kind


def test_get_pricing_shows_them() -> None:
    output = get_pricing.present(Pricing.from_json(US))
    assert output.json["number_rental_rates"] == [
        {"name": "local", "rate": 0.8},
        {"name": "tollfree", "rate": 1.0},
    ]
    assert output.json["voice_outbound_prefix_rates"][1] == {"prefixes": ["1907"], "rate": 0.179}
    assert "voice outbound by number prefix: 1 0.01200, 1907 0.17900, 1900 0.60300" in output.text
    assert "number rental per month: local 0.80000, tollfree 1.00000" in output.text


def test_a_price_list_without_them_is_empty_not_an_error() -> None:
    pricing = Pricing.from_json({"country_iso": "XX", "phone_numbers": "n/a", "voice": []})
    assert (pricing.number_rental, pricing.voice_outbound_prefixes) == ((), ())
