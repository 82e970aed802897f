"""Building blocks of the declaration checks: a problem collector, YAML loading, field checks.

Every check records its problem and carries on, so one run lists everything that is wrong instead
of stopping at the first mistake.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

import yaml

from devtools.packaging.errors import PackagingError
from devtools.packaging.findings import Finding, error, warning

I18N_MAX_CHARS = 1023
IDENTITY_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]+$")
# ProviderConfig types the daemon accepts for credentials, endpoint settings and subscriptions.
CONFIG_TYPES = frozenset(
    {
        "secret-input",
        "text-input",
        "select",
        "boolean",
        "app-selector",
        "model-selector",
        "array[tools]",
    }
)
CONFIG_NAME_MAX_CHARS = 1023
APP_SELECTOR_SCOPES = frozenset({"all", "chat", "workflow", "completion"})

type Reader = Callable[[str], bytes]


class Problems:
    """Findings of the declaration check, in the order they were found."""

    CHECK = "declaration"

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, where: str, message: str) -> None:
        self.findings.append(error(self.CHECK, f"{where}: {message}"))

    def warn(self, where: str, message: str) -> None:
        self.findings.append(warning(self.CHECK, f"{where}: {message}"))

    @property
    def errors(self) -> list[str]:
        return [f.message for f in self.findings if f.level == "error"]


def load_yaml(path: str, names: Collection[str], read: Reader) -> Any:
    if path not in names:
        raise PackagingError(f"{path}: file not found in the plugin (or excluded by .difyignore)")
    try:
        return yaml.safe_load(read(path).decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PackagingError(f"{path}: not UTF-8 text ({exc})") from exc
    except yaml.YAMLError as exc:
        raise PackagingError(f"{path}: invalid YAML: {exc}") from exc


def load_mapping(
    path: str, names: Collection[str], read: Reader, problems: Problems
) -> Mapping[str, Any] | None:
    """A declaration file as a mapping, or None with the problem recorded."""
    try:
        data = load_yaml(path, names, read)
    except PackagingError as exc:
        problems.findings.append(error(Problems.CHECK, str(exc)))
        return None
    if not isinstance(data, Mapping):
        problems.add(path, "must be a YAML mapping")
        return None
    return data


def lookup(document: Mapping[str, Any], dotted: str) -> Any:
    """`document["a"]["b"]` for "a.b", or None when any level is missing or not a mapping."""
    value: Any = document
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def check_i18n(problems: Problems, where: str, value: Any) -> None:
    if not isinstance(value, Mapping):
        problems.add(where, "must be a mapping of language → text with an en_US entry")
        return
    text = value.get("en_US")
    if not isinstance(text, str) or not 1 <= len(text) <= I18N_MAX_CHARS:
        problems.add(f"{where}.en_US", f"required text of 1 to {I18N_MAX_CHARS} characters")
    for language, other in value.items():
        if language != "en_US" and (not isinstance(other, str) or len(other) > I18N_MAX_CHARS):
            problems.add(f"{where}.{language}", f"text of at most {I18N_MAX_CHARS} characters")


def check_str(
    problems: Problems, where: str, value: Any, pattern: re.Pattern[str] | None = None
) -> bool:
    if not isinstance(value, str) or not value:
        problems.add(where, f"required string, got {value!r}")
        return False
    if pattern is not None and not pattern.fullmatch(value):
        problems.add(where, f"{value!r} does not match {pattern.pattern}")
        return False
    return True


def check_optional_bool(problems: Problems, where: str, value: Any) -> None:
    if value is not None and not isinstance(value, bool):
        problems.add(where, f"must be true or false, got {value!r}")


def check_source(
    problems: Problems,
    where: str,
    document: Mapping[str, Any],
    names: Collection[str],
    *,
    required: bool,
) -> str | None:
    """`extra.python.source` exists in the plugin; the SDK imports the class from it."""
    source = lookup(document, "extra.python.source")
    if source is None:
        if required:
            problems.add(where, "extra.python.source: required path of the Python module")
        return None
    if not isinstance(source, str) or source not in names:
        problems.add(where, f"extra.python.source: {source!r} not found in the plugin")
        return None
    return source


def _config_items(
    problems: Problems, where: str, value: Any
) -> list[tuple[str, Mapping[str, Any]]] | None:
    """ProviderConfig entries as (name, config): a mapping name → config, or a list with `name`."""
    if value is None:
        return []
    items: list[tuple[str, Any]]
    if isinstance(value, Mapping):
        items = [(str(name), config) for name, config in value.items()]
    elif isinstance(value, list):
        items = [
            (str(config.get("name")) if isinstance(config, Mapping) else f"[{i}]", config)
            for i, config in enumerate(value)
        ]
    else:
        problems.add(where, "must be a mapping name → config or a list of configs")
        return None
    checked: list[tuple[str, Mapping[str, Any]]] = []
    for name, config in items:
        if not isinstance(config, Mapping):
            problems.add(f"{where}.{name}", "must be a mapping")
            continue
        checked.append((name, config))
    return checked


def check_configs(problems: Problems, where: str, value: Any) -> list[Mapping[str, Any]]:
    """Daemon rules for credentials, endpoint settings and subscription fields (ProviderConfig)."""
    items = _config_items(problems, where, value)
    if items is None:
        return []
    seen: set[str] = set()
    for name, config in items:
        spot = f"{where}.{name}"
        if isinstance(value, list) and not check_str(problems, f"{spot}.name", config.get("name")):
            continue
        if not 1 <= len(name) <= CONFIG_NAME_MAX_CHARS:
            problems.add(spot, f"name of 1 to {CONFIG_NAME_MAX_CHARS} characters")
        if name in seen:
            problems.add(spot, "declared twice")
        seen.add(name)
        kind = config.get("type")
        if kind not in CONFIG_TYPES:
            problems.add(f"{spot}.type", f"{kind!r} is not one of {sorted(CONFIG_TYPES)}")
        check_optional_bool(problems, f"{spot}.required", config.get("required"))
        check_i18n(problems, f"{spot}.label", config.get("label"))
        for key in ("help", "placeholder"):
            if config.get(key) is not None:
                check_i18n(problems, f"{spot}.{key}", config.get(key))
        if kind == "app-selector" and config.get("scope") not in (None, *APP_SELECTOR_SCOPES):
            problems.add(
                f"{spot}.scope",
                f"{config.get('scope')!r} is not one of {sorted(APP_SELECTOR_SCOPES)}",
            )
    return [config for _, config in items]
