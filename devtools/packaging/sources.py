"""The plugins this repository holds, and the files each package is made of.

A Dify plugin is one folder with its own `manifest.yaml`, packaged on its own; a trigger cannot
share a plugin with tools. So the repository root is the tool plugin, and a trigger plugin lives in
a sub-folder. The sub-folder keeps no copy of the shared client package: the packager copies the
top-level package into the trigger's package, so each `.difypkg` is self-contained while the
source exists once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from devtools.packaging.declaration import MANIFEST
from devtools.packaging.errors import PackagingError
from devtools.packaging.ignore import IgnoreRules

# Sub-folder plugin → top-level packages copied into its package root.
SUB_PLUGINS: Mapping[str, tuple[str, ...]] = {"plivo_trigger": ("plivo_api",)}
TOOL_PLUGIN_LABEL = "tool plugin"


@dataclass(frozen=True)
class PluginSource:
    """One plugin: its folder, plus repository folders copied in under a package path.

    `ignore_fallback` is the folder whose ignore file applies when `root` has none (a sub-folder
    plugin inherits the repository's `.difyignore`, so caches and secrets stay out either way).
    """

    root: Path
    shared: Mapping[str, Path] = field(default_factory=dict)
    ignore_fallback: Path | None = None
    name: str = ""

    @property
    def label(self) -> str:
        """How reports name the plugin: its folder, or the name it was given."""
        return self.name or self.root.name

    def ignore_rules(self) -> IgnoreRules:
        return IgnoreRules.for_root(self.root, fallback=self.ignore_fallback)

    def collect(self, *, exclude_dir: Path | None = None) -> dict[str, Path]:
        """Package path → file on disk, sorted by package path.

        `exclude_dir` (the output directory, when it lies inside root) is skipped as well, so an
        output directory that the ignore file forgot cannot make a package swallow its predecessor.
        """
        rules = self.ignore_rules()
        prefix: str | None = None
        if exclude_dir is not None:
            try:
                prefix = exclude_dir.resolve().relative_to(self.root.resolve()).as_posix() + "/"
            except ValueError:
                prefix = None
        files = {
            rel: self.root / rel
            for rel in rules.walk(self.root)
            if prefix is None or not rel.startswith(prefix)
        }
        for name, folder in self.shared.items():
            if (self.root / name).exists():
                raise PackagingError(
                    f"{self.root / name} exists, but the packager copies {folder} there: "
                    f"delete {self.root / name} (the shared code lives at the repository root)"
                )
            if not folder.is_dir():
                raise PackagingError(f"{folder}: shared package not found")
            if rules.excludes(name, is_dir=True):
                continue
            for rel in rules.walk(folder, prefix=f"{name}/"):
                files[rel] = folder / rel.removeprefix(f"{name}/")
        return dict(sorted(files.items()))


def repository_plugins(repo: Path) -> list[PluginSource]:
    """The tool plugin at `repo`, then every sub-folder plugin that has a manifest."""
    plugins = [PluginSource(repo, name=TOOL_PLUGIN_LABEL)]
    for folder, shared in SUB_PLUGINS.items():
        root = repo / folder
        if (root / MANIFEST).is_file():
            plugins.append(
                PluginSource(root, {name: repo / name for name in shared}, ignore_fallback=repo)
            )
    return plugins
