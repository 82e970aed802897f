"""E.164 ↔ Plivo's digits: the one conversion every request and every shown number uses."""

from __future__ import annotations

import pytest

from plivo_api.messaging.digits import display_number, to_plivo
from plivo_api.messaging.numbers import normalize_number

US = "+14155552671"


def test_to_plivo_drops_the_plus() -> None:
    assert to_plivo(US) == "14155552671"
    assert to_plivo(normalize_number("020 7946 0018", "GB")) == "442079460018"


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        (" +14155550100 ", "14155550100"),  # a number typed into the trigger's form
        ("14155550100", "14155550100"),  # already Plivo's digits
        ("ACME", "ACME"),  # an alphanumeric sender ID
        ("12345", "12345"),  # a short code
        ("+ACME", "+ACME"),  # not a number: nothing removed
        ("", ""),
    ],
)
def test_to_plivo_keeps_what_is_not_a_number(given: str, sent: str) -> None:
    assert to_plivo(given) == sent


def test_display_number_is_the_inverse_for_real_numbers() -> None:
    assert display_number(to_plivo(US)) == US
    assert display_number("12345") == "12345"
