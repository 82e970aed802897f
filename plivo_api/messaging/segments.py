"""How Plivo and the carriers split and bill an SMS text (3GPP TS 23.038 / 23.040).

Plivo bills per segment ("unit"), and a single character outside GSM-7 switches the *whole*
message to UCS-2, which can more than double the price. ``send_sms`` and ``preview_sms`` use this
module to show the count before anything is sent and to refuse texts Plivo would reject
(error 110). Plivo documents the encodings and per-segment sizes but not two details, which follow
the 3GPP specs as carriers apply them:

* extension-table characters (form feed, ``^ { } \\ [ ~ ] |`` and the euro sign) are sent as an
  escape septet plus the character, so they cost 2 septets and the pair is never split;
* UCS-2 is really UTF-16 on the air: a character outside the Basic Multilingual Plane (most emoji)
  is a surrogate pair, costs 2 units and is never split either.

Everything here is pure, and no Python-level loop visits every character (a benchmark measures
throughput on 1,600-character texts): membership tests use precomputed frozensets, and units are
counted with ``str.count``, ``str.find`` and ``str.encode`` over whole texts or slices.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

GSM7_SINGLE_SEGMENT_UNITS: Final = 160
GSM7_MULTIPART_UNITS: Final = 153  # 7 septets go to the concatenation header
UCS2_SINGLE_SEGMENT_UNITS: Final = 70
UCS2_MULTIPART_UNITS: Final = 67  # 3 UTF-16 units go to the concatenation header
GSM7_MAX_CHARACTERS: Final = 1600  # longer texts fail at Plivo with error 110
UCS2_MAX_CHARACTERS: Final = 737

Encoding = Literal["GSM-7", "UCS-2"]

_ESCAPE: Final = "\x1b"

# The GSM 03.38 default alphabet indexed by septet value, 16 septets a row. Septet 0x1B is the
# escape to the extension table, not a character, so a literal ESC in a text is not GSM-7.
# Non-ASCII entries are written as escapes: several are look-alikes of Latin letters or of each
# other (0x09 is capital C-cedilla; the Greek capitals are not their Latin twins).
GSM7_DEFAULT_ALPHABET: Final = (
    "@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5"  # 0x00
    "\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e\x1b\u00c6\u00e6\u00df\u00c9"
    " !\"#\u00a4%&'()*+,-./"  # 0x20
    "0123456789:;<=>?"  # 0x30
    "\u00a1ABCDEFGHIJKLMNO"  # 0x40
    "PQRSTUVWXYZ\u00c4\u00d6\u00d1\u00dc\u00a7"  # 0x50
    "\u00bfabcdefghijklmno"  # 0x60
    "pqrstuvwxyz\u00e4\u00f6\u00f1\u00fc\u00e0"  # 0x70
)

GSM7_BASIC_CHARACTERS: Final = frozenset(GSM7_DEFAULT_ALPHABET) - {_ESCAPE}
# Characters of the default extension table: form feed, ^ { } \ [ ~ ] | and the euro sign. The
# table's other entries (a second escape, a reserved page break) are not characters.
GSM7_EXTENSION_CHARACTERS: Final = frozenset("\f^{}\\[~]|\u20ac")
GSM7_CHARACTERS: Final = GSM7_BASIC_CHARACTERS | GSM7_EXTENSION_CHARACTERS
_GSM7_EXTENSION_ORDER: Final = tuple(sorted(GSM7_EXTENSION_CHARACTERS))  # for C-level str scans

# Look-alikes that silently push a GSM-7 text into UCS-2, mostly pasted in from word processors.
# Only punctuation, spaces and invisible characters: letters (accented or in other scripts) and
# emoji change the meaning, so they are never replaced.
_LOOKALIKE_GROUPS: Final[tuple[tuple[str, str], ...]] = (
    # single quotes, primes, apostrophes, single guillemets, backtick, acute accent
    ("\u2018\u2019\u201a\u201b\u2032\u2035\u02bc\u2039\u203a\u0060\u00b4", "'"),
    # double quotes, double primes, guillemets (not in GSM-7 either)
    ("\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb", '"'),
    # hyphens, figure/en/em dashes, horizontal bar, minus sign, hyphen bullet, bullet
    ("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\u2022", "-"),
    ("\u2026", "..."),  # horizontal ellipsis
    ("\u2024", "."),  # one dot leader
    ("\u2025", ".."),  # two dot leader
    # tab, no-break space, en quad .. hair space, narrow no-break, medium math, ideographic space
    (
        "\t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
        "\u202f\u205f\u3000",
        " ",
    ),
    ("\u2028\u2029", "\n"),  # line and paragraph separators
    ("\u02c6", "^"),  # modifier letter circumflex
    ("\u02dc", "~"),  # small tilde
    # zero width space / non-joiner / joiner, word joiner, BOM (zero width no-break), soft hyphen
    ("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
)

LOOKALIKE_REPLACEMENTS: Final[Mapping[str, str]] = MappingProxyType(
    {char: replacement for chars, replacement in _LOOKALIKE_GROUPS for char in chars}
)
_LOOKALIKE_CHARACTERS: Final = frozenset(LOOKALIKE_REPLACEMENTS)


MAX_LISTED_NON_GSM_CHARACTERS = 20  # distinct characters reported, in order of first appearance
MAX_LISTED_POSITIONS = 10  # positions reported per character
SHOWN_POSITIONS = 3  # positions named in a one-line summary


@dataclass(frozen=True)
class NonGsmCharacter:
    """A character that forces UCS-2, with where it occurs so the user can find and fix it."""

    char: str
    codepoint: str  # "U+2019"
    positions: tuple[int, ...]  # 1-based code-point positions, the first MAX_LISTED_POSITIONS
    count: int  # occurrences in the whole text


@dataclass(frozen=True)
class GsmAlternative:
    """The text with look-alikes replaced, offered only when it is GSM-7 and saves segments."""

    text: str
    segments: int


@dataclass(frozen=True)
class SegmentAnalysis:
    """How a text will be encoded, split and billed, and whether Plivo will accept its length."""

    encoding: Encoding
    segments: int
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    characters: int  # code points
    max_units_per_segment: int  # 160/70 for one segment (or empty), 153/67 when multipart
    limit: int  # GSM7_MAX_CHARACTERS or UCS2_MAX_CHARACTERS
    # Plivo states its limits in characters. Preview and send apply one reading of them, the
    # length as UTF-16 counts it: a GSM-7 escape pair (the euro sign) is one character, an emoji
    # outside the Basic Multilingual Plane is two. ``length`` is that count.
    length: int
    over_limit: bool
    non_gsm_characters: tuple[NonGsmCharacter, ...]  # first appearance order, one per char
    gsm_alternative: GsmAlternative | None


def gsm7_units(text: str) -> int:
    """Septets of a GSM-7 text: an extension character is an escape septet plus itself."""
    return len(text) + sum(map(text.count, _GSM7_EXTENSION_ORDER))


def ucs2_units(text: str) -> int:
    """UTF-16 code units: a character outside the BMP is a surrogate pair and costs 2."""
    # "surrogatepass" keeps lone surrogates (possible in a Python str) countable as one unit.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass(frozen=True)
class _Measure:
    """The facts every public function needs, computed with C-level string operations."""

    encoding: Encoding
    units: int
    single_capacity: int
    multipart_capacity: int
    limit: int

    @property
    def multipart(self) -> bool:
        return self.units > self.single_capacity


_GSM7_MEASURE: Final = (GSM7_SINGLE_SEGMENT_UNITS, GSM7_MULTIPART_UNITS, GSM7_MAX_CHARACTERS)
_UCS2_MEASURE: Final = (UCS2_SINGLE_SEGMENT_UNITS, UCS2_MULTIPART_UNITS, UCS2_MAX_CHARACTERS)


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM 03.38 default alphabet or its extension table."""
    return GSM7_CHARACTERS.issuperset(text)


def _replace_each(text: str, lookalikes: Iterable[str]) -> str:
    # str.translate with a dict does a Python-level lookup per character; one str.replace per
    # distinct look-alike present is several times faster. Order does not matter: no
    # replacement contains a look-alike.
    for char in lookalikes:
        text = text.replace(char, LOOKALIKE_REPLACEMENTS[char])
    return text


def _measure(text: str) -> _Measure:
    if is_gsm7(text):
        single, multipart, limit = _GSM7_MEASURE
        return _Measure("GSM-7", gsm7_units(text), single, multipart, limit)
    single, multipart, limit = _UCS2_MEASURE
    return _Measure("UCS-2", ucs2_units(text), single, multipart, limit)


def _range_counter(text: str, encoding: Encoding) -> Callable[[int, int], int]:
    """Units of ``text[start:end]`` without a Python-level loop over its characters."""
    if encoding == "UCS-2":
        return lambda start, end: ucs2_units(text[start:end])
    # Only the extension characters that occur need counting: usually one or two, often none.
    escapes = [char for char in _GSM7_EXTENSION_ORDER if char in text]

    def count(start: int, end: int) -> int:
        chunk = text[start:end]
        return len(chunk) + sum(map(chunk.count, escapes))

    return count


def _part_ends(text: str, measure: _Measure) -> list[int]:
    """Code-point index where each part ends, filling parts greedily.

    A 2-unit character that does not fit in the current part moves whole to the next one (an
    escape pair or a surrogate pair is never split), so such a part carries one unit less.
    """
    length = len(text)
    if length == 0:
        return []
    if not measure.multipart:
        return [length]
    capacity = measure.multipart_capacity
    if measure.units == length:  # every character costs 1 unit
        return [*range(capacity, length, capacity), length]
    count = _range_counter(text, measure.encoding)
    ends: list[int] = []
    start = 0
    while start < length:
        # Start from the longest possible part and shrink it. Every character costs at most 2
        # units, so with ``over`` units too many, no end within ceil(over / 2) characters of
        # this one can fit: jumping that far never skips past the greedy (longest) end.
        end = min(start + capacity, length)
        over = count(start, end) - capacity
        while over > 0:
            end -= (over + 1) // 2
            over = count(start, end) - capacity
        ends.append(end)
        start = end
    return ends


def _segment_count(text: str, measure: _Measure) -> int:
    if measure.units == 0:
        return 0
    if not measure.multipart:
        return 1
    return len(_part_ends(text, measure))


def split_parts(text: str) -> list[str]:
    """The parts a carrier would send: one per billed segment, joined back they give ``text``."""
    measure = _measure(text)
    parts: list[str] = []
    start = 0
    for end in _part_ends(text, measure):
        parts.append(text[start:end])
        start = end
    return parts


def _codepoint(char: str) -> str:
    return f"U+{ord(char):04X}"


def _non_gsm_characters(text: str, offending: set[str]) -> tuple[NonGsmCharacter, ...]:
    # Typical UCS-2 texts are GSM-7 plus one stray quote, so scan per distinct offending
    # character with str.find instead of looping over every character in Python. A text in
    # another script is UCS-2 throughout: listing all of it would help nobody, so the list and
    # each character's positions are capped (``count`` still says how often it occurs).
    firsts = sorted((text.find(char), char) for char in offending)
    found: list[NonGsmCharacter] = []
    for first, char in firsts[:MAX_LISTED_NON_GSM_CHARACTERS]:
        positions = [first + 1]
        index = text.find(char, first + 1)
        while index >= 0 and len(positions) < MAX_LISTED_POSITIONS:
            positions.append(index + 1)
            index = text.find(char, index + 1)
        found.append(NonGsmCharacter(char, _codepoint(char), tuple(positions), text.count(char)))
    return tuple(found)


def _gsm_alternative(text: str, offending: set[str], segments: int) -> GsmAlternative | None:
    # Emoji, other scripts or accented letters stay UCS-2 whatever we replace: skip the work.
    if not offending <= _LOOKALIKE_CHARACTERS:
        return None
    replaced = _replace_each(text, offending)
    # An empty result (the text was only invisible characters) is not a sendable alternative.
    if not replaced:
        return None
    measure = _measure(replaced)
    replaced_segments = _segment_count(replaced, measure)
    if measure.encoding != "GSM-7" or replaced_segments >= segments:
        return None
    return GsmAlternative(replaced, replaced_segments)


def analyze(text: str) -> SegmentAnalysis:
    """Encoding, segment count, length-limit verdict and fix-up hints for one SMS text."""
    measure = _measure(text)
    segments = _segment_count(text, measure)
    characters = len(text)
    non_gsm: tuple[NonGsmCharacter, ...] = ()
    alternative = None
    if measure.encoding == "UCS-2":
        offending = set(text) - GSM7_CHARACTERS
        non_gsm = _non_gsm_characters(text, offending)
        alternative = _gsm_alternative(text, offending, segments)
    return SegmentAnalysis(
        encoding=measure.encoding,
        segments=segments,
        units=measure.units,
        characters=characters,
        max_units_per_segment=(
            measure.multipart_capacity if measure.multipart else measure.single_capacity
        ),
        limit=measure.limit,
        length=_plivo_length(text, measure),
        over_limit=_plivo_length(text, measure) > measure.limit,
        non_gsm_characters=non_gsm,
        gsm_alternative=alternative,
    )


def _plivo_length(text: str, measure: _Measure) -> int:
    """The length Plivo's limit applies to: UTF-16 units (GSM-7 texts have no surrogates)."""
    return measure.units if measure.encoding == "UCS-2" else len(text)


def describe_limit(analysis: SegmentAnalysis) -> str:
    """``801 characters`` or ``400 characters (800 counting each emoji twice)``."""
    text = f"{analysis.characters} characters"
    if analysis.length != analysis.characters:
        text += f" ({analysis.length} counting each emoji twice)"
    return text


def _visible(character: NonGsmCharacter) -> str:
    """The character itself, or its code point when it cannot be seen (a zero-width space)."""
    char = character.char
    invisible = char.isspace() or unicodedata.category(char) in {"Cf", "Cc", "Zs", "Mn"}
    return character.codepoint if invisible else char


def describe_segments(analysis: SegmentAnalysis, *, each: bool = False) -> str:
    """``2 segments each (UCS-2: ’ at position 12)``: why a text costs what it costs."""
    noun = "segment" if analysis.segments == 1 else "segments"
    text = f"{analysis.segments} {noun}" + (" each" if each else "")
    if analysis.encoding == "UCS-2" and analysis.non_gsm_characters:
        first = analysis.non_gsm_characters[0]
        where = ", ".join(str(p) for p in first.positions[:SHOWN_POSITIONS])
        if first.count > SHOWN_POSITIONS:
            where += ", …"
        plural = "s" if first.count > 1 else ""
        extra = len(analysis.non_gsm_characters) - 1
        text += f" (UCS-2: {_visible(first)} at position{plural} {where}"
        text += f", and {extra} more non-GSM character{'s' if extra > 1 else ''})" if extra else ")"
    return text
