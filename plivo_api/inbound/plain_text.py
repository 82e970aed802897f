"""An app's answer as a phone shows it: no reasoning, no markdown, just the words.

Dify keeps a reasoning model's thoughts in the answer by default (``<think>…</think>``, or the
``<details>`` block it renders them in), and LLMs answer in markdown. A phone shows both as
written: the customer would read the model's reasoning and ``**asterisks**``, and pay for the
segments. So reasoning blocks are removed (an unclosed one to the end of the answer: what
follows an unfinished thought is more thought; a closing tag without an opening one, which some
model templates produce, ends reasoning that started with the answer), and markdown becomes the
plain text a person would type:

- ``**bold**``, ``*italic*``, ``_italic_``, ``~~struck~~`` and `` `code` `` lose their marks;
- ``[text](url)`` becomes ``text (url)``, an image ``![alt](url)`` too, ``<https://…>`` the URL;
- headings, block quotes and code fences lose their markers, code keeps its lines as written;
- list items keep a ``- `` marker (numbered ones their number), rules and table borders go.

Underscores and asterisks inside words (``snake_case``, ``2*3*4``) are left alone.
"""

from __future__ import annotations

import re
from typing import Final

_REASONING_TAGS: Final = ("think", "thinking", "details")
_BLOCK = {
    tag: re.compile(rf"<{tag}\b[^>]*>(?:(?!<{tag}\b).)*?</{tag}\s*>", re.IGNORECASE | re.DOTALL)
    for tag in _REASONING_TAGS
}
_UNCLOSED = {
    tag: re.compile(rf"<{tag}\b[^>]*>.*", re.IGNORECASE | re.DOTALL) for tag in _REASONING_TAGS
}
_LEADING_CLOSE = re.compile(r"^.*?</think(?:ing)?\s*>", re.IGNORECASE | re.DOTALL)

_FENCE = re.compile(
    r"^[ \t]*(`{3,}|~{3,})[^\n]*\n(.*?)(?:^[ \t]*\1[ \t]*$|\Z)", re.MULTILINE | re.DOTALL
)
_INLINE_CODE = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_PLACEHOLDER = "\x00{}\x00"
_PLACEHOLDER_BACK = re.compile("\x00(\\d+)\x00")

_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_LINK = re.compile(r"\[([^\]\n]+)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>\s]+)>")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)

_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_SETEXT_UNDERLINE = re.compile(r"^[ \t]{0,3}(?:=+|-+)[ \t]*$")
_RULE = re.compile(
    r"^[ \t]{0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$", re.MULTILINE
)
_QUOTE = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+", re.MULTILINE)
_BULLET = re.compile(r"^([ \t]*)[*+\-•][ \t]+(?:\[[ xX]\][ \t]+)?", re.MULTILINE)
_TABLE_BORDER = re.compile(
    r"^[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*:?-*:?[ \t]*\|?[ \t]*(?:\n|$)", re.MULTILINE
)

_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.DOTALL)
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~", re.DOTALL)
_EM_STAR = re.compile(r"(?<![\w*\\])\*(?=[^\s*])(.+?)(?<=[^\s*\\])\*(?![\w*])", re.DOTALL)
_EM_UNDERSCORE = re.compile(r"(?<![\w\\])_(?=[^\s_])(.+?)(?<=[^\s_\\])_(?!\w)", re.DOTALL)
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!~>|])")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")


def without_reasoning(answer: str) -> str:
    """``answer`` without ``<think>``/``<details>`` blocks, nested or unclosed."""
    text = _LEADING_CLOSE.sub("", answer, count=1) if _opens_late(answer) else answer
    for tag in _REASONING_TAGS:
        block = _BLOCK[tag]
        while True:  # innermost first, so a nested block is removed whole
            text, removed = block.subn("", text)
            if not removed:
                break
        text = _UNCLOSED[tag].sub("", text)
    return text


def plain_text(answer: str) -> str:
    """The answer as plain text for an SMS: reasoning removed, markdown turned into words."""
    text = without_reasoning(answer).replace("\r\n", "\n").replace("\x00", "")
    kept: list[str] = []

    def keep(code: str) -> str:
        kept.append(code)
        return _PLACEHOLDER.format(len(kept) - 1)

    text = _FENCE.sub(lambda m: keep(m.group(2).rstrip("\n")), text)
    text = _INLINE_CODE.sub(lambda m: keep(m.group(2).strip()), text)
    text = _BR.sub("\n", text)
    text = _IMAGE.sub(lambda m: _labelled(m.group(1), m.group(2)), text)
    text = _LINK.sub(lambda m: _labelled(m.group(1), m.group(2)), text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _without_setext_underlines(text)
    text = _HEADING.sub(r"\1", text)
    text = _RULE.sub("", text)
    text = _TABLE_BORDER.sub("", text)
    text = _QUOTE.sub("", text)
    text = _BULLET.sub(r"\1- ", text)
    for pattern in (_STRONG, _STRIKE, _EM_STAR, _EM_UNDERSCORE):
        previous = None
        while previous != text:  # nested emphasis: ***both*** or **bold _and italic_**
            previous = text
            text = pattern.sub(lambda m: m.group(m.lastindex or 0), text)
    text = _ESCAPED.sub(r"\1", text)
    text = _PLACEHOLDER_BACK.sub(lambda m: kept[int(m.group(1))], text)
    text = _TRAILING_SPACE.sub("", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def _opens_late(answer: str) -> bool:
    """A ``</think>`` before any ``<think>``: the reasoning began with the answer itself."""
    lowered = answer.lower()
    close = lowered.find("</think")
    if close < 0:
        return False
    opening = lowered.find("<think")
    return opening < 0 or opening > close


def _labelled(label: str, url: str) -> str:
    label = label.strip()
    if not label or label == url or label == url.removeprefix("mailto:"):
        return url.removeprefix("mailto:")
    return f"{label} ({url.removeprefix('mailto:')})"


def _without_setext_underlines(text: str) -> str:
    """``Title`` over a line of ``===`` or ``---`` is a heading: the underline goes."""
    lines = text.split("\n")
    kept: list[str] = []
    for line in lines:
        if kept and kept[-1].strip() and _SETEXT_UNDERLINE.match(line) and not _is_list(kept[-1]):
            continue
        kept.append(line)
    return "\n".join(kept)


def _is_list(line: str) -> bool:
    return bool(_BULLET.match(line))


__all__ = ["plain_text", "without_reasoning"]
