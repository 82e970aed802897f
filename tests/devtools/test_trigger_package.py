"""The trigger plugin's package: built next to the tool plugin's, self-contained, and clean by the
packager's daemon and marketplace checks (the install test runs in ``make validate``)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import yaml

from devtools.packaging import BuiltPackage, build_package, repository_plugins, validate_package
from devtools.packaging.__main__ import main as packaging_cli

ROOT = Path(__file__).resolve().parents[2]
TRIGGER_DIR = "plivo_trigger"


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BuiltPackage]:
    out = tmp_path_factory.mktemp("dist")
    return {source.root.name: build_package(source, out) for source in repository_plugins(ROOT)}


def names(package: BuiltPackage) -> set[str]:
    with zipfile.ZipFile(package.path) as archive:
        return set(archive.namelist())


def test_the_repository_holds_two_plugins(packages: dict[str, BuiltPackage]) -> None:
    assert set(packages) == {ROOT.name, TRIGGER_DIR}
    assert packages[TRIGGER_DIR].path.name == "plivo_trigger-0.1.0.difypkg"
    assert packages[TRIGGER_DIR].identifier.startswith("smsbridge/plivo_trigger:0.1.0@")


def test_the_trigger_package_carries_the_shared_core_and_nothing_of_the_tools(
    packages: dict[str, BuiltPackage],
) -> None:
    files = names(packages[TRIGGER_DIR])
    core = {path.relative_to(ROOT).as_posix() for path in (ROOT / "plivo_api").rglob("*.py")}
    core = {path for path in core if "__pycache__" not in path}
    assert core <= files
    assert {
        "manifest.yaml",
        "main.py",
        "requirements.txt",
        "README.md",
        "PRIVACY.md",
        "_assets/icon.svg",
        "provider/plivo_trigger.yaml",
        "provider/plivo_trigger.py",
        "provider/subscription.py",
    } <= files
    assert not any(name.startswith(("tools/", "tests/", "devtools/")) for name in files)
    assert "provider/plivo_sms.yaml" not in files


def test_the_tool_package_leaves_the_trigger_out(packages: dict[str, BuiltPackage]) -> None:
    files = names(packages[ROOT.name])
    assert not any(name.startswith(f"{TRIGGER_DIR}/") for name in files)
    assert "provider/plivo_sms.yaml" in files


@pytest.mark.parametrize("plugin", [ROOT.name, TRIGGER_DIR])
def test_each_package_passes_the_daemon_and_marketplace_checks(
    packages: dict[str, BuiltPackage], plugin: str
) -> None:
    findings = validate_package(packages[plugin].path, install_test=False)
    assert [f"[{f.check}] {f.message}" for f in findings if f.level == "error"] == []


def test_the_trigger_manifest_makes_the_promises_of_a_trigger(
    packages: dict[str, BuiltPackage],
) -> None:
    with zipfile.ZipFile(packages[TRIGGER_DIR].path) as archive:
        manifest = yaml.safe_load(archive.read("manifest.yaml"))
        provider = yaml.safe_load(archive.read("provider/plivo_trigger.yaml"))
    assert manifest["plugins"] == {"triggers": ["provider/plivo_trigger.yaml"]}
    assert manifest["meta"]["minimum_dify_version"] == "1.10.0"
    assert "trigger" in manifest["tags"]
    events = [path.split("/")[1] for path in provider["events"]]
    assert events == [
        "sms_received",
        "whatsapp_received",
        "message_status",
        "call_received",
        "call_completed",
        "voicemail_received",
        "call_input",
    ]
    assert [field["name"] for field in provider["subscription_schema"]] == [
        "auth_token",
        "call_greeting",
    ]
    assert provider["subscription_schema"][0]["type"] == "secret-input"
    constructor = provider["subscription_constructor"]
    assert [p["name"] for p in constructor["parameters"]] == [
        "phone_number",
        "call_answer",
        "call_greeting",
        "forward_to",
        "voicemail_greeting",
        "transcribe",
        "menu_prompt",
        "menu_digits",
    ]
    assert constructor["parameters"][0]["type"] == "dynamic-select"
    assert set(constructor["credentials_schema"]) == {"auth_id", "auth_token"}


def test_make_package_builds_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], packages: dict[str, BuiltPackage]
) -> None:
    assert packaging_cli(["build", "--root", str(ROOT), "--out", str(tmp_path)]) == 0
    assert {path.name for path in tmp_path.glob("*.difypkg")} == {
        package.path.name for package in packages.values()
    }
    assert packaging_cli(["validate", "--root", str(ROOT), "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out.count("PASSED") == 2
