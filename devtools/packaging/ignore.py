"""Which files a plugin package holds: the Dify CLI's `.difyignore` rules, matched by `pathspec`.

`dify plugin package` reads `.difyignore` (or `.gitignore` when there is none; with neither,
nothing is excluded: there are no built-in excludes), trims every line, skips blank lines and `#`
comments, and walks the plugin folder. A file or folder is left out as soon as ONE pattern excludes
it, and a left-out folder is not entered. `!pattern` lines never re-include anything: the CLI
checks each pattern on its own and stops at the first exclusion, so a negation is a no-op there.
Source: `Walk` in
https://github.com/langgenius/dify-plugin-daemon/blob/main/pkg/plugin_packager/decoder/fs.go

Each pattern is matched with gitignore wildcard rules (`*`, `?`, `[...]`, `**`, a trailing `/` for
folders only, a leading or inner `/` anchoring to the root); `pathspec` implements them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pathspec import GitIgnoreSpec

IGNORE_FILES = (".difyignore", ".gitignore")
NEGATION_PREFIX = "!"
COMMENT_PREFIX = "#"


@dataclass(frozen=True)
class IgnoreRules:
    """The exclude patterns in force for one plugin folder.

    `negations` are the `!` lines the file holds: the CLI ignores them, so they are kept only to
    warn the maintainer that they do not re-include anything.
    """

    spec: GitIgnoreSpec
    negations: tuple[str, ...] = ()
    source: Path | None = None

    @classmethod
    def from_lines(cls, lines: Iterable[str], source: Path | None = None) -> IgnoreRules:
        patterns: list[str] = []
        negations: list[str] = []
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith(COMMENT_PREFIX):
                continue
            (negations if line.startswith(NEGATION_PREFIX) else patterns).append(line)
        return cls(GitIgnoreSpec.from_lines(patterns), tuple(negations), source)

    @classmethod
    def for_root(cls, root: Path, *, fallback: Path | None = None) -> IgnoreRules:
        """The CLI's choice for `root`: `.difyignore`, else `.gitignore`, else nothing ignored.

        `fallback` is a folder whose ignore file applies when `root` has none of its own (a plugin
        kept in a sub-folder of this repository inherits the repository's rules).
        """
        for folder in (root, fallback):
            if folder is None:
                continue
            for name in IGNORE_FILES:
                candidate = folder / name
                if candidate.is_file():
                    text = candidate.read_text(encoding="utf-8")
                    return cls.from_lines(text.splitlines(), candidate)
        return cls(GitIgnoreSpec.from_lines([]))

    def excludes(self, rel_path: str, *, is_dir: bool) -> bool:
        """Whether a pattern excludes this entry itself (its parent folders are not consulted)."""
        return self.spec.match_file(rel_path + "/" if is_dir else rel_path)

    def walk(self, root: Path, prefix: str = "") -> Iterator[str]:
        """Relative POSIX paths of the files under `root` the rules keep (unsorted).

        Excluded folders are not entered, as in the CLI; symlinked folders are not followed.
        `prefix` places the tree inside the package (a shared package copied into a plugin is
        matched at the path it will have there).
        """
        for dirpath, dirnames, filenames in os.walk(root):
            rel_dir = Path(dirpath).relative_to(root).as_posix()
            base = prefix + ("" if rel_dir == "." else rel_dir + "/")
            dirnames[:] = [
                name
                for name in dirnames
                if not Path(dirpath, name).is_symlink()
                and not self.excludes(base + name, is_dir=True)
            ]
            for name in filenames:
                if not self.excludes(base + name, is_dir=False):
                    yield base + name
