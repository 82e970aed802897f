"""A small gitignore matcher: the Dify CLI selects package files with `.difyignore` rules.

The CLI reads `.difyignore` (or `.gitignore` when there is none) with gitignore rules and has no
built-in excludes, so this matcher follows git's rules closely enough that our package contains
exactly what the CLI would put in it:

- blank lines and `#` comments are skipped (`\\#` and `\\!` escape a leading `#` / `!`);
- trailing spaces are dropped unless escaped with a backslash;
- `!` negates: the last matching rule wins;
- a trailing `/` matches directories only;
- a `/` at the start or in the middle anchors the pattern to the root; otherwise it matches at any
  depth;
- `*` and `?` never match `/`; `[...]` is a character class; `**/`, `/**/` and `/**` span
  directories;
- an ignored directory prunes its whole subtree, so nothing below it can be re-included.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

IGNORE_FILES = (".difyignore", ".gitignore")


@dataclass(frozen=True)
class IgnoreRule:
    """One parsed pattern line."""

    pattern: str
    regex: re.Pattern[str]
    negated: bool
    dir_only: bool

    def matches(self, rel_path: str, *, is_dir: bool) -> bool:
        if self.dir_only and not is_dir:
            return False
        return self.regex.fullmatch(rel_path) is not None


def _strip_trailing_spaces(line: str) -> str:
    end = len(line)
    while end > 0 and line[end - 1] == " ":
        backslashes = 0
        i = end - 2
        while i >= 0 and line[i] == "\\":
            backslashes += 1
            i -= 1
        if backslashes % 2 == 1:  # "\ " keeps the space
            break
        end -= 1
    return line[:end]


def _translate_class(pattern: str, start: int) -> tuple[str, int] | None:
    """Translate `[...]` at `start`; None when the bracket is not closed (it is then literal)."""
    i = start + 1
    negate = i < len(pattern) and pattern[i] in "!^"
    if negate:
        i += 1
    body_start = i
    if i < len(pattern) and pattern[i] == "]":  # a leading ] is a member
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    if i >= len(pattern):
        return None
    members: list[str] = []
    j = body_start
    while j < i:
        ch = pattern[j]
        if ch == "\\" and j + 1 < i:
            members.append(re.escape(pattern[j + 1]))
            j += 2
            continue
        is_range = ch == "-" and j != body_start and j + 1 < i
        members.append("-" if is_range else re.escape(ch))
        j += 1
    body = "".join(members)
    regex = f"[^/{body}]" if negate else f"(?!/)[{body}]"
    return regex, i + 1


def _translate(body: str) -> str:
    """Translate an anchored glob (no leading or trailing slash) into a regex over POSIX paths."""
    out: list[str] = []
    i = 0
    n = len(body)
    while i < n:
        ch = body[i]
        if ch == "*":
            j = i
            while j < n and body[j] == "*":
                j += 1
            stars = j - i
            at_segment_start = i == 0 or body[i - 1] == "/"
            at_segment_end = j == n or body[j] == "/"
            if stars >= 2 and at_segment_start and at_segment_end:
                if j == n:
                    out.append(".*")  # "x/**": everything inside; "**": everything
                else:
                    out.append("(?:.*/)?")  # "**/x" or "x/**/y": zero or more directories
                    j += 1  # the "/" is part of the group
            else:
                out.append("[^/]*")
            i = j
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[":
            translated = _translate_class(body, i)
            if translated is None:
                out.append(re.escape(ch))
                i += 1
            else:
                out.append(translated[0])
                i = translated[1]
        elif ch == "\\" and i + 1 < n:
            out.append(re.escape(body[i + 1]))
            i += 2
        else:
            out.append(re.escape(ch))
            i += 1
    return "".join(out)


def parse_rule(line: str) -> IgnoreRule | None:
    """Parse one line of an ignore file; None for blank lines and comments."""
    line = line.rstrip("\r\n")
    if not line.strip() or line.startswith("#"):
        return None
    line = _strip_trailing_spaces(line)
    negated = line.startswith("!")
    if negated or line.startswith(("\\!", "\\#")):
        line = line[1:]
    dir_only = line.endswith("/")
    body = line.rstrip("/")
    if not body:
        return None
    anchored = "/" in body
    body = body.lstrip("/")
    regex = _translate(body)
    if not anchored:
        regex = "(?:.*/)?" + regex
    return IgnoreRule(line, re.compile(regex, re.DOTALL), negated, dir_only)


class IgnoreMatcher:
    """Decides which paths (relative, POSIX) an ignore file excludes."""

    def __init__(self, rules: Iterable[IgnoreRule]) -> None:
        self.rules: tuple[IgnoreRule, ...] = tuple(rules)

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> IgnoreMatcher:
        return cls(rule for rule in (parse_rule(line) for line in lines) if rule is not None)

    @classmethod
    def from_text(cls, text: str) -> IgnoreMatcher:
        return cls.from_lines(text.splitlines())

    @classmethod
    def for_root(cls, root: Path) -> IgnoreMatcher:
        """The CLI's choice: `.difyignore`, else `.gitignore`, else nothing is ignored."""
        for name in IGNORE_FILES:
            candidate = root / name
            if candidate.is_file():
                return cls.from_text(candidate.read_text(encoding="utf-8"))
        return cls(())

    def matches(self, rel_path: str, *, is_dir: bool) -> bool:
        """Whether the rules exclude this entry itself (ignoring its parent directories)."""
        ignored = False
        for rule in self.rules:
            if rule.negated == ignored and rule.matches(rel_path, is_dir=is_dir):
                ignored = not rule.negated
        return ignored

    def is_ignored(self, rel_path: str, *, is_dir: bool = False) -> bool:
        """Whether the path is excluded, either itself or because a parent directory is pruned."""
        parts = rel_path.strip("/").split("/")
        for depth in range(1, len(parts)):
            if self.matches("/".join(parts[:depth]), is_dir=True):
                return True
        return self.matches("/".join(parts), is_dir=is_dir)

    def walk(self, root: Path) -> Iterator[str]:
        """Yield the relative POSIX paths of the files under root that are not ignored (unsorted).

        Ignored directories are pruned before descending, as the CLI does; symlinked directories are
        not followed.
        """
        for dirpath, dirnames, filenames in os.walk(root):
            rel_dir = Path(dirpath).relative_to(root).as_posix()
            prefix = "" if rel_dir == "." else rel_dir + "/"
            kept: list[str] = []
            for name in dirnames:
                if Path(dirpath, name).is_symlink():
                    continue
                if not self.matches(prefix + name, is_dir=True):
                    kept.append(name)
            dirnames[:] = kept
            for name in filenames:
                rel = prefix + name
                if not self.matches(rel, is_dir=False):
                    yield rel
