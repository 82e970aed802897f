"""Packager and validator (devtools/packaging): the gitignore matcher, the built zip, the checks.

Fixture plugins are built in tmp_path from the real skeleton files (manifest, main.py,
requirements.txt, .difyignore, icon) plus fixed provider/tool/README/PRIVACY stand-ins, so these
tests do not change when the real docs and YAMLs do. `test_real_repo_package_has_no_errors` is the
one test that depends on the real repository being complete.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
import shutil
import string
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from devtools.packaging import (
    BuiltPackage,
    Finding,
    IgnoreMatcher,
    PackagingError,
    build_package,
    validate_package,
)
from devtools.packaging.__main__ import main
from devtools.packaging.build import IDENTIFIER_RE, MAX_UNCOMPRESSED_BYTES
from devtools.packaging.scan import shannon_entropy

REPO = Path(__file__).resolve().parents[1]
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

Add the Send SMS tool to a workflow, for example to notify a customer.
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
    if manifest["plugins"] != {"tools": ["provider/plivo_sms.yaml"]}:
        manifest["plugins"] = {"tools": ["provider/plivo_sms.yaml"]}
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
# gitignore matcher


@pytest.mark.parametrize(
    ("rules", "path", "is_dir", "ignored"),
    [
        # a trailing slash matches directories only, at any depth, and prunes their subtree
        (["build/"], "build", True, True),
        (["build/"], "build", False, False),
        (["build/"], "build/out/app.bin", False, True),
        (["build/"], "src/build/x.txt", False, True),
        # negation: the last matching rule wins
        (["*.log", "!keep.log"], "debug.log", False, True),
        (["*.log", "!keep.log"], "keep.log", False, False),
        (["*.log", "!keep.log"], "sub/keep.log", False, False),
        (["!keep.log", "*.log"], "keep.log", False, True),
        # a file cannot be re-included when its parent directory is excluded
        (["logs/", "!logs/keep.log"], "logs/keep.log", False, True),
        # anchoring: a leading or middle slash anchors to the root
        (["/top.txt"], "top.txt", False, True),
        (["/top.txt"], "sub/top.txt", False, False),
        (["doc/frotz"], "doc/frotz", False, True),
        (["doc/frotz"], "a/doc/frotz", False, False),
        (["frotz"], "a/b/frotz", False, True),
        (["/*.py"], "setup.py", False, True),
        (["/*.py"], "pkg/mod.py", False, False),
        # ** spans directories
        (["**/foo"], "foo", False, True),
        (["**/foo"], "a/b/foo", False, True),
        (["a/**/b"], "a/b", False, True),
        (["a/**/b"], "a/x/y/b", False, True),
        (["a/**/b"], "xa/b", False, False),
        (["logs/**"], "logs/a/b.txt", False, True),
        (["logs/**"], "logs", True, False),
        # wildcards, classes, comments, escapes, trailing spaces
        (["file?.txt"], "file1.txt", False, True),
        (["file?.txt"], "file10.txt", False, False),
        (["[abc].md"], "b.md", False, True),
        (["[abc].md"], "d.md", False, False),
        (["[!a]x"], "bx", False, True),
        (["[!a]x"], "ax", False, False),
        (["[0-9].txt"], "7.txt", False, True),
        (["# comment", "", "   "], "# comment", False, False),
        (["\\#hash"], "#hash", False, True),
        (["\\!bang"], "!bang", False, True),
        (["foo   "], "foo", False, True),
        (["*.py[co]"], "pkg/mod.pyc", False, True),
    ],
)
def test_ignore_rules(rules: list[str], path: str, is_dir: bool, ignored: bool) -> None:
    assert IgnoreMatcher.from_lines(rules).is_ignored(path, is_dir=is_dir) is ignored


def test_ignore_walk_prunes_directories_and_honours_negation(tmp_path: Path) -> None:
    for rel in (
        ".git/config",
        "src/app.py",
        "src/__pycache__/app.cpython-312.pyc",
        "logs/keep.log",
        "notes.log",
        "keep.log",
        "docs/build/index.html",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    matcher = IgnoreMatcher.from_lines(
        [".git/", "__pycache__/", "*.log", "!keep.log", "logs/", "build/"]
    )
    assert sorted(matcher.walk(tmp_path)) == ["keep.log", "src/app.py"]


def test_ignore_file_choice(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("a.txt\n", encoding="utf-8")
    assert IgnoreMatcher.for_root(tmp_path).is_ignored("a.txt")
    (tmp_path / ".difyignore").write_text("b.txt\n", encoding="utf-8")
    matcher = IgnoreMatcher.for_root(tmp_path)
    assert matcher.is_ignored("b.txt")
    assert not matcher.is_ignored("a.txt")  # .difyignore wins outright; .gitignore is not merged
    (tmp_path / ".difyignore").unlink()
    (tmp_path / ".gitignore").unlink()
    assert not IgnoreMatcher.for_root(tmp_path).is_ignored(".git/config")  # no built-in excludes


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
    assert ".env.example" in built.files  # negated in .difyignore


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
        ("plugins", {"tools": []}, "plugins.tools: required non-empty list"),
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


def test_real_repo_package_has_no_errors(tmp_path: Path) -> None:
    """Fails until the lead's README.md, PRIVACY.md and YAMLs are complete."""
    built = build_package(REPO, tmp_path / "out")
    findings = validate_package(built.path, install_test=False)
    assert errors(findings) == []


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
    outside = readme + "\n发送短信\n"
    found = errors(check({**contents, "README.md": outside.encode()}), "readme")
    assert len(found) == 1
    assert f"line {len(outside.splitlines())}" in found[0]
    inside = readme + "\n```text\n发送短信\n```\n\n~~~\nプラグイン\n~~~\n"
    assert errors(check({**contents, "README.md": inside.encode()}), "readme") == []


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
    assert len(warnings(findings, "readme")) == 3


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
