"""Decode and validate a plugin declaration the way the daemon does before it packages or installs.

`dify plugin package` decodes `manifest.yaml`, every provider YAML listed under `plugins.tools` and
every tool YAML those list, validates the manifest with the daemon's rules (dify-plugin-runtime.md
§3) and checks that the icons exist under `_assets/`. Both the packager (files on disk) and the
validator (files in a zip) run the same code, so a package we build is one the daemon would accept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml

from devtools.packaging.errors import PackagingError

MANIFEST = "manifest.yaml"
ASSETS_DIR = "_assets"

VERSION_RE = re.compile(r"^\d{1,4}(\.\d{1,4}){2}(-\w{1,16})?$")
AUTHOR_RE = re.compile(r"^[a-z0-9_-]{1,64}$")
NAME_RE = re.compile(r"^[a-z0-9_-]{1,128}$")
UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
IDENTITY_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]+$")
I18N_MAX_CHARS = 1023
ICON_MAX_CHARS = 128
PLUGIN_PATH_MAX_CHARS = 128
ARCHES = frozenset({"amd64", "arm64"})
RUNNER_LANGUAGES = frozenset({"python"})
# Dify's tool label enum (ToolLabelEnum) plus `trigger`: the daemon rejects any other tag.
TAGS = frozenset(
    {
        "search",
        "image",
        "videos",
        "weather",
        "finance",
        "design",
        "travel",
        "social",
        "news",
        "medical",
        "productivity",
        "education",
        "business",
        "entertainment",
        "utilities",
        "agent",
        "rag",
        "other",
        "trigger",
    }
)
PLUGIN_KINDS = ("tools", "endpoints", "models", "agent_strategies", "datasources", "triggers")
COMBINABLE_KINDS = frozenset({"tools", "endpoints"})


@dataclass(frozen=True)
class PluginDeclaration:
    """The decoded manifest plus the provider and tool YAMLs it references (path → mapping)."""

    manifest: Mapping[str, Any]
    providers: Mapping[str, Mapping[str, Any]]
    tools: Mapping[str, Mapping[str, Any]]
    icons: tuple[str, ...] = field(default=())

    @property
    def author(self) -> str:
        return str(self.manifest["author"])

    @property
    def name(self) -> str:
        return str(self.manifest["name"])

    @property
    def version(self) -> str:
        return str(self.manifest["version"])


class _Problems:
    """Collects every problem so one run reports all of them, not just the first."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            raise PackagingError("\n".join(self.items))


def _load_mapping(
    path: str, names: Collection[str], read: Callable[[str], bytes], problems: _Problems
) -> Mapping[str, Any] | None:
    """A declaration file as a mapping, or None with the problem recorded (so all are listed)."""
    try:
        data = _load_yaml(path, names, read)
    except PackagingError as exc:
        problems.items.append(str(exc))
        return None
    if not isinstance(data, Mapping):
        problems.add(path, "must be a YAML mapping")
        return None
    return data


def _load_yaml(path: str, names: Collection[str], read: Callable[[str], bytes]) -> Any:
    if path not in names:
        raise PackagingError(f"{path}: file not found in the plugin (or excluded by .difyignore)")
    try:
        return yaml.safe_load(read(path).decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PackagingError(f"{path}: not UTF-8 text ({exc})") from exc
    except yaml.YAMLError as exc:
        raise PackagingError(f"{path}: invalid YAML: {exc}") from exc


def _check_i18n(problems: _Problems, where: str, value: Any) -> None:
    if not isinstance(value, Mapping):
        problems.add(where, "must be a mapping of language → text with an en_US entry")
        return
    text = value.get("en_US")
    if not isinstance(text, str) or not 1 <= len(text) <= I18N_MAX_CHARS:
        problems.add(f"{where}.en_US", f"required text of 1 to {I18N_MAX_CHARS} characters")


def _check_str(
    problems: _Problems, where: str, value: Any, pattern: re.Pattern[str] | None = None
) -> bool:
    if not isinstance(value, str) or not value:
        problems.add(where, f"required string, got {value!r}")
        return False
    if pattern is not None and not pattern.fullmatch(value):
        problems.add(where, f"{value!r} does not match {pattern.pattern}")
        return False
    return True


def _check_manifest(manifest: Mapping[str, Any], problems: _Problems) -> list[str]:
    """Apply the daemon's manifest rules; returns the provider YAML paths it lists."""
    version = manifest.get("version")
    if isinstance(version, str) and not VERSION_RE.fullmatch(version):
        problems.add("version", f"{version!r} must be x.y.z (e.g. 0.1.0)")
    elif not isinstance(version, str):
        problems.add("version", f"must be an x.y.z string (e.g. 0.1.0), got {version!r}")
    if manifest.get("type") != "plugin":
        problems.add("type", f"must be 'plugin', got {manifest.get('type')!r}")
    author = manifest.get("author")
    if _check_str(problems, "author", author, AUTHOR_RE) and UUID_RE.fullmatch(str(author)):
        problems.add("author", "must not be a UUID")
    _check_str(problems, "name", manifest.get("name"), NAME_RE)
    _check_i18n(problems, "label", manifest.get("label"))
    _check_i18n(problems, "description", manifest.get("description"))
    for key in ("icon", "icon_dark"):
        icon = manifest.get(key)
        if key == "icon_dark" and icon is None:
            continue
        if _check_str(problems, key, icon) and len(str(icon)) > ICON_MAX_CHARS:
            problems.add(key, f"at most {ICON_MAX_CHARS} characters")
    created_at = manifest.get("created_at")
    if isinstance(created_at, str):
        try:
            datetime.fromisoformat(created_at)
        except ValueError:
            problems.add("created_at", f"{created_at!r} is not an RFC 3339 date-time")
    elif created_at is not None and not isinstance(created_at, datetime):
        problems.add("created_at", f"must be an RFC 3339 date-time, got {created_at!r}")
    tags = manifest.get("tags", [])
    if not isinstance(tags, list):
        problems.add("tags", "must be a list")
    else:
        for tag in tags:
            if tag not in TAGS:
                problems.add("tags", f"unknown tag {tag!r} (allowed: {', '.join(sorted(TAGS))})")
    resource = manifest.get("resource")
    memory = resource.get("memory") if isinstance(resource, Mapping) else None
    if not isinstance(memory, int) or isinstance(memory, bool) or memory <= 0:
        problems.add("resource.memory", f"required positive integer (bytes), got {memory!r}")
    meta = manifest.get("meta")
    if not isinstance(meta, Mapping):
        problems.add("meta", "required mapping with version, arch and runner")
    else:
        meta_version = meta.get("version")
        if not isinstance(meta_version, str) or not VERSION_RE.fullmatch(meta_version):
            problems.add("meta.version", f"must be x.y.z (e.g. 0.0.1), got {meta_version!r}")
        arch = meta.get("arch")
        if not isinstance(arch, list) or not arch or any(a not in ARCHES for a in arch):
            problems.add("meta.arch", f"non-empty list of {sorted(ARCHES)}, got {arch!r}")
        runner = meta.get("runner")
        if not isinstance(runner, Mapping):
            problems.add("meta.runner", "required mapping with language, version, entrypoint")
        else:
            if runner.get("language") not in RUNNER_LANGUAGES:
                problems.add(
                    "meta.runner.language", f"must be python, got {runner.get('language')!r}"
                )
            if not isinstance(runner.get("version"), str):
                problems.add(
                    "meta.runner.version",
                    f'must be a quoted string such as "3.12", got {runner.get("version")!r}',
                )
            _check_str(problems, "meta.runner.entrypoint", runner.get("entrypoint"))
    plugins = manifest.get("plugins")
    if not isinstance(plugins, Mapping):
        problems.add("plugins", "required mapping with a non-empty tools list")
        return []
    kinds = [kind for kind in PLUGIN_KINDS if plugins.get(kind)]
    if len(kinds) > 1 and not set(kinds) <= COMBINABLE_KINDS:
        problems.add("plugins", f"only tools and endpoints may be combined, got {kinds}")
    tools = plugins.get("tools")
    if not isinstance(tools, list) or not tools:
        problems.add("plugins.tools", "required non-empty list of provider YAML paths")
        return []
    paths: list[str] = []
    for index, path in enumerate(tools):
        where = f"plugins.tools[{index}]"
        if _check_str(problems, where, path):
            if len(path) > PLUGIN_PATH_MAX_CHARS:
                problems.add(where, f"path longer than {PLUGIN_PATH_MAX_CHARS} characters")
            paths.append(path)
    return paths


def _check_source(
    problems: _Problems, where: str, document: Mapping[str, Any], names: Collection[str]
) -> None:
    extra = document.get("extra")
    python = extra.get("python") if isinstance(extra, Mapping) else None
    source = python.get("source") if isinstance(python, Mapping) else None
    if source is None:
        return
    if not isinstance(source, str) or source not in names:
        problems.add(f"{where}: extra.python.source", f"{source!r} not found in the plugin")


def load_declaration(names: Collection[str], read: Callable[[str], bytes]) -> PluginDeclaration:
    """Decode and validate manifest, provider and tool YAMLs from a set of plugin files.

    `names` are the relative POSIX paths that will be (or are) in the package; `read` returns a
    file's bytes. Raises PackagingError listing every problem found.
    """
    manifest = _load_yaml(MANIFEST, names, read)
    if not isinstance(manifest, Mapping):
        raise PackagingError(f"{MANIFEST}: must be a YAML mapping")
    problems = _Problems()
    provider_paths = _check_manifest(manifest, problems)
    problems.raise_if_any()

    providers: dict[str, Mapping[str, Any]] = {}
    tools: dict[str, Mapping[str, Any]] = {}
    icons: list[str] = [str(manifest["icon"])]
    if isinstance(manifest.get("icon_dark"), str):
        icons.append(manifest["icon_dark"])
    for provider_path in provider_paths:
        provider = _load_mapping(provider_path, names, read, problems)
        if provider is None:
            continue
        providers[provider_path] = provider
        identity = provider.get("identity")
        if not isinstance(identity, Mapping):
            problems.add(provider_path, "identity: required mapping")
        else:
            _check_str(
                problems, f"{provider_path}: identity.name", identity.get("name"), IDENTITY_NAME_RE
            )
            _check_i18n(problems, f"{provider_path}: identity.label", identity.get("label"))
            for key in ("icon", "icon_dark"):
                icon = identity.get(key)
                if key == "icon_dark" and icon is None:
                    continue
                if _check_str(problems, f"{provider_path}: identity.{key}", icon):
                    icons.append(str(icon))
        credentials = provider.get("credentials_for_provider")
        if credentials is not None and not isinstance(credentials, Mapping):
            problems.add(
                provider_path,
                "credentials_for_provider must be a mapping name → config (a list crashes the SDK)",
            )
        _check_source(problems, provider_path, provider, names)
        tool_paths = provider.get("tools", [])
        if not isinstance(tool_paths, list):
            problems.add(provider_path, "tools: must be a list of tool YAML paths")
            continue
        for tool_path in tool_paths:
            if not isinstance(tool_path, str):
                problems.add(provider_path, f"tools: entry {tool_path!r} is not a path")
                continue
            tool = _load_mapping(tool_path, names, read, problems)
            if tool is None:
                continue
            tools[tool_path] = tool
            tool_identity = tool.get("identity")
            if not isinstance(tool_identity, Mapping):
                problems.add(tool_path, "identity: required mapping")
            else:
                _check_str(
                    problems,
                    f"{tool_path}: identity.name",
                    tool_identity.get("name"),
                    IDENTITY_NAME_RE,
                )
            _check_source(problems, tool_path, tool, names)

    for icon in icons:
        if f"{ASSETS_DIR}/{icon}" not in names:
            problems.add("icon", f"plugin icon not found: {ASSETS_DIR}/{icon}")
    problems.raise_if_any()
    return PluginDeclaration(manifest, providers, tools, tuple(dict.fromkeys(icons)))
