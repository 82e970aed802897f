"""Template placeholders left in a text: ``Hi {{name}}``, ``{name}``, ``[Name]``, ``<name>``.

Models and templates write a message from a pattern; when a value was never filled in, the marker
itself reaches the customer ("Hi [Name], your order ships [Date]"), and the message cannot be
called back. Dify's own unresolved variable (``{{#node.var#}}``) is refused earlier, by the
parameter readers; this module finds the other shapes. Ordinary texts must pass, so:

- ``{{…}}``: double braces around anything are a template placeholder (Jinja, Handlebars,
  Mustache, Liquid). Empty ones (``{{}}``) are not reported.
- ``{…}``: single braces around one identifier (``{name}``, ``{first_name}``, ``{user.name}``,
  ``${name}``) or a small index (``{0}``). ``{}``, JSON and emoticons (``:-{``) pass.
- ``[…]`` and ``<…>``: only when the inside reads as a placeholder: one snake_case identifier
  (``[first_name]``, ``<ORDER_ID>``), or placeholder words (``[Name]``, ``[First Name]``,
  ``<customer name>``, ``[Your Company]``, ``[insert link]``). Footnotes ``[1]``, brand tags
  (``[Acme]``, ``[Reminder]``), ``[sic]``, ``<3``, HTML such as ``<b>``, links written as
  ``<https://…>`` and Markdown links ``[text](url)`` pass.
- Inside a URL only braces count: ``?q[name]=x`` is a legitimate query key, while
  ``?id={{id}}`` is an unfilled template.
"""

from __future__ import annotations

import bisect
import re
from typing import Final

MAX_INSIDE_CHARS: Final = 80
"""Longer bracketed text is prose, not a placeholder; the bound also keeps matching linear."""

# Words that name a value on their own: "[Name]", "[Date]", "<email>".
_VALUE_WORDS: Final = frozenset(
    {
        "name",
        "names",
        "firstname",
        "lastname",
        "fullname",
        "surname",
        "username",
        "customer",
        "client",
        "recipient",
        "company",
        "date",
        "time",
        "amount",
        "price",
        "link",
        "url",
        "email",
        "phone",
        "number",
        "address",
        "code",
        "id",
    }
)
# Words that name a value only together with another placeholder word: "[Appointment]" alone can
# be a subject tag, "[Appointment Date]" and "[your business]" cannot.
_CONTEXT_WORDS: Final = frozenset(
    {
        "order",
        "booking",
        "appointment",
        "account",
        "product",
        "item",
        "business",
        "store",
        "shop",
        "location",
        "ticket",
        "invoice",
        "reference",
        "city",
        "contact",
        "user",
        "member",
        "patient",
        "guest",
        "total",
        "balance",
        "mobile",
        "website",
        "discount",
        "coupon",
        "tracking",
        "agent",
        "event",
        "team",
        "brand",
        "sender",
    }
)
# Words that only ever modify one: "[Your Name]", "[insert link here]", "[first name]".
_FILLER_WORDS: Final = frozenset(
    {
        "first",
        "last",
        "full",
        "given",
        "family",
        "middle",
        "your",
        "my",
        "our",
        "their",
        "his",
        "her",
        "the",
        "a",
        "of",
        "insert",
        "enter",
        "add",
        "here",
    }
)
_POINTING_WORDS: Final = frozenset({"your", "my", "our", "their", "insert", "enter", "add"})
_KNOWN_WORDS: Final = _VALUE_WORDS | _CONTEXT_WORDS | _FILLER_WORDS

_INSIDE = MAX_INSIDE_CHARS
_CANDIDATES = re.compile(
    rf"(?P<double>\{{\{{\s*[^{{}}\s][^{{}}\n]{{0,{_INSIDE}}}?\}}\}})"
    rf"|(?P<single>(?<!\{{)\{{\s*(?:[^\W\d]\w{{0,{_INSIDE}}}(?:\.\w{{1,{_INSIDE}}}){{0,5}}|\d{{1,2}})"
    r"\s*\}(?!\}))"
    rf"|(?P<square>\[\s*(?P<square_inside>[^\[\]\n]{{1,{_INSIDE}}}?)\s*\](?!\())"
    rf"|(?P<angle><\s*(?P<angle_inside>[^<>\n]{{1,{_INSIDE}}}?)\s*>)"
)
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_IDENTIFIER = re.compile(r"[^\W\d_][^\W_]*(?:_[^\W_]+)+")  # first_name, ORDER_ID
_WORD_SEPARATORS = re.compile(r"[\s_.-]+|(?<=[a-z])(?=[A-Z])")  # spaces, snake, camelCase
_WORDS = re.compile(r"[A-Za-z][A-Za-z'\u2019\s_.-]*")


def find_placeholders(text: str) -> tuple[str, ...]:
    """The unfilled placeholders in ``text``, as written, each once, in order of appearance."""
    if not any(mark in text for mark in "{[<"):
        return ()
    urls = [match.span() for match in _URL.finditer(text)]
    found: dict[str, None] = {}
    position = 0
    while (match := _CANDIDATES.search(text, position)) is not None:
        inside = match.group("square_inside") or match.group("angle_inside")
        if inside is not None and (
            _in_url(match.start(), urls) or not _reads_as_placeholder(inside)
        ):
            position = match.start() + 1  # "<see [Name]>": what it enclosed is looked at too
            continue
        found.setdefault(match.group(0))
        position = match.end()
    return tuple(found)


def _in_url(position: int, urls: list[tuple[int, int]]) -> bool:
    """``urls``: the URL spans in order, so a binary search finds the one that could hold it."""
    index = bisect.bisect_right(urls, position, key=lambda span: span[0]) - 1
    return index >= 0 and position < urls[index][1]


def _reads_as_placeholder(inside: str) -> bool:
    """``first_name``, or words such as "Customer Name" (see the module docstring)."""
    inside = inside.strip()
    if _IDENTIFIER.fullmatch(inside):
        return True
    if not _WORDS.fullmatch(inside):
        return False
    words = [
        w.lower().removesuffix("'s").removesuffix("\u2019s")
        for w in _WORD_SEPARATORS.split(inside)
        if w
    ]
    if not words or any(w not in _KNOWN_WORDS for w in words):
        return False
    if any(w in _VALUE_WORDS for w in words):
        return True
    return any(w in _CONTEXT_WORDS for w in words) and any(w in _POINTING_WORDS for w in words)


def describe(placeholders: tuple[str, ...]) -> str:
    """``the placeholder {{name}}`` or ``the placeholders {{name}} and [Date]``."""
    if len(placeholders) == 1:
        return f"the placeholder {placeholders[0]}"
    return f"the placeholders {', '.join(placeholders[:-1])} and {placeholders[-1]}"


def fill_in(placeholders: tuple[str, ...]) -> str:
    """What to do about them: the agent fills in what it knows and asks the user the rest."""
    if len(placeholders) == 1:
        return "replace it with the real value, or ask the user for it"
    return "replace them with the real values, or ask the user for them"


__all__ = ["MAX_INSIDE_CHARS", "describe", "fill_in", "find_placeholders"]
