"""What only this repository can check about its plugin declarations.

Every manifest, provider, tool, endpoint and trigger rule of the daemon, the SDK and the marketplace
lives in the packager's validator (devtools/packaging); the first test runs it on each plugin of the
repository, on exactly the files a build would pack. The other tests check facts the validator
cannot know: the version the code reports, four languages on every text a user reads, the SDK's own
loader, the runtime dependency ranges and habits of the shipped code.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from dify_plugin.core.entities.plugin.setup import PluginConfiguration
from dify_plugin.entities.endpoint import EndpointProviderConfiguration
from dify_plugin.entities.tool import ToolProviderConfiguration
from dify_plugin.entities.trigger import TriggerProviderConfiguration
from packaging.requirements import Requirement

from devtools.packaging import PluginSource, repository_plugins, validate_source
from devtools.packaging.declaration import (
    ENDPOINTS,
    MANIFEST,
    TOOLS,
    TRIGGERS,
    PluginDeclaration,
    check_declaration,
)
from plivo_api.transport.version import PLUGIN_NAME, PLUGIN_VERSION

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = repository_plugins(ROOT)
TOOL_PLUGIN = PLUGINS[0]
LANGUAGES = {"en_US", "zh_Hans", "ja_JP", "pt_BR"}
I18N_KEYS = {"label", "description", "human", "human_description", "placeholder", "help"}
RUNTIME_DEPENDENCIES = {"dify_plugin", "requests", "phonenumbers"}
TRIGGER_ONLY_DEPENDENCIES = {"google_re2"}
SDK_REQUIREMENT = "dify_plugin>=0.10.2,<0.11"
RUNNER = {"language": "python", "version": "3.12", "entrypoint": "main"}
SDK_LOADERS: Mapping[str, Any] = {
    TOOLS: ToolProviderConfiguration,
    ENDPOINTS: EndpointProviderConfiguration,
    TRIGGERS: TriggerProviderConfiguration,
}


def label(source: PluginSource) -> str:
    return source.label


def shipped(source: PluginSource) -> dict[str, Path]:
    """Package path → file on disk: what `make package` puts in this plugin's .difypkg."""
    return source.collect(exclude_dir=source.root / "dist")


_DECLARATIONS: dict[str, PluginDeclaration] = {}


def declaration_of(source: PluginSource) -> PluginDeclaration:
    """Read once per test session: the per-file tests only read it."""
    if source.label not in _DECLARATIONS:
        _DECLARATIONS[source.label] = _read_declaration(source)
    return _DECLARATIONS[source.label]


def _read_declaration(source: PluginSource) -> PluginDeclaration:
    files = shipped(source)
    declaration, findings = check_declaration(frozenset(files), lambda rel: files[rel].read_bytes())
    assert declaration is not None, [f.message for f in findings]
    return declaration


def declaration_files() -> list[tuple[PluginSource, str]]:
    return [(source, path) for source in PLUGINS for path in declaration_of(source).files]


@pytest.mark.parametrize("source", PLUGINS, ids=label)
def test_plugin_passes_the_packagers_validator(source: PluginSource) -> None:
    findings = validate_source(source)
    assert [f"[{f.check}] {f.message}" for f in findings if f.level == "error"] == []


@pytest.mark.parametrize("source", PLUGINS, ids=label)
def test_sdk_loads_every_declaration(source: PluginSource, monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK's own models, run as at start-up (cwd = plugin root, file paths resolved there)."""
    declaration = declaration_of(source)
    monkeypatch.chdir(source.root)
    manifest = PluginConfiguration(**declaration.manifest)
    for kind in declaration.kinds:
        for path in getattr(manifest.plugins, kind):
            SDK_LOADERS[kind](**declaration.files[path])


def test_tool_plugin_identity_matches_the_code() -> None:
    declaration = declaration_of(TOOL_PLUGIN)
    assert declaration.name == PLUGIN_NAME
    assert declaration.version == PLUGIN_VERSION
    provider = ToolProviderConfiguration(**declaration.files["provider/plivo_sms.yaml"])
    assert provider.identity.name == PLUGIN_NAME


@pytest.mark.parametrize("source", PLUGINS, ids=label)
def test_project_manifest_choices(source: PluginSource) -> None:
    """One repository, one maintainer: every plugin names the same author, repo and contact."""
    manifest = declaration_of(source).manifest
    reference = declaration_of(TOOL_PLUGIN).manifest
    for key in ("author", "repo", "contact"):
        assert manifest[key] == reference[key], key
    assert manifest["privacy"] == "PRIVACY.md"
    assert manifest["meta"]["runner"] == RUNNER


ENDPOINT_ROUTE_KEYS = frozenset({"path", "method", "hidden", "extra"})


def _i18n_objects(node: Any, path: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if key in I18N_KEYS and isinstance(value, Mapping) and "en_US" in value:
                yield where, value
            else:
                yield from _i18n_objects(value, where)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _i18n_objects(value, f"{path}[{index}]")


@pytest.mark.parametrize(
    ("source", "path"),
    declaration_files(),
    ids=[f"{source.label}:{path}" for source, path in declaration_files()],
)
def test_every_label_and_description_has_the_four_languages(
    source: PluginSource, path: str
) -> None:
    declaration = declaration_of(source).files[path]
    objects = list(_i18n_objects(declaration))
    # An endpoint route (path, method, source) has nothing to label; everything else does.
    assert objects or set(declaration) <= ENDPOINT_ROUTE_KEYS, f"{path} has no i18n objects"
    for where, value in objects:
        assert set(value) == LANGUAGES, f"{path}:{where} has {sorted(value)}"
        assert all(isinstance(v, str) and v.strip() for v in value.values()), f"{path}:{where}"


def tool_paths() -> list[str]:
    files = declaration_of(TOOL_PLUGIN).files
    return [
        path for provider in files[MANIFEST]["plugins"][TOOLS] for path in files[provider]["tools"]
    ]


@pytest.mark.parametrize("path", tool_paths())
def test_tool_yaml_points_at_a_module_with_exactly_one_tool_class(path: str) -> None:
    tool = yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))
    source = ROOT / tool["extra"]["python"]["source"]
    assert source.stem == tool["identity"]["name"]
    classes = [
        node
        for node in ast.parse(source.read_text(encoding="utf-8")).body
        if isinstance(node, ast.ClassDef)
        and any(getattr(base, "id", None) == "Tool" for base in node.bases)
    ]
    assert len(classes) == 1


def _requirements(source: PluginSource) -> set[str]:
    text = (source.root / "requirements.txt").read_text(encoding="utf-8")
    return {
        str(Requirement(line.strip()))
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    }


@pytest.mark.parametrize("source", PLUGINS, ids=label)
def test_requirements_are_the_three_bounded_runtime_dependencies(source: PluginSource) -> None:
    """Every plugin runs plivo_api (the trigger gets a copy): all declare the same three ranges;
    the trigger adds only its linear-time regex engine (its filters run on senders' text)."""
    lines = _requirements(source)
    extra = TRIGGER_ONLY_DEPENDENCIES if source is not TOOL_PLUGIN else set()
    names = {Requirement(line).name.lower().replace("-", "_") for line in lines}
    assert names == RUNTIME_DEPENDENCIES | extra
    assert str(Requirement(SDK_REQUIREMENT)) in lines
    shared = {
        line for line in lines if Requirement(line).name.lower().replace("-", "_") not in extra
    }
    assert shared == _requirements(TOOL_PLUGIN)


@pytest.mark.parametrize("source", PLUGINS, ids=label)
def test_no_print_in_shipped_code(source: PluginSource) -> None:
    for rel, path in shipped(source).items():
        if not rel.endswith(".py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"
        ]
        assert not calls, rel


def test_core_does_not_import_dify_plugin() -> None:
    for path in ROOT.glob("plivo_api/**/*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                assert not any(n.startswith("dify_plugin") for n in names), os.fspath(path)


def test_libyaml_reads_every_declaration_as_the_pure_python_loader_does() -> None:
    """main.py points the SDK's YAML reader at libyaml for a faster start; nothing may change."""
    assert yaml.__with_libyaml__, "PyYAML without libyaml: main.py keeps the SDK's loader"
    files = [p for p in ROOT.rglob("*.yaml") if not {".venv", "dist"} & set(p.parts)]
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.safe_load(text), path
