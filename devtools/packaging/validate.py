"""Validate a plugin against the daemon's rules and the marketplace's blocking checks.

`validate_package` reads everything from the built package, never from the repository: what is
checked is exactly what would be uploaded. `validate_source` runs the same checks on the files a
build would pack, without building (the declaration tests use it). Marketplace rules:
https://github.com/langgenius/dify-plugins (submission requirements and pre-check workflows).
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from devtools.packaging.build import ignore_warnings
from devtools.packaging.declaration import MANIFEST, check_declaration
from devtools.packaging.deps import REQUIREMENTS_FILE, check_dependencies
from devtools.packaging.findings import Finding, error, info, warning
from devtools.packaging.install_test import MARKETPLACE_START_SECONDS, run_install_test
from devtools.packaging.listing import check_icons, check_manifest, check_privacy, check_readme
from devtools.packaging.scan import scan_contents
from devtools.packaging.sources import PluginSource

# Every check name a Finding can carry, in report order ("install-test" only runs on request).
CHECKS = (
    "zip",
    "size",
    "contents",
    "declaration",
    "manifest",
    "privacy",
    "readme",
    "icon",
    "dependencies",
    "secrets",
    "python",
    "timeouts",
    "leaks",
    "install-test",
)
MAX_PACKAGE_BYTES = 52_428_800  # 50 MiB, both the upload and its uncompressed contents
MAX_FILES = 5000
BLOCKED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "env",
        "__pycache__",
        ".pytest_cache",
        ".ruff_cache",
        ".mypy_cache",
        ".tox",
        ".nox",
        ".idea",
        ".vscode",
        "node_modules",
    }
)
BLOCKED_NAMES = frozenset({".DS_Store"})
BLOCKED_SUFFIXES = (".key", ".pem", ".p12", ".pfx", ".pyc", ".pyo", ".log", ".tmp", ".swp", ".bak")
ALLOWED_ENV_FILES = frozenset({".env.example", ".env.sample", ".env.template"})
IMAGE_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"\x00\x00\x01\x00",  # .ico
)
WEBP_MAGIC = (b"RIFF", b"WEBP")


def _is_image(data: bytes) -> bool:
    if data.startswith(IMAGE_MAGIC):
        return True
    return data[:4] == WEBP_MAGIC[0] and data[8:12] == WEBP_MAGIC[1]


def _unsafe_name(name: str) -> bool:
    if name.startswith("/") or "\\" in name or ":" in PurePosixPath(name).parts[0]:
        return True
    return ".." in PurePosixPath(name).parts or posixpath.normpath(name) != name


def read_package(pkg: Path) -> tuple[dict[str, bytes], list[Finding]]:
    """Read every file entry into memory, refusing unsafe names and oversized contents."""
    findings: list[Finding] = []
    contents: dict[str, bytes] = {}
    try:
        archive = zipfile.ZipFile(pkg)
    except (zipfile.BadZipFile, OSError) as exc:
        return {}, [error("zip", f"{pkg} is not a readable zip archive: {exc}")]
    with archive:
        infos = archive.infolist()
        declared = sum(i.file_size for i in infos)
        if declared > MAX_PACKAGE_BYTES:
            return {}, [
                error(
                    "size",
                    f"uncompressed contents are {declared:,} bytes (limit {MAX_PACKAGE_BYTES:,})",
                )
            ]
        for item in infos:
            name = item.filename
            if item.is_dir():
                findings.append(
                    warning("zip", f"directory entry {name!r} (the Dify CLI writes none)")
                )
                continue
            if _unsafe_name(name):
                findings.append(error("zip", f"unsafe entry name {name!r}"))
                continue
            if name in contents:
                findings.append(error("zip", f"duplicate entry {name!r}"))
                continue
            try:
                contents[name] = archive.read(item)
            except (zipfile.BadZipFile, OSError) as exc:
                findings.append(error("zip", f"cannot read {name!r}: {exc}"))
    return contents, findings


def _nested_plugin(name: str, data: bytes) -> bool:
    """A `manifest.yaml` below the root that declares a plugin: another plugin's folder."""
    if "/" not in name or not name.endswith("/" + MANIFEST):
        return False
    try:
        document = yaml.safe_load(data.decode("utf-8", "replace"))
    except yaml.YAMLError:
        return False
    return isinstance(document, Mapping) and document.get("type") == "plugin"


def check_contents(contents: Mapping[str, bytes], package_size: int | None) -> list[Finding]:
    """Files that must never ship: VCS/venv/cache/IDE dirs, env files, keys, bytecode, binaries,
    and another plugin's folder (each plugin is packaged on its own)."""
    findings: list[Finding] = []
    if package_size is not None and package_size > MAX_PACKAGE_BYTES:
        findings.append(
            error("size", f"package is {package_size:,} bytes (limit {MAX_PACKAGE_BYTES:,})")
        )
    if len(contents) > MAX_FILES:
        findings.append(error("size", f"package holds {len(contents)} files (limit {MAX_FILES})"))
    for name in sorted(contents):
        parts = name.split("/")
        base = parts[-1]
        blocked_dirs = BLOCKED_DIRS.intersection(parts[:-1])
        if blocked_dirs:
            findings.append(error("contents", f"{name}: {sorted(blocked_dirs)[0]}/ must not ship"))
            continue
        if (base == ".env" or base.startswith(".env.")) and base not in ALLOWED_ENV_FILES:
            findings.append(error("contents", f"{name}: environment files must not ship (secrets)"))
        elif base in BLOCKED_NAMES or base.endswith(BLOCKED_SUFFIXES):
            findings.append(error("contents", f"{name}: this kind of file must not ship"))
        elif b"\x00" in contents[name] and not _is_image(contents[name]):
            findings.append(error("contents", f"{name}: binary file (only images may be binary)"))
        elif _nested_plugin(name, contents[name]):
            findings.append(
                error(
                    "contents",
                    f"{name}: another plugin's folder ships inside this package; exclude "
                    f"{name.rsplit('/', 1)[0]}/ in .difyignore",
                )
            )
    return findings


def _load_manifest(contents: Mapping[str, bytes]) -> tuple[Mapping[str, Any], str] | None:
    raw = contents.get(MANIFEST)
    if raw is None:
        return None
    text = raw.decode("utf-8", "replace")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return (data, text) if isinstance(data, Mapping) else None


def validate_contents(
    contents: Mapping[str, bytes], *, package_size: int | None = None
) -> list[Finding]:
    """Every check that reads only the files (no install test); `package_size` is the packed
    size when there is a package."""
    findings = check_contents(contents, package_size)
    declaration, declaration_findings = check_declaration(frozenset(contents), contents.__getitem__)
    findings.extend(declaration_findings)
    icons: list[str] = list(declaration.icons) if declaration is not None else []
    loaded = _load_manifest(contents)
    if loaded is None:
        findings.append(error("manifest", f"{MANIFEST} is missing or not a YAML mapping"))
        manifest: Mapping[str, Any] = {}
    else:
        manifest, manifest_text = loaded
        findings.extend(check_manifest(manifest, manifest_text))
        if not icons and isinstance(manifest.get("icon"), str):
            icons.append(manifest["icon"])
    findings.extend(check_privacy(contents, manifest))
    findings.extend(check_readme(contents, manifest))
    findings.extend(check_icons(contents, icons))
    findings.extend(check_dependencies(contents))
    findings.extend(scan_contents(contents))
    return findings


def validate_source(source: Path | PluginSource) -> list[Finding]:
    """The package checks on the files a build of `source` would pack, without building."""
    plugin = source if isinstance(source, PluginSource) else PluginSource(source)
    files = plugin.collect(exclude_dir=plugin.root / "dist")
    contents = {rel: path.read_bytes() for rel, path in files.items()}
    findings = [warning("contents", message) for message in ignore_warnings(plugin)]
    return findings + validate_contents(contents)


def validate_package(
    pkg: Path, *, install_test: bool, venv_cache: Path | None = None
) -> list[Finding]:
    """All findings for the package; an `error` means the marketplace or the daemon would refuse it.

    `venv_cache` is where the install test keeps its venvs (default: the package's folder, dist/).
    """
    contents, findings = read_package(pkg)
    if not contents:
        return findings or [error("zip", f"{pkg} contains no files")]
    findings.extend(validate_contents(contents, package_size=pkg.stat().st_size))

    if install_test:
        findings.extend(_install_test(pkg, contents, venv_cache or pkg.parent))
    return findings


def _install_test(pkg: Path, contents: Mapping[str, bytes], venv_cache: Path) -> list[Finding]:
    if REQUIREMENTS_FILE not in contents:
        return [error("install-test", f"skipped: no {REQUIREMENTS_FILE} in the package")]
    result = run_install_test(pkg, contents[REQUIREMENTS_FILE], venv_cache)
    venv_note = (
        "cached venv" if result.venv_cached else f"venv built in {result.venv_seconds:.1f} s"
    )
    if not result.ok:
        return [error("install-test", f"{result.detail} ({venv_note})")]
    if result.start_seconds is not None and result.start_seconds > MARKETPLACE_START_SECONDS:
        return [
            warning(
                "install-test",
                f"{result.detail}: slower than the marketplace's "
                f"{MARKETPLACE_START_SECONDS:.0f} s ({venv_note})",
            )
        ]
    return [info("install-test", f"passed: {result.detail} ({venv_note})")]
