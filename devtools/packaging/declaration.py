"""Decode and check a plugin declaration the way the daemon and the SDK do before they accept it.

`dify plugin package` decodes `manifest.yaml` and every YAML it references (providers and tools,
endpoint groups and endpoints, trigger providers and events), validates them and checks that every
icon exists under `_assets/`. The packager (files on disk) and the validator (files in a zip) run
this same code, so a package we build is one the daemon would accept;
`tests/tools/test_declarations.py` runs it on the repository's own plugins.

Manifest rules: `PluginDeclaration.ManifestValidate` and the struct tags in
https://github.com/langgenius/dify-plugin-daemon/blob/main/pkg/entities/plugin_entities/plugin_declaration.go
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from packaging.version import InvalidVersion, Version

from devtools.packaging.errors import PackagingError
from devtools.packaging.findings import Finding
from devtools.packaging.kinds import (
    Collected,
    check_endpoint_group,
    check_tool_provider,
    check_trigger_provider,
)
from devtools.packaging.rules import (
    Problems,
    Reader,
    check_i18n,
    check_str,
    load_yaml,
    lookup,
)

MANIFEST = "manifest.yaml"
ASSETS_DIR = "_assets"

VERSION_RE = re.compile(r"^\d{1,4}(\.\d{1,4}){2}(-\w{1,16})?$")
AUTHOR_RE = re.compile(r"^[a-z0-9_-]{1,64}$")
NAME_RE = re.compile(r"^[a-z0-9_-]{1,128}$")
UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
ICON_MAX_CHARS = 128
PLUGIN_PATH_MAX_CHARS = 128
ARCHES = frozenset({"amd64", "arm64"})
RUNNER_LANGUAGES = frozenset({"python"})
# The daemon's plugin tag enum (manifest_entities/tags.go): any other tag is rejected.
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
TOOLS, ENDPOINTS, TRIGGERS = "tools", "endpoints", "triggers"
PLUGIN_KINDS = (TOOLS, ENDPOINTS, "models", "agent_strategies", "datasources", TRIGGERS)
CHECKED_KINDS = frozenset({TOOLS, ENDPOINTS, TRIGGERS})
COMBINABLE_KINDS = frozenset({TOOLS, ENDPOINTS})  # every other kind must be alone
# Triggers need Dify 1.10.0 and dify_plugin 0.6.0 (the SDK's README feature table).
TRIGGER_MIN_DIFY_VERSION = Version("1.10.0")
PERMISSIONS = ("tool", "model", "node", "endpoint", "app", "storage")
STORAGE_MIN_BYTES = 1024
STORAGE_MAX_BYTES = 1_073_741_824  # 1 GiB

type KindChecker = Callable[[str, Collection[str], Reader, Problems, Collected], None]
KIND_CHECKERS: Mapping[str, KindChecker] = {
    TOOLS: check_tool_provider,
    ENDPOINTS: check_endpoint_group,
    TRIGGERS: check_trigger_provider,
}


@dataclass(frozen=True)
class PluginDeclaration:
    """The decoded manifest plus every declaration YAML it references (path → mapping)."""

    manifest: Mapping[str, Any]
    files: Mapping[str, Mapping[str, Any]]
    kinds: tuple[str, ...]
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

    @property
    def is_trigger(self) -> bool:
        return TRIGGERS in self.kinds


def _check_identity_fields(manifest: Mapping[str, Any], problems: Problems) -> None:
    version = manifest.get("version")
    if isinstance(version, str) and not VERSION_RE.fullmatch(version):
        problems.add("version", f"{version!r} must be x.y.z (e.g. 0.1.0)")
    elif not isinstance(version, str):
        problems.add("version", f"must be an x.y.z string (e.g. 0.1.0), got {version!r}")
    if manifest.get("type") != "plugin":
        problems.add("type", f"must be 'plugin', got {manifest.get('type')!r}")
    author = manifest.get("author")
    if check_str(problems, "author", author, AUTHOR_RE) and UUID_RE.fullmatch(str(author)):
        problems.add("author", "must not be a UUID")
    check_str(problems, "name", manifest.get("name"), NAME_RE)
    check_i18n(problems, "label", manifest.get("label"))
    check_i18n(problems, "description", manifest.get("description"))
    for key in ("icon", "icon_dark"):
        icon = manifest.get(key)
        if key == "icon_dark" and icon is None:
            continue
        if check_str(problems, key, icon) and len(str(icon)) > ICON_MAX_CHARS:
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


def _check_meta(manifest: Mapping[str, Any], problems: Problems) -> None:
    meta = manifest.get("meta")
    if not isinstance(meta, Mapping):
        problems.add("meta", "required mapping with version, arch and runner")
        return
    meta_version = meta.get("version")
    if not isinstance(meta_version, str) or not VERSION_RE.fullmatch(meta_version):
        problems.add("meta.version", f"must be x.y.z (e.g. 0.0.1), got {meta_version!r}")
    arch = meta.get("arch")
    if not isinstance(arch, list) or not arch or any(a not in ARCHES for a in arch):
        problems.add("meta.arch", f"non-empty list of {sorted(ARCHES)}, got {arch!r}")
    runner = meta.get("runner")
    if not isinstance(runner, Mapping):
        problems.add("meta.runner", "required mapping with language, version, entrypoint")
        return
    if runner.get("language") not in RUNNER_LANGUAGES:
        problems.add("meta.runner.language", f"must be python, got {runner.get('language')!r}")
    if not isinstance(runner.get("version"), str):
        problems.add(
            "meta.runner.version",
            f'must be a quoted string such as "3.12", got {runner.get("version")!r}',
        )
    check_str(problems, "meta.runner.entrypoint", runner.get("entrypoint"))


def _check_plugins(manifest: Mapping[str, Any], problems: Problems) -> dict[str, list[str]]:
    """The declared kinds and their YAML paths, with the daemon's combination rules applied."""
    plugins = manifest.get("plugins")
    if not isinstance(plugins, Mapping):
        problems.add("plugins", "required mapping listing tools, endpoints or triggers")
        return {}
    declared: dict[str, list[str]] = {}
    for kind in PLUGIN_KINDS:
        value = plugins.get(kind)
        if value is None or value == []:
            continue
        if not isinstance(value, list):
            problems.add(f"plugins.{kind}", "must be a list of YAML paths")
            continue
        paths: list[str] = []
        for index, path in enumerate(value):
            where = f"plugins.{kind}[{index}]"
            if check_str(problems, where, path):
                if len(path) > PLUGIN_PATH_MAX_CHARS:
                    problems.add(where, f"path longer than {PLUGIN_PATH_MAX_CHARS} characters")
                paths.append(path)
        declared[kind] = paths
    kinds = list(declared)
    if not kinds:
        problems.add(
            "plugins", "declares nothing: list tool providers, endpoint groups or triggers"
        )
    elif len(kinds) > 1 and not set(kinds) <= COMBINABLE_KINDS:
        alone = next(kind for kind in kinds if kind not in COMBINABLE_KINDS)
        problems.add(
            "plugins",
            f"{alone} cannot be combined with {', '.join(k for k in kinds if k != alone)}: "
            "only tools and endpoints share a plugin (a trigger is a plugin of its own)",
        )
    for kind in kinds:
        if kind not in CHECKED_KINDS:
            problems.add(f"plugins.{kind}", "this packager only knows tools, endpoints, triggers")
    return declared


def _check_minimum_dify_version(
    manifest: Mapping[str, Any], problems: Problems, kinds: Collection[str]
) -> None:
    if TRIGGERS not in kinds:
        return
    minimum = lookup(manifest, "meta.minimum_dify_version")
    try:
        declared = Version(str(minimum)) if minimum is not None else None
    except InvalidVersion:
        return  # reported by the marketplace manifest check
    if declared is None or declared < TRIGGER_MIN_DIFY_VERSION:
        problems.add(
            "meta.minimum_dify_version",
            f"a trigger plugin needs Dify {TRIGGER_MIN_DIFY_VERSION} or later, got {minimum!r}",
        )


def _check_permissions(
    manifest: Mapping[str, Any], problems: Problems, kinds: Collection[str], found: Collected
) -> None:
    """`resource.permission`: shapes the daemon validates, and permissions the plugin needs."""
    permission = lookup(manifest, "resource.permission")
    if permission is None:
        permission = {}
    if not isinstance(permission, Mapping):
        problems.add("resource.permission", "must be a mapping")
        return
    for key, value in permission.items():
        where = f"resource.permission.{key}"
        if key not in PERMISSIONS:
            problems.add(where, f"unknown permission (known: {', '.join(PERMISSIONS)})")
        elif not isinstance(value, Mapping):
            problems.add(where, "must be a mapping with enabled: true or false")
        elif not isinstance(value.get("enabled", False), bool):
            problems.add(f"{where}.enabled", f"must be true or false, got {value.get('enabled')!r}")
    storage = permission.get("storage")
    if isinstance(storage, Mapping):
        size = storage.get("size")
        if (
            not isinstance(size, int)
            or isinstance(size, bool)
            or not STORAGE_MIN_BYTES <= size <= STORAGE_MAX_BYTES
        ):
            problems.add(
                "resource.permission.storage.size",
                f"required whenever storage is listed: {STORAGE_MIN_BYTES:,} to "
                f"{STORAGE_MAX_BYTES:,} bytes, got {size!r}",
            )

    def enabled(key: str) -> bool:
        return lookup(permission, f"{key}.enabled") is True

    if ENDPOINTS in kinds and not enabled("endpoint"):
        problems.add(
            "resource.permission.endpoint.enabled",
            "must be true: the daemon registers no endpoint without it",
        )
    if ENDPOINTS not in kinds and enabled("endpoint"):
        problems.warn(
            "resource.permission.endpoint", "enabled but the plugin declares no endpoints"
        )
    if found.app_selectors and not enabled("app"):
        problems.warn(
            "resource.permission.app.enabled",
            f"not true, yet {found.app_selectors[0]} lets the user pick an app: invoking it "
            "fails with 'permission denied'",
        )


def check_declaration(
    names: Collection[str], read: Reader
) -> tuple[PluginDeclaration | None, list[Finding]]:
    """Decode and check the manifest and every declaration YAML from a set of plugin files.

    `names` are the relative POSIX paths that will be (or are) in the package; `read` returns a
    file's bytes. Returns the declaration (None when the manifest is unusable) and the findings.
    """
    problems = Problems()
    try:
        manifest = load_yaml(MANIFEST, names, read)
    except PackagingError as exc:
        problems.findings.append(Finding("error", Problems.CHECK, str(exc)))
        return None, problems.findings
    if not isinstance(manifest, Mapping):
        problems.add(MANIFEST, "must be a YAML mapping")
        return None, problems.findings
    _check_identity_fields(manifest, problems)
    _check_meta(manifest, problems)
    resource = manifest.get("resource")
    memory = resource.get("memory") if isinstance(resource, Mapping) else None
    if not isinstance(memory, int) or isinstance(memory, bool) or memory <= 0:
        problems.add("resource.memory", f"required positive integer (bytes), got {memory!r}")
    declared = _check_plugins(manifest, problems)
    _check_minimum_dify_version(manifest, problems, declared)
    if problems.errors:
        return None, problems.findings

    found = Collected(icons=[str(manifest["icon"])])
    if isinstance(manifest.get("icon_dark"), str):
        found.icons.append(manifest["icon_dark"])
    for kind, paths in declared.items():
        for path in paths:
            KIND_CHECKERS[kind](path, names, read, problems, found)
    _check_permissions(manifest, problems, declared, found)
    for icon in dict.fromkeys(found.icons):
        if f"{ASSETS_DIR}/{icon}" not in names:
            problems.add("icon", f"plugin icon not found: {ASSETS_DIR}/{icon}")
    declaration = PluginDeclaration(
        manifest=manifest,
        files={MANIFEST: manifest, **found.files},
        kinds=tuple(declared),
        icons=tuple(dict.fromkeys(found.icons)),
    )
    return declaration, problems.findings


def load_declaration(names: Collection[str], read: Reader) -> PluginDeclaration:
    """`check_declaration` for the packager: raises PackagingError listing every error."""
    declaration, findings = check_declaration(names, read)
    errors = [f.message for f in findings if f.level == "error"]
    if errors or declaration is None:
        raise PackagingError("\n".join(errors))
    return declaration
