"""Regular expressions run on text anyone can send: matched in linear time, or refused.

A trigger's ``regex`` filter runs on every inbound message, whose text the sender chooses.
Python's ``re`` backtracks: ``^(\\w+\\s?)*$`` on a 28-character SMS takes seconds (each further
character doubles it), and the match holds the plugin's worker all that time, so one message
would stall every other webhook. RE2 (Google's engine, the ``google-re2`` package, a binary
wheel like the SDK's own gevent and pydantic-core) never backtracks: any pattern matches in
time linear in the text. The price is that RE2 has no look-arounds and no back-references;
a pattern using them is refused when it is read, with RE2's reason.

The engine is chosen here and only here. Without ``google-re2`` installed a pattern is refused
rather than run on Python's ``re``: a filter that can stall the plugin is worse than none.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Final

COMPILED_PATTERNS_KEPT: Final = 64
"""Filters are read on every event; recompiling the few patterns in use each time is waste."""
ENGINE_PACKAGE: Final = "google-re2"
SYNTAX_HINT: Final = (
    "the filter uses RE2 syntax, which is Python's without look-arounds such as (?=...) or "
    "(?!...), back-references such as \\1, and \\Z (write \\z or $ for the end of the text)"
)


class PatternError(ValueError):
    """The pattern cannot be used; ``reason`` says why, in words meant for the builder."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LinearPattern:
    """A compiled pattern whose matching time grows linearly with the text, whatever it is."""

    source: str
    compiled: Any = field(repr=False, compare=False)

    def search(self, text: str) -> bool:
        """Whether the pattern matches somewhere in ``text``."""
        return self.compiled.search(text) is not None


@functools.lru_cache(maxsize=COMPILED_PATTERNS_KEPT)
def compile_linear(source: str) -> LinearPattern:
    """Raises :class:`PatternError` for a pattern RE2 cannot run, or when RE2 is missing."""
    engine = _engine()
    if engine is None:
        raise PatternError(
            f"matching needs the {ENGINE_PACKAGE} package, which the plugin's requirements "
            "install; reinstall the plugin"
        )
    options = engine.Options()
    options.log_errors = False  # RE2 would print the pattern to stderr; the error says it
    try:
        compiled = engine.compile(source, options=options)
    except engine.error as error:
        raise PatternError(f"{_reason(error)}; {SYNTAX_HINT}") from None
    return LinearPattern(source, compiled)


@functools.cache
def _engine() -> Any:
    """The ``re2`` module, or ``None`` when it is not installed."""
    try:
        import re2  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        return None
    return re2


def _reason(error: Exception) -> str:
    detail = error.args[0] if error.args else ""
    if isinstance(detail, bytes):
        detail = detail.decode("utf-8", "replace")
    return str(detail) or "RE2 cannot compile it"


__all__ = ["ENGINE_PACKAGE", "LinearPattern", "PatternError", "compile_linear"]
