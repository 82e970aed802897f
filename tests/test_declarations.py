"""Static checks of what Dify reads at start-up: manifest, provider and tool YAML, i18n, pins."""

import ast
import re
from pathlib import Path

import pytest
import yaml
from dify_plugin.core.entities.plugin.setup import PluginConfiguration
from dify_plugin.entities.tool import ToolProviderConfiguration

from plivo_api.version import PLUGIN_NAME, PLUGIN_VERSION

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = {"en_US", "zh_Hans", "ja_JP", "pt_BR"}
I18N_KEYS = {"label", "description", "human", "human_description", "placeholder", "help"}


def load(path: str) -> dict:
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


def tool_paths() -> list[str]:
    return load("provider/plivo_sms.yaml")["tools"]


def test_sdk_accepts_manifest_and_provider(monkeypatch):
    monkeypatch.chdir(ROOT)
    manifest = PluginConfiguration(**load("manifest.yaml"))
    assert manifest.name == PLUGIN_NAME
    provider = ToolProviderConfiguration(**load("provider/plivo_sms.yaml"))
    assert provider.identity.name == "plivo_sms"
    assert {t.identity.name for t in provider.tools} >= {"send_sms", "preview_sms", "get_account"}


def test_manifest_version_is_first_version_line_and_matches_code():
    text = (ROOT / "manifest.yaml").read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if re.match(r"^\s*version\s*:", line))
    assert first == f"version: {PLUGIN_VERSION}"
    assert re.fullmatch(r"\d{1,4}(\.\d{1,4}){2}", PLUGIN_VERSION)


def test_manifest_marketplace_fields():
    manifest = load("manifest.yaml")
    assert re.fullmatch(r"[a-z0-9_-]{1,64}", manifest["author"])
    assert "dify" not in manifest["author"] and "langgenius" not in manifest["author"]
    assert manifest["repo"].startswith("https://github.com/")
    assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", manifest["contact"])
    assert manifest["privacy"] == "PRIVACY.md"
    assert (ROOT / "_assets" / manifest["icon"]).is_file()
    assert manifest["meta"]["runner"] == {
        "language": "python",
        "version": "3.12",
        "entrypoint": "main",
    }
    assert manifest["repo"] in (ROOT / "README.md").read_text(encoding="utf-8")


def _i18n_objects(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if key in I18N_KEYS and isinstance(value, dict) and "en_US" in value:
                yield where, value
            else:
                yield from _i18n_objects(value, where)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _i18n_objects(value, f"{path}[{index}]")


@pytest.mark.parametrize("path", ["manifest.yaml", "provider/plivo_sms.yaml", *tool_paths()])
def test_every_label_and_description_has_the_four_languages(path):
    objects = list(_i18n_objects(load(path)))
    assert objects, f"{path} has no i18n objects"
    for where, value in objects:
        assert set(value) == LANGUAGES, f"{path}:{where} has {sorted(value)}"
        assert all(isinstance(v, str) and v.strip() for v in value.values()), f"{path}:{where}"
        assert len(value["en_US"]) <= 1023


@pytest.mark.parametrize("path", tool_paths())
def test_tool_yaml_points_at_a_module_with_exactly_one_tool_class(path):
    tool = load(path)
    source = ROOT / tool["extra"]["python"]["source"]
    assert source.is_file()
    assert source.stem == tool["identity"]["name"]
    classes = [
        node
        for node in ast.parse(source.read_text(encoding="utf-8")).body
        if isinstance(node, ast.ClassDef)
        and any(getattr(base, "id", None) == "Tool" for base in node.bases)
    ]
    assert len(classes) == 1
    assert tool["description"]["llm"].strip()
    for parameter in tool["parameters"]:
        if parameter["form"] == "llm":
            assert parameter.get("llm_description", "").strip(), parameter["name"]


def test_requirements_are_the_three_bounded_runtime_pins():
    lines = [
        line.strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    names = {re.split(r"[<>=!~]", line)[0].lower().replace("-", "_") for line in lines}
    assert names == {"dify_plugin", "requests", "phonenumbers"}
    for line in lines:
        assert ">=" in line and "<" in line.replace("<=", ""), line
    assert "dify_plugin>=0.10.2,<0.11" in lines


def test_no_pyproject_ships_beside_requirements():
    """The daemon prefers pyproject.toml over requirements.txt; we ship only the latter."""
    shipped = (ROOT / "pyproject.toml").exists()
    ignored = "pyproject.toml" in (ROOT / ".difyignore").read_text().split()
    assert not shipped or ignored


def test_no_print_in_shipped_code():
    for path in [
        ROOT / "main.py",
        *ROOT.glob("plivo_api/*.py"),
        *ROOT.glob("tools/*.py"),
        *ROOT.glob("provider/*.py"),
    ]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"
        ]
        assert not calls, path


def test_core_does_not_import_dify_plugin():
    for path in ROOT.glob("plivo_api/*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                assert not any(n.startswith("dify_plugin") for n in names), path
