"""Error-code table: every code Plivo documents, normalisation, and the unknown-code path.

How an explained code is shown (``error_code``/``error``/``advice``/``retryable``) is in
tests/toolkit/test_present.py.
"""

from __future__ import annotations

import dataclasses

import pytest

from plivo_api.messaging.error_codes import (
    ERROR_CODES,
    NO_ERROR_CODES,
    UNKNOWN_CODE_ADVICE,
    ErrorCodeInfo,
    describe_error_code,
    normalize_error_code,
)

# Every code Plivo documents (its SMS error-code blog post and error-code table), written out so
# that dropping an entry from the table fails a test.
REFERENCE_CODES = frozenset(
    {"10", "20", "30", "40", "50", "60", "70", "80", "90", "100", "110", "200", "201"}
    | {"420", "450", "451", "900", "1000"}
)
UNVERIFIED_CODES = frozenset({"300", "910", "2403"})

# retryable = "the same message, resent unchanged, can succeed later with nothing fixed first".
EXPECTED_RETRYABLE: dict[str, bool | None] = {
    "20": True,
    "80": True,
    "420": True,
    "451": True,
    "30": False,
    "450": False,
    "900": False,
    "2403": False,
    "1000": None,
    "300": None,
}


def test_table_holds_exactly_the_reference_codes() -> None:
    assert set(ERROR_CODES) == REFERENCE_CODES | UNVERIFIED_CODES


@pytest.mark.parametrize("code", sorted(ERROR_CODES))
def test_entry_is_a_complete_known_sentence_pair(code: str) -> None:
    info = ERROR_CODES[code]
    assert info.code == code
    assert info.known is True
    assert info.verified is (code not in UNVERIFIED_CODES)
    for text in (info.meaning, info.advice):
        assert text.strip() == text
        assert text[:1].isupper()
        assert text.endswith(".")
    if not info.verified:
        assert "unconfirmed" in info.meaning


@pytest.mark.parametrize(("code", "expected"), EXPECTED_RETRYABLE.items())
def test_retryable_follows_the_documented_definition(code: str, expected: bool | None) -> None:
    assert ERROR_CODES[code].retryable is expected


def test_actionable_codes_name_what_to_change() -> None:
    assert "Geo Permissions" in ERROR_CODES["450"].advice
    assert "2 minutes" in ERROR_CODES["900"].advice
    assert "10DLC" in ERROR_CODES["30"].advice


def test_entries_are_immutable() -> None:
    with pytest.raises(TypeError):
        ERROR_CODES["30"] = ERROR_CODES["20"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ERROR_CODES["30"].retryable = True  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (30, "30"),
        ("30", "30"),
        ("030", "30"),
        (" 30 ", "30"),
        (30.0, "30"),
        (1000, "1000"),
        ("0451", "451"),
        ("abc", "abc"),
        ("  E30 ", "E30"),
        (30.5, "30.5"),
        (float("nan"), "nan"),
        ("\u00b3", "\u00b3"),  # superscript three: str.isdigit() is True, int() would fail
        (True, "True"),
    ],
)
def test_normalize_error_code(raw: object, expected: str) -> None:
    assert normalize_error_code(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "   ", "0", "00", "000", "0000", 0, 0.0])
def test_no_error_values_normalise_to_none(raw: object) -> None:
    assert normalize_error_code(raw) is None
    assert describe_error_code(raw, "ignored") is None


def test_no_error_codes_are_the_zero_forms() -> None:
    assert frozenset({"", "0", "00", "000"}) == NO_ERROR_CODES


@pytest.mark.parametrize("raw", [30, "030", " 30", 30.0])
def test_known_code_in_any_shape_gives_the_table_entry(raw: object) -> None:
    assert describe_error_code(raw, "Plivo's own words") is ERROR_CODES["30"]


def test_unknown_code_without_plivo_text() -> None:
    info = describe_error_code("0777")
    assert info == ErrorCodeInfo(
        code="777",
        meaning="Unknown error code 777",
        advice=UNKNOWN_CODE_ADVICE,
        retryable=None,
        known=False,
        verified=False,
    )
    assert info.advice == "Contact Plivo support with the message UUID."


@pytest.mark.parametrize("blank", [None, "", "  "])
def test_unknown_code_with_blank_plivo_text(blank: str | None) -> None:
    info = describe_error_code(777, blank)
    assert info is not None
    assert info.meaning == "Unknown error code 777"


def test_unknown_code_with_plivo_text() -> None:
    info = describe_error_code(777, "  Carrier timeout  ")
    assert info is not None
    assert info.meaning == "Unknown error code 777: Carrier timeout"
    assert info.known is False


def test_junk_code_degrades_to_unknown() -> None:
    info = describe_error_code(" abc ")
    assert info is not None
    assert (info.code, info.known, info.meaning) == ("abc", False, "Unknown error code abc")
