"""Packager and validator (devtools/packaging): ignore rules, the zip, two plugins, the checks.

Fixture plugins are built in tmp_path from the real skeleton files (manifest, main.py,
requirements.txt, .difyignore, icon) plus fixed provider/tool/trigger/README/PRIVACY stand-ins, so
these tests do not change when the real docs and YAMLs do. The repository's own plugins are checked
by tests/tools/test_declarations.py.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
import shutil
import string
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from devtools.packaging import (
    BuiltPackage,
    Finding,
    IgnoreRules,
    PackagingError,
    PluginSource,
    build_package,
    repository_plugins,
    validate_package,
)
from devtools.packaging.__main__ import main
from devtools.packaging.build import IDENTIFIER_RE, MAX_UNCOMPRESSED_BYTES
from devtools.packaging.install_test import start_plugin
from devtools.packaging.scan import shannon_entropy

REPO = Path(__file__).resolve().parents[2]
SKELETON = ("manifest.yaml", "main.py", "requirements.txt", ".difyignore", ".env.example")

PROVIDER_PY = '''"""Fixture provider module (never imported by these tests)."""


def validate(credentials: dict[str, str]) -> None:
    for key in ("auth_id", "auth_token"):
        if not credentials.get(key):
            raise ValueError(f"{key} is empty")
'''
TOOL_PY = '''"""Fixture tool module (never imported by these tests)."""

import requests


def send(url: str, text: str) -> int:
    return requests.post(url, json={"text": text}, timeout=10).status_code
'''
PRIVACY_MD = """# Privacy Policy

This plugin sends the SMS text, the destination phone numbers and the sender you configure to
Plivo (https://www.plivo.com/legal/privacy/) so that Plivo can deliver the message. Your Plivo
Auth ID and Auth Token are stored encrypted by Dify and are only sent to Plivo's API to
authenticate requests. The plugin itself stores nothing and logs no message content or
credentials. Plivo keeps message records according to its own retention policy.
"""


def readme_text(repo_url: str) -> str:
    return f"""# Plivo SMS

Source: {repo_url}

## Setup

Install the plugin and enter your Plivo credentials (Auth ID and Auth Token).

## Usage

Add the Send SMS tool to a workflow, for example to notify a customer. The plugin connects to
Plivo's API over HTTPS; no other network access is needed.
"""


def _random_text(alphabet: str, length: int, seed: int) -> str:
    """A random-looking value made at run time, so no realistic secret sits in this file."""
    return "".join(random.Random(seed).choices(alphabet, k=length))


# ------------------------------------------------------------------------------------------------
# fixtures and helpers


@pytest.fixture
def plugin_root(tmp_path: Path) -> Path:
    """A complete, valid plugin: real skeleton files plus stable stand-ins for the changing ones."""
    root = tmp_path / "plugin"
    root.mkdir()
    for name in SKELETON:
        shutil.copy2(REPO / name, root / name)
    shutil.copytree(REPO / "_assets", root / "_assets")
    manifest = yaml.safe_load((root / "manifest.yaml").read_text(encoding="utf-8"))
    # Tools only, no permissions: the endpoint tests add their own declarations.
    manifest["plugins"] = {"tools": ["provider/plivo_sms.yaml"]}
    manifest["resource"] = {"memory": manifest["resource"]["memory"]}
    (root / "manifest.yaml").write_text(
        yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    provider = {
        "identity": {
            "author": manifest["author"],
            "name": "plivo_sms",
            "label": {"en_US": "Plivo SMS"},
            "description": {"en_US": "Send SMS through Plivo"},
            "icon": manifest["icon"],
        },
        "credentials_for_provider": {
            "auth_id": {"type": "secret-input", "required": True, "label": {"en_US": "Auth ID"}},
            "auth_token": {
                "type": "secret-input",
                "required": True,
                "label": {"en_US": "Auth Token"},
            },
        },
        "tools": ["tools/send_sms.yaml"],
        "extra": {"python": {"source": "provider/plivo_sms.py"}},
    }
    tool = {
        "identity": {"name": "send_sms", "author": manifest["author"], "label": {"en_US": "Send"}},
        "description": {"human": {"en_US": "Send an SMS"}, "llm": "Sends an SMS."},
        "parameters": [],
        "extra": {"python": {"source": "tools/send_sms.py"}},
    }
    (root / "provider").mkdir()
    (root / "tools").mkdir()
    (root / "provider/plivo_sms.yaml").write_text(yaml.safe_dump(provider), encoding="utf-8")
    (root / "provider/plivo_sms.py").write_text(PROVIDER_PY, encoding="utf-8")
    (root / "tools/send_sms.yaml").write_text(yaml.safe_dump(tool), encoding="utf-8")
    (root / "tools/send_sms.py").write_text(TOOL_PY, encoding="utf-8")
    (root / "README.md").write_text(readme_text(manifest["repo"]), encoding="utf-8")
    (root / "PRIVACY.md").write_text(PRIVACY_MD, encoding="utf-8")
    return root


@pytest.fixture
def built(plugin_root: Path, tmp_path: Path) -> BuiltPackage:
    return build_package(plugin_root, tmp_path / "out")


@pytest.fixture
def contents(built: BuiltPackage) -> dict[str, bytes]:
    with zipfile.ZipFile(built.path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def check(tmp_path: Path) -> Callable[[dict[str, bytes]], list[Finding]]:
    """Write the given files as a package (bypassing the packager) and validate it."""
    counter = iter(range(1000))

    def run(files: dict[str, bytes]) -> list[Finding]:
        pkg = tmp_path / f"case-{next(counter)}.difypkg"
        with zipfile.ZipFile(pkg, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(files):
                archive.writestr(name, files[name])
        return validate_package(pkg, install_test=False)

    return run


def errors(findings: list[Finding], check: str | None = None) -> list[str]:
    return [f.message for f in findings if f.level == "error" and check in (None, f.check)]


def warnings(findings: list[Finding], check: str | None = None) -> list[str]:
    return [f.message for f in findings if f.level == "warning" and check in (None, f.check)]


def edit_manifest(files: dict[str, bytes], **changes: object) -> dict[str, bytes]:
    manifest = yaml.safe_load(files["manifest.yaml"])
    manifest.update(changes)
    text = yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True)
    return {**files, "manifest.yaml": text.encode()}


# ------------------------------------------------------------------------------------------------
# ignore rules: gitignore patterns, combined the Dify CLI's way


@pytest.mark.parametrize(
    ("rules", "path", "is_dir", "excluded"),
    [
        (["build/"], "build", True, True),
        (["build/"], "build", False, False),  # a trailing slash matches folders only
        (["frotz"], "a/b/frotz", False, True),  # no slash: any depth
        (["doc/frotz"], "a/doc/frotz", False, False),  # an inner slash anchors at the root
        (["/*.py"], "pkg/mod.py", False, False),
        (["*.log", "!keep.log"], "keep.log", False, True),  # `!` re-includes nothing
    ],
)
def test_cli_pattern_semantics(rules: list[str], path: str, is_dir: bool, excluded: bool) -> None:
    assert IgnoreRules.from_lines(rules).excludes(path, is_dir=is_dir) is excluded


def test_walk_prunes_folders_and_ignores_negations(tmp_path: Path) -> None:
    for rel in (
        ".git/config",
        "src/app.py",
        "src/__pycache__/app.cpython-312.pyc",
        "logs/keep.log",
        "notes.log",
        "keep.log",
        "docs/build/index.html",
        "docs/index.md",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    rules = IgnoreRules.from_lines(
        [" .git/ ", "# comment", "", "__pycache__/", "*.log", "!keep.log", "!logs/", "build/"]
    )
    assert sorted(rules.walk(tmp_path)) == ["docs/index.md", "src/app.py"]
    assert rules.negations == ("!keep.log", "!logs/")


def test_ignore_file_choice(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("a.txt\n", encoding="utf-8")
    assert IgnoreRules.for_root(tmp_path).excludes("a.txt", is_dir=False)
    (tmp_path / ".difyignore").write_text("b.txt\n", encoding="utf-8")
    rules = IgnoreRules.for_root(tmp_path)
    assert rules.excludes("b.txt", is_dir=False)
    assert not rules.excludes("a.txt", is_dir=False)  # .difyignore wins; .gitignore is not merged
    (tmp_path / ".difyignore").unlink()
    (tmp_path / ".gitignore").unlink()
    assert not IgnoreRules.for_root(tmp_path).excludes(".git", is_dir=True)  # no built-in excludes
    sub = tmp_path / "sub"
    sub.mkdir()
    (tmp_path / ".difyignore").write_text("c.txt\n", encoding="utf-8")
    assert IgnoreRules.for_root(sub, fallback=tmp_path).excludes("c.txt", is_dir=False)
    (sub / ".gitignore").write_text("d.txt\n", encoding="utf-8")
    inherited = IgnoreRules.for_root(sub, fallback=tmp_path)
    assert not inherited.excludes("c.txt", is_dir=False)  # its own file replaces the fallback


def test_build_warns_about_negations(plugin_root: Path, tmp_path: Path) -> None:
    with (plugin_root / ".difyignore").open("a", encoding="utf-8") as ignore:
        ignore.write("!.env.example\n")
    built = build_package(plugin_root, tmp_path / "out")
    assert ".env.example" not in built.files
    assert len(built.warnings) == 1
    assert "'!.env.example' has no effect" in built.warnings[0]


# ------------------------------------------------------------------------------------------------
# build


def test_built_zip_follows_the_cli_rules(built: BuiltPackage, plugin_root: Path) -> None:
    manifest = yaml.safe_load((plugin_root / "manifest.yaml").read_text(encoding="utf-8"))
    assert built.path.name == f"{manifest['name']}-{manifest['version']}.difypkg"
    with zipfile.ZipFile(built.path) as archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        assert names == sorted(names)
        assert tuple(names) == built.files
        assert not any(name.endswith("/") for name in names)
        assert all("\\" not in name for name in names)
        assert {info.compress_type for info in infos} == {zipfile.ZIP_DEFLATED}
        assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert all((info.external_attr >> 16) & 0o777 in (0o644, 0o755) for info in infos)
        assert archive.comment == b""
        digests = b"".join(
            hashlib.sha256(name.encode()).digest() + hashlib.sha256(archive.read(name)).digest()
            for name in sorted(names)
        )
    checksum = hashlib.sha256(digests).hexdigest()
    assert built.checksum == checksum
    assert built.identifier == (
        f"{manifest['author']}/{manifest['name']}:{manifest['version']}@{checksum}"
    )
    assert IDENTIFIER_RE.fullmatch(built.identifier)
    assert built.size == built.path.stat().st_size


def test_build_is_reproducible(plugin_root: Path, tmp_path: Path) -> None:
    first = build_package(plugin_root, tmp_path / "one")
    second = build_package(plugin_root, tmp_path / "two")
    assert first.path.read_bytes() == second.path.read_bytes()


def test_excluded_files_are_absent(plugin_root: Path, tmp_path: Path) -> None:
    for rel in (
        ".env",
        "tests/test_x.py",
        "devtools/tool.py",
        "plivo_api/__pycache__/mod.cpython-312.pyc",
        "__pycache__/main.cpython-312.pyc",
        ".git/HEAD",
        "dist/old.difypkg",
    ):
        (plugin_root / rel).parent.mkdir(parents=True, exist_ok=True)
        (plugin_root / rel).write_text("excluded", encoding="utf-8")
    built = build_package(plugin_root, tmp_path / "out")
    assert not [
        name
        for name in built.files
        if name == ".env"
        or name.startswith(("tests/", "devtools/", ".git/", "dist/"))
        or "__pycache__" in name
    ]
    assert ".env.example" not in built.files  # `.env.*` excludes it; nothing can re-include it
    assert built.warnings == ()


def test_size_cap_lists_largest_files(plugin_root: Path, tmp_path: Path) -> None:
    with (plugin_root / "big.bin").open("wb") as big:
        big.truncate(MAX_UNCOMPRESSED_BYTES)  # sparse: instant, no disk use
    for index in range(6):
        (plugin_root / f"medium{index}.txt").write_bytes(b"m" * (1000 * (index + 1)))
    out = tmp_path / "out"
    with pytest.raises(PackagingError) as raised:
        build_package(plugin_root, out)
    message = str(raised.value)
    listed = re.findall(r"bytes\s+(\S+)$", message, flags=re.MULTILINE)
    assert listed == ["big.bin", "medium5.txt", "medium4.txt", "medium3.txt", "medium2.txt"]
    assert not out.exists() or not any(out.iterdir())


def test_missing_provider_yaml_fails_clearly(plugin_root: Path, tmp_path: Path) -> None:
    (plugin_root / "provider/plivo_sms.yaml").unlink()
    with pytest.raises(PackagingError, match=r"provider/plivo_sms\.yaml: file not found"):
        build_package(plugin_root, tmp_path / "out")


def test_missing_tool_yaml_fails_clearly(plugin_root: Path, tmp_path: Path) -> None:
    (plugin_root / "tools/send_sms.yaml").unlink()
    with pytest.raises(PackagingError, match=r"tools/send_sms\.yaml: file not found"):
        build_package(plugin_root, tmp_path / "out")


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("version", "1.0", "version: '1.0' must be x.y.z"),
        ("author", "SmsBridge", "author: 'SmsBridge' does not match"),
        ("author", "123e4567-e89b-12d3-a456-426614174000", "author: must not be a UUID"),
        ("name", "Plivo SMS", "name: 'Plivo SMS' does not match"),
        ("type", "tool", "type: must be 'plugin'"),
        ("icon", "missing.svg", "plugin icon not found: _assets/missing.svg"),
        ("label", {"zh_Hans": "x"}, "label.en_US: required text"),
        ("resource", {"memory": 0}, "resource.memory: required positive integer"),
        ("plugins", {"tools": []}, "plugins: declares nothing"),
        ("tags", ["sms"], "tags: unknown tag 'sms'"),
    ],
)
def test_manifest_daemon_rules(
    plugin_root: Path, tmp_path: Path, key: str, value: object, expected: str
) -> None:
    path = plugin_root / "manifest.yaml"
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    manifest[key] = value
    path.write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    with pytest.raises(PackagingError) as raised:
        build_package(plugin_root, tmp_path / "out")
    assert expected in str(raised.value)


def test_meta_runner_version_must_be_a_string(plugin_root: Path, tmp_path: Path) -> None:
    path = plugin_root / "manifest.yaml"
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    manifest["meta"]["runner"]["version"] = 3.12
    path.write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    with pytest.raises(PackagingError, match=r"meta\.runner\.version: must be a quoted string"):
        build_package(plugin_root, tmp_path / "out")


def test_cli_build_prints_identifier(
    plugin_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli-out"
    assert main(["build", "--root", str(plugin_root), "--out", str(out)]) == 0
    last_line = capsys.readouterr().out.strip().splitlines()[-1]
    assert IDENTIFIER_RE.fullmatch(last_line)
    pkg = next(out.glob("*.difypkg"))
    assert build_package(plugin_root, tmp_path / "again").identifier == last_line
    assert pkg.read_bytes() == (tmp_path / "again" / pkg.name).read_bytes()


def test_cli_build_reports_packaging_errors(
    plugin_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (plugin_root / "manifest.yaml").unlink()
    assert main(["build", "--root", str(plugin_root), "--out", str(tmp_path / "o")]) == 2
    assert "manifest.yaml: file not found" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------------
# validator


def test_fixture_package_is_clean(built: BuiltPackage) -> None:
    findings = validate_package(built.path, install_test=False)
    assert errors(findings) == []
    assert warnings(findings) == []


def test_cli_validate_exit_code(
    plugin_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    built = build_package(plugin_root, tmp_path / "out")
    assert main(["validate", str(built.path)]) == 0
    assert "PASSED: 0 error(s)" in capsys.readouterr().out
    (plugin_root / "README.md").write_text("# Plivo SMS\n", encoding="utf-8")
    rebuilt = build_package(plugin_root, tmp_path / "out2")
    assert main(["validate", str(rebuilt.path)]) == 1
    report = capsys.readouterr().out
    assert "ERROR" in report
    assert "[readme]" in report
    assert "FAILED" in report


@pytest.mark.parametrize(
    "name",
    [
        ".env",
        "config/.env.local",
        ".DS_Store",
        "certs/server.pem",
        "id.key",
        "plivo_api/__pycache__/client.cpython-312.pyc",
        ".venv/lib/site.py",
        "node_modules/x/index.js",
        "debug.log",
        "notes.bak",
    ],
)
def test_blocked_files_fail(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]], name: str
) -> None:
    found = errors(check({**contents, name: b"x=1\n"}), "contents")
    assert len(found) == 1
    assert name in found[0]


@pytest.mark.parametrize("name", [".env.example", ".env.sample", ".env.template"])
def test_env_templates_are_allowed(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]], name: str
) -> None:
    assert errors(check({**contents, name: b"PLIVO_AUTH_ID=\n"})) == []


def test_binary_files_fail_but_images_pass(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    assert errors(check({**contents, "tool.so": b"\x7fELF\x00\x00\x01"}), "contents")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    assert errors(check({**contents, "_assets/docs/shot.png": png})) == []


def test_template_icon_fails(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    icon = next(name for name in contents if name.startswith("_assets/"))
    template = (
        b'<svg xmlns="http://www.w3.org/2000/svg">'
        b"<!-- DIFY_MARKETPLACE_TEMPLATE_ICON_DO_NOT_USE --></svg>"
    )
    found = errors(check({**contents, icon: template}), "icon")
    assert any("template icon" in message for message in found)


def test_icon_must_be_an_image(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    icon = next(name for name in contents if name.startswith("_assets/"))
    found = errors(check({**contents, icon: b"not an image"}), "icon")
    assert any("not a valid SVG" in message for message in found)


@pytest.mark.parametrize(
    ("requirement", "level"),
    [
        ("requests", "error"),
        ("requests>=2", "warning"),
        ("requests>2,!=2.5", "warning"),
        ("git+https://github.com/psf/requests.git", "error"),
        ("requests @ https://example.com/requests.whl", "error"),
        ("requests~=2.32", None),
        ("requests==2.32.3", None),
        ("requests>=2.32,<3", None),
    ],
)
def test_requirement_bounds(
    contents: dict[str, bytes],
    check: Callable[[dict[str, bytes]], list[Finding]],
    requirement: str,
    level: str | None,
) -> None:
    reqs = b"dify_plugin>=0.10.2,<0.11\n" + requirement.encode() + b"\n"
    findings = check({**contents, "requirements.txt": reqs})
    found_errors = errors(findings, "dependencies")
    found_warnings = warnings(findings, "dependencies")
    assert len(found_errors) == (level == "error")
    assert len(found_warnings) == (level == "warning")


@pytest.mark.parametrize(
    ("sdk", "ok"),
    [
        ("dify_plugin>=0.8,<0.11", False),
        ("dify-plugin<0.11", False),
        ("dify-plugin>=0.9.0,<0.11", True),
        ("dify_plugin~=0.10.2", True),
    ],
)
def test_sdk_lower_bound(
    contents: dict[str, bytes],
    check: Callable[[dict[str, bytes]], list[Finding]],
    sdk: str,
    ok: bool,
) -> None:
    findings = check({**contents, "requirements.txt": f"{sdk}\nrequests>=2.32,<3\n".encode()})
    assert any("lower bound >= 0.9.0" in m for m in errors(findings, "dependencies")) is not ok


def test_missing_requirements_fails(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    files = dict(contents)
    del files["requirements.txt"]
    assert any("requirements.txt is missing" in m for m in errors(check(files), "dependencies"))


def test_pyproject_must_match_requirements(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    from packaging.requirements import Requirement

    lines = [
        line.strip()
        for line in contents["requirements.txt"].decode().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    # Same requirements in a different spelling (name normalisation, specifier order) match.
    respelled = [
        f"{Requirement(line).name.replace('_', '-').upper()}"
        f"{','.join(reversed([str(s) for s in Requirement(line).specifier]))}"
        for line in lines
    ]
    matching = f"[project]\nname = 'x'\nversion = '0.1.0'\ndependencies = {respelled!r}\n"
    assert errors(check({**contents, "pyproject.toml": matching.encode()})) == []
    dev_only = "[project]\nname = 'x'\nversion = '0.1.0'\ndependencies = ['pytest>=8,<10']\n"
    found = errors(check({**contents, "pyproject.toml": dev_only.encode()}), "dependencies")
    assert any("differ from requirements.txt" in m for m in found)
    tool_only = "[tool.ruff]\nline-length = 100\n"
    found = errors(check({**contents, "pyproject.toml": tool_only.encode()}), "dependencies")
    assert any("without a [project].dependencies" in m for m in found)


def test_high_entropy_token_fails_but_placeholder_passes(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    value = _random_text(string.ascii_letters + string.digits, 32, seed=11)
    assert shannon_entropy(value) > 3.5
    leaked = f'auth_token = "{value}"\n'.encode()
    found = errors(check({**contents, "plivo_api/settings.py": leaked}), "secrets")
    assert len(found) == 1
    assert "plivo_api/settings.py:1" in found[0]
    assert "auth_token" in found[0]
    for placeholder in (
        "test-token",
        "test-token-alpha",
        "ABCDEFGHIJKLMNOPQRSTUV",
        "https://api.plivo.com/v1/Account/",
    ):
        safe = f'auth_token = "{placeholder}"\n'.encode()
        assert errors(check({**contents, "plivo_api/settings.py": safe}), "secrets") == []


def test_secret_in_yaml_and_json_is_found(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    value = _random_text(string.ascii_lowercase + string.digits, 40, seed=12)
    found = errors(check({**contents, "conf.yaml": f'api_key: "{value}"\n'.encode()}), "secrets")
    assert len(found) == 1
    found = errors(check({**contents, "conf.json": f'{{"secret": "{value}"}}'.encode()}), "secrets")
    assert len(found) == 1


def test_vendor_shaped_tokens_fail(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    aws = "AKIA" + _random_text(string.ascii_uppercase + string.digits, 16, seed=13)
    plivo = "MA" + _random_text(string.ascii_uppercase + string.digits, 18, seed=14)
    key = "-----BEGIN RSA " + "PRIVATE KEY-----"
    for text in (f"key = {aws}\n", f"# account {plivo}\n", f"{key}\nabc\n"):
        found = errors(check({**contents, "notes.txt": text.encode()}), "secrets")
        assert len(found) == 1, text
    placeholder = "MA" + "X" * 18
    assert errors(check({**contents, "notes.txt": placeholder.encode()}), "secrets") == []


def test_readme_cjk_outside_fences_fails(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    readme = contents["README.md"].decode()
    outside = readme + "\n[简体中文](readme/README_zh_Hans.md)\n"
    found = errors(check({**contents, "README.md": outside.encode()}), "readme")
    assert len(found) == 1
    assert f"line {len(outside.splitlines())}" in found[0]
    inside = (
        readme + "\n```text\n发送短信\n```\n\nInline ```发送``` too; kana プラグイン is not Han.\n"
    )
    assert errors(check({**contents, "README.md": inside.encode()}), "readme") == []
    tilde = readme + "\n~~~\n发送短信\n~~~\n"  # the marketplace only strips ``` blocks
    assert errors(check({**contents, "README.md": tilde.encode()}), "readme")


def test_readme_must_contain_repo_url(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    repo = yaml.safe_load(contents["manifest.yaml"])["repo"]
    readme = contents["README.md"].decode().replace(repo, "the repository")
    found = errors(check({**contents, "README.md": readme.encode()}), "readme")
    assert any(repo in m for m in found)
    assert errors(check({**contents, "README.md": b""}), "readme")


def test_readme_topics_warn(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    repo = yaml.safe_load(contents["manifest.yaml"])["repo"]
    findings = check({**contents, "README.md": f"# Plivo SMS\n\n{repo}\n".encode()})
    assert errors(findings, "readme") == []
    assert len(warnings(findings, "readme")) == 4


@pytest.mark.parametrize("author", ["mydify", "langgenius", "smsdifybridge"])
def test_author_with_reserved_word_fails(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]], author: str
) -> None:
    found = errors(check(edit_manifest(contents, author=author)), "manifest")
    assert any("must not contain" in m for m in found)


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("repo", "https://example.com/org/repo", "repo"),
        ("repo", "ftp://github.com/org/repo", "repo"),
        ("contact", "maintainers", "contact"),
        ("privacy", "", "privacy"),
    ],
)
def test_marketplace_manifest_fields(
    contents: dict[str, bytes],
    check: Callable[[dict[str, bytes]], list[Finding]],
    key: str,
    value: str,
    fragment: str,
) -> None:
    found = errors(check(edit_manifest(contents, **{key: value})), "manifest")
    assert any(fragment in m for m in found)


def test_minimum_dify_version_missing_warns(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    manifest = yaml.safe_load(contents["manifest.yaml"])
    manifest["meta"].pop("minimum_dify_version", None)
    files = {**contents, "manifest.yaml": yaml.safe_dump(manifest, sort_keys=False).encode()}
    findings = check(files)
    assert errors(findings) == []
    assert any("minimum_dify_version" in m for m in warnings(findings, "manifest"))


def test_version_after_meta_is_detected(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    manifest = yaml.safe_load(contents["manifest.yaml"])
    reordered = {"meta": manifest.pop("meta"), **manifest}
    text = yaml.safe_dump(reordered, sort_keys=False, allow_unicode=True)
    found = errors(check({**contents, "manifest.yaml": text.encode()}), "manifest")
    assert len(found) == 1
    assert "put the top-level `version:` before `meta:`" in found[0]


def test_privacy_template_and_missing_fail(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    template = PRIVACY_MD + "\nTODO: describe data retention.\n"
    found = errors(check({**contents, "PRIVACY.md": template.encode()}), "privacy")
    assert any("template" in m for m in found)
    short = b"# Privacy\n\nWe send messages to Plivo.\n"
    assert any("template" in m for m in errors(check({**contents, "PRIVACY.md": short}), "privacy"))
    no_vendor = re.sub("(?i)plivo", "vendor", PRIVACY_MD)
    found = errors(check({**contents, "PRIVACY.md": no_vendor.encode()}), "privacy")
    assert any("Plivo" in m for m in found)
    files = dict(contents)
    del files["PRIVACY.md"]
    assert any("missing" in m for m in errors(check(files), "privacy"))


def test_http_call_without_timeout_warns(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    source = (
        "import requests\n\n"
        "def a(url):\n    return requests.get(url)\n\n"
        "def b(self, url):\n    return self._session.post(url, json={})\n\n"
        "def c(url):\n    return requests.get(url, timeout=5)\n\n"
        "def d(url, **kw):\n    return requests.get(url, **kw)\n\n"
        "def e(cache, key):\n    return cache.get(key)\n"
    )
    found = warnings(check({**contents, "plivo_api/net.py": source.encode()}), "timeouts")
    assert sorted(m.split(": ")[0] for m in found) == ["plivo_api/net.py:4", "plivo_api/net.py:7"]


def test_secret_names_in_logs_and_errors_warn(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    source = (
        "import logging\nlogger = logging.getLogger(__name__)\n\n"
        "def a(auth_token):\n    logger.info('using %s', auth_token)\n\n"
        "def b(creds):\n    raise ValueError(f'bad {creds.api_key}')\n\n"
        "def c(auth_id, auth_token):\n    return Client(auth_id, auth_token)\n\n"
        "def d(count):\n    logger.info('sent %d', count)\n\n"
        "def e():\n    raise CredentialError('auth_token is empty')\n"
    )
    found = warnings(check({**contents, "plivo_api/leak.py": source.encode()}), "leaks")
    assert sorted(m.split(": ")[0] for m in found) == ["plivo_api/leak.py:5", "plivo_api/leak.py:8"]


def test_unsafe_zip_names_fail(tmp_path: Path, contents: dict[str, bytes]) -> None:
    pkg = tmp_path / "evil.difypkg"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
        archive.writestr("../escape.py", b"x = 1\n")
    pkg.write_bytes(buffer.getvalue())
    found = errors(validate_package(pkg, install_test=False), "zip")
    assert any("../escape.py" in m for m in found)


def test_declaration_errors_are_reported(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    files = dict(contents)
    del files["tools/send_sms.yaml"]
    found = errors(check(files), "declaration")
    assert any("tools/send_sms.yaml: file not found" in m for m in found)


# ------------------------------------------------------------------------------------------------
# endpoints in the tool plugin

GROUP = {
    "settings": [
        {"name": "auth_token", "type": "secret-input", "required": True, "label": {"en_US": "T"}},
    ],
    "endpoints": ["endpoints/inbound.yaml"],
}
ENDPOINT = {"path": "/plivo/inbound", "method": "POST", "extra": {"python": {"source": "e.py"}}}
ENDPOINT_PY = b'"""Fixture endpoint module (never imported by these tests)."""\n'


def with_endpoints(
    contents: dict[str, bytes],
    group: dict[str, object] | None = None,
    endpoint: dict[str, object] | None = None,
    permission: dict[str, object] | None = None,
) -> dict[str, bytes]:
    manifest = yaml.safe_load(contents["manifest.yaml"])
    manifest["plugins"]["endpoints"] = ["group/plivo.yaml"]
    manifest["resource"]["permission"] = (
        {"endpoint": {"enabled": True}} if permission is None else permission
    )
    text = yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True)
    return {
        **contents,
        "manifest.yaml": text.encode(),
        "group/plivo.yaml": yaml.safe_dump(GROUP if group is None else group).encode(),
        "endpoints/inbound.yaml": yaml.safe_dump(
            ENDPOINT if endpoint is None else endpoint
        ).encode(),
        "e.py": ENDPOINT_PY,
    }


def test_endpoints_beside_tools_are_accepted(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    permission = {
        "endpoint": {"enabled": True},
        "app": {"enabled": True},
        "storage": {"enabled": True, "size": 1048576},
    }
    app = {"name": "app", "type": "app-selector", "scope": "chat", "label": {"en_US": "App"}}
    group = {**GROUP, "settings": [*GROUP["settings"], app]}  # type: ignore[list-item]
    findings = check(with_endpoints(contents, group=group, permission=permission))
    assert errors(findings) == []
    assert warnings(findings) == []


@pytest.mark.parametrize(
    ("group", "endpoint", "permission", "expected"),
    [
        (None, None, {}, "resource.permission.endpoint.enabled: must be true"),
        (None, {**ENDPOINT, "method": "PATCH"}, None, "method: 'PATCH' is not one of"),
        (None, {**ENDPOINT, "path": "plivo"}, None, "path: 'plivo' must start with /"),
        (None, {**ENDPOINT, "extra": {}}, None, "extra.python.source: required"),
        (None, {**ENDPOINT, "hidden": "no"}, None, "hidden: must be true or false"),
        (
            {**GROUP, "settings": {"t": {"type": "secret-input"}}},
            None,
            None,
            "settings: must be a list",
        ),
        ({**GROUP, "endpoints": []}, None, None, "endpoints: required non-empty list"),
        (
            {**GROUP, "endpoints": ["endpoints/inbound.yaml", "endpoints/inbound.yaml"]},
            None,
            None,
            "POST /plivo/inbound is already declared",
        ),
        (
            None,
            None,
            {"endpoint": {"enabled": True}, "storage": {"enabled": True}},
            "storage.size: required whenever storage is listed",
        ),
        (
            None,
            None,
            {"endpoint": {"enabled": True}, "storage": {"enabled": True, "size": 512}},
            "storage.size: required whenever storage is listed",
        ),
        (None, None, {"endpoint": {"enabled": "yes"}}, "endpoint.enabled: must be true or false"),
        (None, None, {"endpoint": {"enabled": True}, "network": {}}, "unknown permission"),
    ],
)
def test_endpoint_and_permission_rules(
    contents: dict[str, bytes],
    check: Callable[[dict[str, bytes]], list[Finding]],
    group: dict[str, object] | None,
    endpoint: dict[str, object] | None,
    permission: dict[str, object] | None,
    expected: str,
) -> None:
    found = errors(check(with_endpoints(contents, group, endpoint, permission)), "declaration")
    assert any(expected in message for message in found), found


def test_app_selector_without_app_permission_warns(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    app = {"name": "app", "type": "app-selector", "label": {"en_US": "App"}}
    group = {**GROUP, "settings": [app]}
    findings = check(with_endpoints(contents, group=group))
    assert errors(findings) == []
    assert any("settings.app lets the user pick an app" in m for m in warnings(findings))


def test_unused_endpoint_permission_warns(
    contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    manifest = yaml.safe_load(contents["manifest.yaml"])
    manifest["resource"]["permission"] = {"endpoint": {"enabled": True}}
    findings = check(edit_manifest(contents, resource=manifest["resource"]))
    assert errors(findings) == []
    assert any("declares no endpoints" in m for m in warnings(findings, "declaration"))


# ------------------------------------------------------------------------------------------------
# the trigger plugin: a second plugin in plivo_trigger/, sharing the top-level plivo_api/

TRIGGER_PROVIDER_PY = '''"""Fixture trigger provider: every webhook is an sms_received event."""

from dify_plugin.interfaces.trigger import EventDispatch, Subscription, Trigger
from werkzeug import Request, Response

from plivo_api import core


class FixtureTrigger(Trigger):
    def _dispatch_event(self, subscription: Subscription, request: Request) -> EventDispatch:
        events = ["sms_received"] if core.ready() else []
        return EventDispatch(events=events, response=Response("OK", status=200))
'''
EVENT_PY = '''"""Fixture event: the SMS text becomes the workflow's variable."""

from collections.abc import Mapping
from typing import Any

from dify_plugin.interfaces.trigger import Event, Variables
from werkzeug import Request


class SmsReceived(Event):
    def _on_event(
        self, request: Request, parameters: Mapping[str, Any], payload: Mapping[str, Any]
    ) -> Variables:
        return Variables(variables={"text": str(payload.get("Text", ""))})
'''
SHARED_INIT_PY = '"""Fixture shared package."""\n'
SHARED_CORE_PY = '''"""Fixture shared module."""


def ready() -> bool:
    return True
'''


def trigger_files(manifest: dict[str, object]) -> dict[str, str]:
    """A minimal complete trigger plugin, keyed by path inside its folder."""
    author = manifest["author"]
    trigger_manifest = {
        **manifest,
        "name": "plivo_trigger",
        "label": {"en_US": "Plivo Trigger"},
        "description": {"en_US": "Start workflows on inbound SMS"},
        "plugins": {"triggers": ["provider/plivo_trigger.yaml"]},
        "resource": {"memory": 268435456},
        "meta": {**manifest["meta"], "minimum_dify_version": "1.10.0"},  # type: ignore[dict-item]
    }
    provider = {
        "identity": {
            "author": author,
            "name": "plivo_trigger",
            "label": {"en_US": "Plivo Trigger"},
            "description": {"en_US": "Inbound SMS"},
            "icon": manifest["icon"],
        },
        "subscription_schema": [
            {
                "name": "auth_token",
                "type": "secret-input",
                "required": True,
                "label": {"en_US": "T"},
            }
        ],
        "events": ["events/sms_received.yaml"],
        "extra": {"python": {"source": "provider/plivo_trigger.py"}},
    }
    event = {
        "identity": {"name": "sms_received", "author": author, "label": {"en_US": "SMS received"}},
        "description": {"en_US": "An SMS reached one of your Plivo numbers"},
        "parameters": [
            {"name": "from_filter", "type": "string", "required": False, "label": {"en_US": "F"}}
        ],
        "output_schema": {"type": "object", "properties": {"text": {"type": "string"}}},
        "extra": {"python": {"source": "events/sms_received.py"}},
    }
    return {
        "manifest.yaml": yaml.safe_dump(trigger_manifest, sort_keys=False, allow_unicode=True),
        "provider/plivo_trigger.yaml": yaml.safe_dump(provider, sort_keys=False),
        "provider/plivo_trigger.py": TRIGGER_PROVIDER_PY,
        "events/sms_received.yaml": yaml.safe_dump(event, sort_keys=False),
        "events/sms_received.py": EVENT_PY,
        "README.md": readme_text(str(manifest["repo"])).replace("Plivo SMS", "Plivo Trigger"),
        "PRIVACY.md": PRIVACY_MD,
    }


@pytest.fixture
def repo_root(plugin_root: Path) -> Path:
    """The fixture tool plugin plus a shared `plivo_api/` and a trigger plugin in plivo_trigger/."""
    shared = plugin_root / "plivo_api"
    (shared / "__pycache__").mkdir(parents=True)
    (shared / "__init__.py").write_text(SHARED_INIT_PY, encoding="utf-8")
    (shared / "core.py").write_text(SHARED_CORE_PY, encoding="utf-8")
    (shared / "__pycache__" / "core.cpython-312.pyc").write_bytes(b"\x00compiled")
    manifest = yaml.safe_load((plugin_root / "manifest.yaml").read_text(encoding="utf-8"))
    trigger = plugin_root / "plivo_trigger"
    for rel, text in trigger_files(manifest).items():
        (trigger / rel).parent.mkdir(parents=True, exist_ok=True)
        (trigger / rel).write_text(text, encoding="utf-8")
    # The trigger's own entry point: the tool plugin's main.py also loads the tools' code.
    shutil.copy2(
        Path(__file__).resolve().parents[2] / "plivo_trigger" / "main.py", trigger / "main.py"
    )
    shutil.copy2(plugin_root / "requirements.txt", trigger / "requirements.txt")
    shutil.copytree(plugin_root / "_assets", trigger / "_assets")
    (trigger / "events" / "__pycache__").mkdir()
    (trigger / "events" / "__pycache__" / "sms_received.cpython-312.pyc").write_bytes(b"\x00")
    return plugin_root


def names_in(pkg: Path) -> list[str]:
    with zipfile.ZipFile(pkg) as archive:
        return archive.namelist()


def test_only_the_tool_plugin_without_a_trigger_manifest(plugin_root: Path) -> None:
    (plugin_root / "plivo_trigger").mkdir()  # a folder without manifest.yaml is not a plugin yet
    assert [source.root for source in repository_plugins(plugin_root)] == [plugin_root]


def test_cli_builds_and_validates_both_plugins(
    repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dist"
    assert main(["build", "--root", str(repo_root), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert sorted(p.name for p in out.glob("*.difypkg")) == [
        "plivo_sms-0.1.0.difypkg",
        "plivo_trigger-0.1.0.difypkg",
    ]
    identifiers = [line for line in printed.splitlines() if IDENTIFIER_RE.fullmatch(line)]
    assert [i.split(":")[0] for i in identifiers] == [
        "smsbridge/plivo_sms",
        "smsbridge/plivo_trigger",
    ]
    assert main(["validate", "--root", str(repo_root), "--out", str(out)]) == 0
    report = capsys.readouterr().out
    assert report.count("PASSED: 0 error(s), 0 warning(s)") == 2


def test_trigger_package_carries_the_shared_package(repo_root: Path, tmp_path: Path) -> None:
    tool_source, trigger_source = repository_plugins(repo_root)
    trigger = build_package(trigger_source, tmp_path / "out")
    assert {"plivo_api/__init__.py", "plivo_api/core.py"} <= set(trigger.files)
    assert not [name for name in trigger.files if "__pycache__" in name]  # inherited .difyignore
    with zipfile.ZipFile(trigger.path) as archive:
        assert archive.read("plivo_api/core.py").decode() == SHARED_CORE_PY
        assert (
            archive.read("manifest.yaml")
            == (repo_root / "plivo_trigger/manifest.yaml").read_bytes()
        )
    tool = build_package(tool_source, tmp_path / "out")
    assert not [name for name in tool.files if name.startswith("plivo_trigger/")]


def test_a_copy_of_the_shared_package_in_the_trigger_folder_is_refused(
    repo_root: Path, tmp_path: Path
) -> None:
    (repo_root / "plivo_trigger" / "plivo_api").mkdir()
    (repo_root / "plivo_trigger" / "plivo_api" / "__init__.py").write_text("", encoding="utf-8")
    with pytest.raises(PackagingError, match=r"plivo_trigger/plivo_api exists"):
        build_package(repository_plugins(repo_root)[1], tmp_path / "out")


def test_another_plugin_inside_a_package_fails(
    repo_root: Path, tmp_path: Path, check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    ignore = repo_root / ".difyignore"
    ignore.write_text(ignore.read_text(encoding="utf-8").replace("plivo_trigger/\n", ""), "utf-8")
    built = build_package(PluginSource(repo_root), tmp_path / "out")
    found = errors(validate_package(built.path, install_test=False), "contents")
    assert found == [
        "plivo_trigger/manifest.yaml: another plugin's folder ships inside this package; "
        "exclude plivo_trigger/ in .difyignore"
    ]


@pytest.fixture
def trigger_contents(repo_root: Path, tmp_path: Path) -> dict[str, bytes]:
    built = build_package(repository_plugins(repo_root)[1], tmp_path / "trigger-out")
    with zipfile.ZipFile(built.path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def edit_yaml(
    files: dict[str, bytes], path: str, edit: Callable[[dict[str, object]], None]
) -> dict[str, bytes]:
    document = yaml.safe_load(files[path])
    edit(document)
    return {**files, path: yaml.safe_dump(document, sort_keys=False, allow_unicode=True).encode()}


@pytest.mark.parametrize(
    ("path", "edit", "expected"),
    [
        (
            "manifest.yaml",
            lambda m: m["meta"].update(minimum_dify_version="1.9.0"),
            "a trigger plugin needs Dify 1.10.0 or later, got '1.9.0'",
        ),
        (
            "manifest.yaml",
            lambda m: m["meta"].pop("minimum_dify_version"),
            "a trigger plugin needs Dify 1.10.0 or later, got None",
        ),
        (
            "manifest.yaml",
            lambda m: m["plugins"].update(tools=["provider/plivo_trigger.yaml"]),
            "triggers cannot be combined with tools",
        ),
        (
            "manifest.yaml",
            lambda m: m["plugins"].update(endpoints=["group/x.yaml"]),
            "triggers cannot be combined with endpoints",
        ),
        (
            "provider/plivo_trigger.yaml",
            lambda p: p["identity"].update(tags=["social"]),
            "identity.tags: leave out",
        ),
        (
            "provider/plivo_trigger.yaml",
            lambda p: p.pop("subscription_schema"),
            "declare subscription_schema (manual webhook) or subscription_constructor",
        ),
        (
            "provider/plivo_trigger.yaml",
            lambda p: p.update(events=["events/missing.yaml"]),
            "events/missing.yaml: file not found",
        ),
        (
            "provider/plivo_trigger.yaml",
            lambda p: p.update(events=[]),
            "events: required non-empty list",
        ),
        (
            "events/sms_received.yaml",
            lambda e: e.pop("extra"),
            "events/sms_received.yaml: extra.python.source: required",
        ),
        (
            "events/sms_received.yaml",
            lambda e: e["parameters"][0].update(type="text-input"),
            "from_filter.type: 'text-input' is not an event parameter type",
        ),
        (
            "events/sms_received.yaml",
            lambda e: e.update(description="plain text"),
            "description: must be a mapping of language",
        ),
        (
            "events/sms_received.yaml",
            lambda e: e.update(output_schema={"text": "string"}),
            "output_schema: must be a JSON Schema with type: object",
        ),
    ],
)
def test_trigger_rules(
    trigger_contents: dict[str, bytes],
    check: Callable[[dict[str, bytes]], list[Finding]],
    path: str,
    edit: Callable[[dict[str, object]], None],
    expected: str,
) -> None:
    assert errors(check(trigger_contents)) == []
    found = errors(check(edit_yaml(trigger_contents, path, edit)), "declaration")
    assert any(expected in message for message in found), found


def test_trigger_asking_for_endpoint_permission_warns(
    trigger_contents: dict[str, bytes], check: Callable[[dict[str, bytes]], list[Finding]]
) -> None:
    files = edit_yaml(
        trigger_contents,
        "manifest.yaml",
        lambda m: m["resource"].update(permission={"endpoint": {"enabled": True}}),
    )
    findings = check(files)
    assert errors(findings) == []
    assert any("declares no endpoints" in m for m in warnings(findings, "declaration"))


@pytest.mark.e2e
def test_trigger_package_starts_as_the_marketplace_starts_it(
    repo_root: Path, tmp_path: Path
) -> None:
    """Serverless `python -m main` from the unpacked package: the SDK loads the trigger and its
    event, whose module imports the copied `plivo_api`; a missing copy fails the start."""
    built = build_package(repository_plugins(repo_root)[1], tmp_path / "out")
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(built.path) as archive:
        archive.extractall(unpacked)
    ok, detail, _ = start_plugin(Path(sys.executable), unpacked)
    assert ok, detail
    shutil.rmtree(unpacked / "plivo_api")
    ok, detail, _ = start_plugin(Path(sys.executable), unpacked)
    assert not ok
    assert "No module named 'plivo_api'" in detail
