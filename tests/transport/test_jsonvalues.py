"""Plivo's JSON read defensively: odd or missing values become None, never an exception."""

from __future__ import annotations

from decimal import Decimal

import pytest

from plivo_api.transport.jsonvalues import (
    as_number,
    bool_of,
    decimal_of,
    int_of,
    mapping_of,
    str_of,
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [({"k": "x"}, "x"), ({"k": 5}, "5"), ({"k": ""}, None), ({"k": None}, None), ({}, None)],
)
def test_str_of(data: dict[str, object], expected: str | None) -> None:
    assert str_of(data, "k") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.00500", Decimal("0.00500")),
        (" 1.5 ", Decimal("1.5")),
        (2, Decimal(2)),
        (0.5, Decimal("0.5")),
        ("n/a", None),
        ("", None),
        (None, None),
        (True, None),
        ("NaN", None),
        ("sNaN", None),
        ("Infinity", None),
        ("-inf", None),
    ],
)
def test_decimal_of_keeps_finite_values_exact(value: object, expected: Decimal | None) -> None:
    assert decimal_of(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3),
        ("3", 3),
        ("1.0", 1),
        (2.0, 2),
        ("x", None),
        ("", None),
        (None, None),
        (False, None),
        ("NaN", None),
        ("Infinity", None),
    ],
)
def test_int_of(value: object, expected: int | None) -> None:
    assert int_of(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        (" FALSE ", False),
        ("yes", None),
        (1, None),
        (None, None),
    ],
)
def test_bool_of_reads_only_real_booleans(value: object, expected: bool | None) -> None:
    assert bool_of(value) is expected


def test_mapping_of_gives_an_empty_object_for_anything_else() -> None:
    assert mapping_of({"k": {"a": 1}}, "k") == {"a": 1}
    odd: object
    for odd in (None, [], "text", 3):
        assert mapping_of({"k": odd}, "k") == {}
    assert mapping_of({}, "k") == {}


def test_as_number_makes_json_numbers() -> None:
    assert as_number(Decimal("0.00790")) == 0.0079
    assert as_number(None) is None
