"""Segment counting against the 3GPP rules, at every boundary, and against a brute-force packer.

The GSM 03.38 table below is written independently of the module (as code points per septet),
so a typo in one is caught by the other.
"""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plivo_api.messaging import segments
from plivo_api.messaging.segments import (
    GSM7_CHARACTERS,
    GSM7_DEFAULT_ALPHABET,
    GSM7_MAX_CHARACTERS,
    GSM7_MULTIPART_UNITS,
    GSM7_SINGLE_SEGMENT_UNITS,
    LOOKALIKE_REPLACEMENTS,
    MAX_LISTED_NON_GSM_CHARACTERS,
    MAX_LISTED_POSITIONS,
    UCS2_MAX_CHARACTERS,
    UCS2_MULTIPART_UNITS,
    UCS2_SINGLE_SEGMENT_UNITS,
    GsmAlternative,
    NonGsmCharacter,
    analyze,
    describe_limit,
    describe_segments,
    is_gsm7,
    split_parts,
)

# --- an independent statement of the spec ----------------------------------------------------

ESC = 0x1B
SPEC_DEFAULT_ALPHABET: list[int] = [
    # 0x00
    0x40, 0xA3, 0x24, 0xA5, 0xE8, 0xE9, 0xF9, 0xEC, 0xF2, 0xC7, 0x0A, 0xD8, 0xF8, 0x0D, 0xC5, 0xE5,
    # 0x10: Greek capitals, the escape, then AE ae sharp-s E-acute
    0x394, 0x5F, 0x3A6, 0x393, 0x39B, 0x3A9, 0x3A0, 0x3A8, 0x3A3, 0x398, 0x39E, ESC,
    0xC6, 0xE6, 0xDF, 0xC9,
    # 0x20: space .. '/', with the currency sign in place of '$'
    0x20, 0x21, 0x22, 0x23, 0xA4, *range(0x25, 0x30),
    *range(0x30, 0x40),
    0xA1, *range(0x41, 0x5B), 0xC4, 0xD6, 0xD1, 0xDC, 0xA7,
    0xBF, *range(0x61, 0x7B), 0xE4, 0xF6, 0xF1, 0xFC, 0xE0,
]  # fmt: skip
SPEC_BASIC = frozenset(chr(cp) for cp in SPEC_DEFAULT_ALPHABET if cp != ESC)
SPEC_EXTENSION = frozenset(chr(cp) for cp in (0x0C, 0x5E, 0x7B, 0x7D, 0x5C, 0x5B, 0x7E, 0x5D, 0x7C))
SPEC_EXTENSION |= {"\u20ac"}
SPEC_GSM = SPEC_BASIC | SPEC_EXTENSION

EURO = "\u20ac"
ZHE = "\u0436"  # Cyrillic small zhe: BMP, not GSM-7
GRINNING = "\U0001f600"  # astral: a surrogate pair in UTF-16
RIGHT_QUOTE = "\u2019"
LEFT_DOUBLE = "\u201c"
RIGHT_DOUBLE = "\u201d"
GREEK_CAPITALS = "\u0394\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e"


def brute_force(text: str) -> tuple[str, int, list[str]]:
    """Encoding, units and parts by the most literal reading of the rules."""
    gsm = all(char in SPEC_GSM for char in text)
    if gsm:
        costs = [2 if char in SPEC_EXTENSION else 1 for char in text]
        single, multipart = 160, 153
    else:
        costs = [2 if ord(char) > 0xFFFF else 1 for char in text]
        single, multipart = 70, 67
    total = sum(costs)
    if total == 0:
        return ("GSM-7", 0, [])
    if total <= single:
        return ("GSM-7" if gsm else "UCS-2", total, [text])
    parts: list[str] = []
    current = ""
    used = 0
    for char, cost in zip(text, costs, strict=True):
        if used + cost > multipart:
            parts.append(current)
            current, used = "", 0
        current += char
        used += cost
    parts.append(current)
    return ("GSM-7" if gsm else "UCS-2", total, parts)


def units_of(part: str, encoding: str) -> int:
    if encoding == "GSM-7":
        return sum(2 if char in SPEC_EXTENSION else 1 for char in part)
    return sum(2 if ord(char) > 0xFFFF else 1 for char in part)


# --- the alphabet ------------------------------------------------------------------------------


def test_default_alphabet_matches_the_spec_septet_by_septet() -> None:
    assert len(SPEC_DEFAULT_ALPHABET) == 128
    assert len(GSM7_DEFAULT_ALPHABET) == 128
    assert [ord(char) for char in GSM7_DEFAULT_ALPHABET] == SPEC_DEFAULT_ALPHABET


def test_character_sets_match_the_spec() -> None:
    assert GSM7_CHARACTERS == SPEC_GSM
    assert segments.GSM7_EXTENSION_CHARACTERS == SPEC_EXTENSION
    assert len(SPEC_BASIC) == 127
    assert "\x1b" not in GSM7_CHARACTERS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\u00c7", True),  # capital C-cedilla is septet 0x09
        ("\u00e7", False),  # small c-cedilla is not in the table
        ("\r\n", True),
        ("\t", False),
        ("\x1b", False),  # the escape septet is not a character
        ("\x1b(", False),
        (EURO, True),
        ("\f^{}\\[~]|", True),
        ("`", False),
        ("\u00e1", False),  # a-acute: common in Spanish, still not GSM-7
        ("\u03b4", False),  # Greek small delta
        ("$\u00a4\u00a3\u00a5\u00a7\u00bf\u00a1", True),
        ("", True),
    ],
)
def test_is_gsm7(text: str, expected: bool) -> None:
    assert is_gsm7(text) is expected
    assert analyze(text).encoding == ("GSM-7" if expected else "UCS-2")


@pytest.mark.parametrize("capital", list(GREEK_CAPITALS))
def test_greek_capitals_are_gsm7_and_cost_one_septet(capital: str) -> None:
    result = analyze(capital * 160)
    assert (result.encoding, result.units, result.segments) == ("GSM-7", 160, 1)


def test_latin_look_alike_of_greek_capital_is_counted_as_typed() -> None:
    # The Ohm sign looks like capital omega but is a different code point, outside GSM-7.
    assert not is_gsm7("\u2126")
    assert is_gsm7("\u03a9")


@pytest.mark.parametrize("char", sorted(SPEC_EXTENSION))
def test_each_extension_character_costs_two_septets(char: str) -> None:
    result = analyze("a" + char)
    assert (result.encoding, result.units, result.characters) == ("GSM-7", 3, 2)


def test_cr_and_lf_cost_one_septet_each() -> None:
    assert analyze("a\r\nb").units == 4


def test_tab_and_esc_force_ucs2_for_the_whole_text() -> None:
    for bad in ("\t", "\x1b"):
        result = analyze("a" * 100 + bad)
        assert result.encoding == "UCS-2"
        assert result.units == 101
        assert result.segments == 2


# --- empty and single/multi boundaries ---------------------------------------------------------


def test_empty_text() -> None:
    result = analyze("")
    assert (result.encoding, result.segments, result.units, result.characters) == (
        "GSM-7",
        0,
        0,
        0,
    )
    assert result.max_units_per_segment == GSM7_SINGLE_SEGMENT_UNITS
    assert result.over_limit is False
    assert result.non_gsm_characters == ()
    assert result.gsm_alternative is None
    assert split_parts("") == []


def test_published_constants() -> None:
    assert (GSM7_SINGLE_SEGMENT_UNITS, GSM7_MULTIPART_UNITS) == (160, 153)
    assert (UCS2_SINGLE_SEGMENT_UNITS, UCS2_MULTIPART_UNITS) == (70, 67)
    assert (GSM7_MAX_CHARACTERS, UCS2_MAX_CHARACTERS) == (1600, 737)


@pytest.mark.parametrize(
    ("length", "expected_segments", "expected_capacity"),
    [
        (1, 1, 160),
        (152, 1, 160),
        (153, 1, 160),
        (154, 1, 160),
        (160, 1, 160),
        (161, 2, 153),
        (306, 2, 153),
        (307, 3, 153),
        (459, 3, 153),
        (460, 4, 153),
        (1530, 10, 153),
        (1531, 11, 153),
        (1600, 11, 153),
    ],
)
def test_gsm7_boundaries(length: int, expected_segments: int, expected_capacity: int) -> None:
    text = "a" * length
    result = analyze(text)
    assert result.encoding == "GSM-7"
    assert (result.units, result.characters) == (length, length)
    assert result.segments == expected_segments
    assert result.max_units_per_segment == expected_capacity
    parts = split_parts(text)
    assert len(parts) == expected_segments
    if expected_segments > 1:
        assert [len(part) for part in parts[:-1]] == [153] * (expected_segments - 1)


@pytest.mark.parametrize(
    ("length", "expected_segments", "expected_capacity"),
    [
        (1, 1, 70),
        (67, 1, 70),
        (68, 1, 70),
        (70, 1, 70),
        (71, 2, 67),
        (134, 2, 67),
        (135, 3, 67),
        (201, 3, 67),
        (202, 4, 67),
        (737, 11, 67),
    ],
)
def test_ucs2_boundaries(length: int, expected_segments: int, expected_capacity: int) -> None:
    text = ZHE * length
    result = analyze(text)
    assert result.encoding == "UCS-2"
    assert (result.units, result.characters) == (length, length)
    assert result.segments == expected_segments
    assert result.max_units_per_segment == expected_capacity
    parts = split_parts(text)
    assert len(parts) == expected_segments
    if expected_segments > 1:
        assert [len(part) for part in parts[:-1]] == [67] * (expected_segments - 1)


def test_one_non_gsm_character_turns_a_single_gsm_segment_into_three_ucs2_segments() -> None:
    assert analyze("a" * 150).segments == 1
    result = analyze("a" * 149 + RIGHT_QUOTE)
    assert (result.encoding, result.units, result.segments) == ("UCS-2", 150, 3)


# --- pairs are never split ---------------------------------------------------------------------


def test_escape_pair_straddling_the_153_boundary_moves_to_the_next_part() -> None:
    text = "a" * 152 + EURO + "b" * 10
    result = analyze(text)
    assert (result.units, result.segments) == (164, 2)
    assert split_parts(text) == ["a" * 152, EURO + "b" * 10]


def test_escape_pair_that_fits_exactly_stays_in_the_part() -> None:
    text = "a" * 151 + EURO + "b" * 10
    assert split_parts(text) == ["a" * 151 + EURO, "b" * 10]


def test_moved_escape_pairs_can_add_a_segment() -> None:
    # 2 * 153 = 306 septets would fit in 2 parts if pairs could split; they cannot, so 3 parts.
    text = EURO * 153
    result = analyze(text)
    assert result.units == 306
    assert result.segments == 3
    assert [units_of(part, "GSM-7") for part in split_parts(text)] == [152, 152, 2]


def test_surrogate_pair_straddling_the_67_boundary_moves_to_the_next_part() -> None:
    text = ZHE * 66 + GRINNING + ZHE * 5
    result = analyze(text)
    assert (result.encoding, result.units, result.characters, result.segments) == (
        "UCS-2",
        73,
        72,
        2,
    )
    assert split_parts(text) == [ZHE * 66, GRINNING + ZHE * 5]


def test_surrogate_pair_that_fits_exactly_stays_in_the_part() -> None:
    text = ZHE * 65 + GRINNING + ZHE * 5
    assert split_parts(text) == [ZHE * 65 + GRINNING, ZHE * 5]


def test_grapheme_cluster_may_be_split_between_code_points() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl
    text = ZHE * 65 + family
    result = analyze(text)
    assert (result.units, result.segments) == (73, 2)
    assert split_parts(text) == [ZHE * 65 + "\U0001f468", "\u200d\U0001f469\u200d\U0001f467"]


# --- only extension characters, emoji ----------------------------------------------------------


def test_eighty_euro_signs_fill_exactly_one_segment() -> None:
    result = analyze(EURO * 80)
    assert (result.encoding, result.units, result.characters, result.segments) == (
        "GSM-7",
        160,
        80,
        1,
    )
    assert result.max_units_per_segment == 160


def test_eighty_one_euro_signs_are_multipart() -> None:
    result = analyze(EURO * 81)
    assert (result.units, result.segments, result.max_units_per_segment) == (162, 2, 153)
    assert [len(part) for part in split_parts(EURO * 81)] == [76, 5]


def test_emoji_costs_two_units() -> None:
    result = analyze(GRINNING)
    assert (result.encoding, result.units, result.characters, result.segments) == (
        "UCS-2",
        2,
        1,
        1,
    )


def test_thirty_five_emoji_fill_one_segment_and_thirty_six_do_not() -> None:
    assert (analyze(GRINNING * 35).units, analyze(GRINNING * 35).segments) == (70, 1)
    result = analyze(GRINNING * 36)
    assert (result.units, result.segments) == (72, 2)
    assert [len(part) for part in split_parts(GRINNING * 36)] == [33, 3]


def test_lone_surrogate_counts_as_one_unit() -> None:
    result = analyze("\ud83d")
    assert (result.encoding, result.units, result.segments) == ("UCS-2", 1, 1)


# --- Plivo's length limits ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit", "length", "over"),
    [
        ("a" * 1600, 1600, 1600, False),
        ("a" * 1601, 1600, 1601, True),
        (EURO * 800, 1600, 800, False),  # 1600 septets
        (EURO * 801, 1600, 801, False),  # 1602 septets: an escape pair is one character
        (EURO * 1600, 1600, 1600, False),
        (EURO * 1601, 1600, 1601, True),
        (ZHE * 737, 737, 737, False),
        (ZHE * 738, 737, 738, True),
        (GRINNING * 368 + ZHE, 737, 737, False),
        (GRINNING * 369, 737, 738, True),  # an emoji is two UTF-16 characters
        (GRINNING * 400, 737, 800, True),
        (GRINNING * 738, 737, 1476, True),
    ],
)
def test_over_limit_counts_the_utf16_length(text: str, limit: int, length: int, over: bool) -> None:
    """Plivo states its limits in characters; preview and send share this one reading of them."""
    result = analyze(text)
    assert (result.limit, result.length, result.over_limit) == (limit, length, over)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 1601, "1601 characters"),
        (EURO * 801, "801 characters"),
        (GRINNING * 400, "400 characters (800 counting each emoji twice)"),
        (ZHE * 738, "738 characters"),
    ],
)
def test_describe_limit_says_how_an_emoji_counts_when_it_matters(text: str, expected: str) -> None:
    assert describe_limit(analyze(text)) == expected


# --- non-GSM characters ------------------------------------------------------------------------


def test_non_gsm_characters_positions_and_codepoints() -> None:
    text = f"It{RIGHT_QUOTE}s {LEFT_DOUBLE}ok{RIGHT_DOUBLE} {GRINNING}{RIGHT_QUOTE}"
    result = analyze(text)
    assert result.non_gsm_characters == (
        NonGsmCharacter(RIGHT_QUOTE, "U+2019", (3, 12), 2),
        NonGsmCharacter(LEFT_DOUBLE, "U+201C", (6,), 1),
        NonGsmCharacter(RIGHT_DOUBLE, "U+201D", (9,), 1),
        NonGsmCharacter(GRINNING, "U+1F600", (11,), 1),
    )


def test_non_gsm_codepoint_is_zero_padded_to_four_digits() -> None:
    (entry,) = analyze("\t").non_gsm_characters
    assert entry == NonGsmCharacter("\t", "U+0009", (1,), 1)


def test_gsm_text_has_no_non_gsm_characters() -> None:
    assert analyze("Hello {world} " + EURO).non_gsm_characters == ()


# --- the GSM-7 alternative ---------------------------------------------------------------------


def test_alternative_offered_when_smart_quotes_cost_extra_segments() -> None:
    body = "a" * 140
    text = f"{LEFT_DOUBLE}Don{RIGHT_QUOTE}t{RIGHT_DOUBLE} \u2014 {body}\u2026"
    result = analyze(text)
    assert (result.encoding, result.segments) == ("UCS-2", 3)
    expected_text = f'"Don\'t" - {body}...'
    assert result.gsm_alternative == GsmAlternative(expected_text, 1)
    assert analyze(expected_text).segments == 1


def test_alternative_removes_invisible_characters_and_normalises_spaces() -> None:
    text = "a\u00a0b\u200bc\u00add\u3000e\ufefff\u2022g" + "x" * 80
    result = analyze(text)
    assert result.gsm_alternative == GsmAlternative("a bcd ef-g" + "x" * 80, 1)


def test_no_alternative_when_it_would_not_save_a_segment() -> None:
    result = analyze(f"It{RIGHT_QUOTE}s fine")
    assert result.encoding == "UCS-2"
    assert result.segments == 1
    assert result.gsm_alternative is None


def test_no_alternative_when_emoji_remain() -> None:
    text = f"It{RIGHT_QUOTE}s fine {GRINNING} " + "a" * 100
    result = analyze(text)
    assert result.segments == 2
    assert result.gsm_alternative is None


def test_no_alternative_for_non_latin_script() -> None:
    result = analyze(f"{LEFT_DOUBLE}" + ZHE * 100 + f"{RIGHT_DOUBLE}")
    assert result.gsm_alternative is None


def test_no_alternative_when_only_invisible_characters() -> None:
    assert analyze("\u200b").gsm_alternative is None


def test_lookalike_table_only_maps_punctuation_and_spaces_to_gsm7() -> None:
    for source, replacement in LOOKALIKE_REPLACEMENTS.items():
        assert len(source) == 1
        assert source not in GSM7_CHARACTERS, f"U+{ord(source):04X} is already GSM-7"
        assert is_gsm7(replacement), f"U+{ord(source):04X} maps to non-GSM {replacement!r}"
        category = unicodedata.category(source)
        # Modifier letters (Lm) are spacing accents; real letters, digits and symbols are not.
        assert category not in {"Lu", "Ll", "Lt", "Lo", "So"}, f"U+{ord(source):04X} {category}"
        assert not category.startswith("N"), f"U+{ord(source):04X} is {category}"


@pytest.mark.parametrize(
    ("source", "replacement"),
    [
        ("\u2018\u2019\u201a\u201b\u2032", "'''''"),
        ("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"""""""'),
        ("\u2013\u2014\u2015\u2012\u2212\u2022", "------"),
        ("\u2026", "..."),
        ("\u00a0\u2000\u2005\u200a\u202f\u205f\u3000", "       "),
        ("\u200b\u200c\u200d\ufeff\u00ad", ""),
    ],
)
def test_word_processor_lookalikes_become_their_gsm7_twins(source: str, replacement: str) -> None:
    filler = "a" * 150  # long enough that the look-alikes cost a second and third segment
    alternative = analyze(source + filler).gsm_alternative
    assert alternative == GsmAlternative(replacement + filler, 1)


def test_the_alternative_leaves_gsm_characters_untouched() -> None:
    text = "Hello {" + EURO + "} \u2019" + "a" * 140
    alternative = analyze(text).gsm_alternative
    assert alternative is not None
    assert alternative.text == "Hello {" + EURO + "} '" + "a" * 140


# --- results are immutable ------------------------------------------------------------------


def test_results_are_frozen() -> None:
    result = analyze("hi")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.segments = 5  # type: ignore[misc]


# --- long runs and texts in other scripts ------------------------------------------------------


@pytest.mark.timeout(5)
@pytest.mark.parametrize(("count", "segments"), [(154, 3), (200, 3), (400, 6), (1601, 22)])
def test_long_runs_of_extension_characters_pack_76_pairs_per_part(
    count: int, segments: int
) -> None:
    """Shrinking an over-full part must never jump back to its start (that looped forever)."""
    text = EURO * count
    parts = split_parts(text)
    assert analyze(text).segments == segments == len(parts)
    assert all(len(part) == 76 for part in parts[:-1])  # 152 septets: a 77th pair would split
    assert "".join(parts) == text


@pytest.mark.timeout(5)
def test_long_runs_of_astral_characters_pack_33_per_part() -> None:
    text = GRINNING * 400  # 800 UTF-16 units: 33 pairs (66 units) per 67-unit part
    parts = split_parts(text)
    assert all(len(part) == 33 for part in parts[:-1])
    assert analyze(text).segments == len(parts) == 13


def test_text_in_another_script_lists_a_capped_summary_of_its_characters() -> None:
    cyrillic = "".join(chr(code) for code in range(0x430, 0x450))  # 32 small letters
    text = (cyrillic * 24)[:737]
    entries = analyze(text).non_gsm_characters
    assert len(entries) == MAX_LISTED_NON_GSM_CHARACTERS == 20
    assert all(len(e.positions) == MAX_LISTED_POSITIONS == 10 for e in entries)
    assert entries[0] == NonGsmCharacter(
        "\u0430", "U+0430", tuple(1 + 32 * k for k in range(10)), 24
    )


# --- the one-line description ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "each", "expected"),
    [
        ("hi", False, "1 segment"),
        ("a" * 161, False, "2 segments"),
        ("a" * 161, True, "2 segments each"),
        (f"It{RIGHT_QUOTE}s", False, f"1 segment (UCS-2: {RIGHT_QUOTE} at position 3)"),
        (
            f"{RIGHT_QUOTE}a{RIGHT_QUOTE}b{RIGHT_QUOTE}c{RIGHT_QUOTE}",
            False,
            f"1 segment (UCS-2: {RIGHT_QUOTE} at positions 1, 3, 5, …)",
        ),
        (
            f"{LEFT_DOUBLE}x{RIGHT_DOUBLE}{GRINNING}",
            True,
            f"1 segment each (UCS-2: {LEFT_DOUBLE} at position 1, and 2 more non-GSM characters)",
        ),
        (
            f"{LEFT_DOUBLE}x{RIGHT_DOUBLE}",
            False,
            f"1 segment (UCS-2: {LEFT_DOUBLE} at position 1, and 1 more non-GSM character)",
        ),
    ],
)
def test_describe_segments_names_the_count_and_what_forced_ucs2(
    text: str, each: bool, expected: str
) -> None:
    assert describe_segments(analyze(text), each=each) == expected


# --- property-based: the module agrees with the brute-force packer -----------------------------

gsm_basic = st.sampled_from(sorted(SPEC_BASIC))
gsm_extension = st.sampled_from(sorted(SPEC_EXTENSION))
bmp_non_gsm = st.characters(
    min_codepoint=0x09, max_codepoint=0xFFFF, exclude_categories=["Cs"]
).filter(lambda char: char not in SPEC_GSM)
astral = st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF)
gsm_char = st.one_of(gsm_basic, gsm_extension)
any_char = st.one_of(gsm_basic, gsm_extension, bmp_non_gsm, astral)


def runs(alphabet: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Long texts cheaply: runs of one character, so boundaries near 153/67 multiples get hit."""
    return st.lists(st.tuples(alphabet, st.integers(1, 170)), max_size=12).map(
        lambda items: "".join(char * count for char, count in items)
    )


BOUNDARY_LENGTHS = [66, 67, 68, 69, 70, 71, 133, 134, 135, 151, 152, 153, 159, 160, 161, 305, 306]
near_boundary = st.builds(
    lambda length, filler, tail: filler * length + tail,
    st.sampled_from(BOUNDARY_LENGTHS),
    st.one_of(gsm_basic, st.just(ZHE)),
    st.text(any_char, max_size=6),
)
texts = st.one_of(
    st.text(any_char, max_size=200),
    st.text(gsm_char, max_size=400),
    runs(gsm_char),
    runs(any_char),
    near_boundary,
)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_analyze_agrees_with_brute_force(text: str) -> None:
    encoding, units, parts = brute_force(text)
    result = analyze(text)
    assert result.encoding == encoding
    assert result.units == units
    assert result.segments == len(parts)
    assert result.characters == len(text)
    length = units if encoding == "UCS-2" else len(text)  # UTF-16 length
    assert result.length == length
    assert result.over_limit == (length > result.limit)
    assert split_parts(text) == parts


@settings(max_examples=300, deadline=None)
@given(texts)
def test_split_parts_rejoin_and_fit(text: str) -> None:
    result = analyze(text)
    parts = split_parts(text)
    assert "".join(parts) == text
    assert len(parts) == result.segments
    assert all(parts)
    for part in parts:
        assert units_of(part, result.encoding) <= result.max_units_per_segment


@settings(max_examples=300, deadline=None)
@given(texts)
def test_non_gsm_characters_and_alternative_are_consistent(text: str) -> None:
    result = analyze(text)
    listed = {entry.char for entry in result.non_gsm_characters}
    offending = set(text) - SPEC_GSM
    assert listed <= offending
    assert len(listed) == min(len(offending), MAX_LISTED_NON_GSM_CHARACTERS)
    firsts = [entry.positions[0] for entry in result.non_gsm_characters]
    assert firsts == sorted(firsts)
    for entry in result.non_gsm_characters:
        every = tuple(index for index, char in enumerate(text, 1) if char == entry.char)
        assert entry.positions == every[:MAX_LISTED_POSITIONS]
        assert entry.count == len(every)
        assert entry.codepoint == f"U+{ord(entry.char):04X}"
    alternative = result.gsm_alternative
    if alternative is not None:
        assert is_gsm7(alternative.text)
        assert alternative.segments < result.segments
        assert alternative.segments == analyze(alternative.text).segments


def test_an_invisible_character_is_named_by_its_code_point() -> None:
    assert describe_segments(analyze("a\u200bb")) == "1 segment (UCS-2: U+200B at position 2)"
