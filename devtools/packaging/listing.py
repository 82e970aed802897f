"""Marketplace checks on what reviewers and users read: manifest, PRIVACY.md, README.md, icon.

These are the blocking checks of langgenius/dify-plugins' pre-check workflow and of
https://github.com/langgenius/dify-marketplace-toolkit (`toolkit/checks/manifest.py`,
`toolkit/checks/readme.py`), reimplemented so a submission fails here, not in someone else's CI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from packaging.version import InvalidVersion, Version

from devtools.packaging.declaration import ASSETS_DIR
from devtools.packaging.findings import Finding, error, warning

REQUIRED_KEYS = (
    "author",
    "name",
    "version",
    "type",
    "icon",
    "plugins",
    "privacy",
    "repo",
    "contact",
    "label.en_US",
    "description.en_US",
    "meta.version",
    "meta.arch",
    "meta.runner.language",
    "meta.runner.version",
    "meta.runner.entrypoint",
)
REPO_HOSTS = frozenset(
    {"github.com", "gitlab.com", "bitbucket.org", "gitee.com", "codeberg.org", "git.sr.ht"}
)
FORBIDDEN_AUTHOR_PARTS = ("dify", "langgenius")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
VERSION_LINE_RE = re.compile(r"^\s*version\s*:(.*)$", re.MULTILINE)

PRIVACY_FILE = "PRIVACY.md"
README_FILE = "README.md"
PRIVACY_MIN_CHARS = 300  # the Dify template is shorter than any real policy
PRIVACY_TEMPLATE_MARKERS = ("TODO", "please fill", "lorem ipsum")
PRIVACY_MUST_MENTION = "plivo"  # this plugin's only third party: the policy must name it

# The toolkit's English rule: no Han ideograph (CJK Unified Ideographs and extension A) outside
# ``` fenced blocks. Only backtick fences are removed, and a fence runs to the next ``` anywhere.
CJK_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
FENCED_BLOCK_RE = re.compile(r"```.*?```", re.DOTALL)
CJK_LINES_SHOWN = 5
# The toolkit's keyword sweeps (lower-cased substring matches); a miss is a warning.
README_TOPICS = {
    "setup instructions": (
        "setup",
        "install",
        "installation",
        "configure",
        "configuration",
        "getting started",
    ),
    "usage instructions": ("usage", "use", "example", "examples", "workflow", "chatflow"),
    "required APIs or credentials": (
        "api key",
        "apikey",
        "credential",
        "credentials",
        "token",
        "secret",
        "auth",
        "authentication",
        "authorization",
    ),
    "connection requirements": (
        "connection",
        "connect",
        "endpoint",
        "base url",
        "host",
        "proxy",
        "network",
    ),
}

ICON_TEMPLATE_MARKER = b"DIFY_MARKETPLACE_TEMPLATE_ICON_DO_NOT_USE"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


def _lookup(manifest: Mapping[str, Any], dotted: str) -> Any:
    value: Any = manifest
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def check_manifest(manifest: Mapping[str, Any], manifest_text: str) -> list[Finding]:
    """Marketplace manifest rules on top of the daemon's (which `declaration.py` applies, `type`
    included)."""
    findings: list[Finding] = []
    for key in REQUIRED_KEYS:
        value = _lookup(manifest, key)
        if value is None or value in ("", [], {}):
            findings.append(error("manifest", f"required key {key} is missing or empty"))
    author = str(manifest.get("author") or "")
    for part in FORBIDDEN_AUTHOR_PARTS:
        if part in author.lower():
            findings.append(
                error("manifest", f"author {author!r} must not contain {part!r} (reserved)")
            )
    repo = manifest.get("repo")
    if isinstance(repo, str) and repo:
        parts = urlsplit(repo)
        host = (parts.hostname or "").removeprefix("www.")
        if parts.scheme not in {"http", "https"} or host not in REPO_HOSTS:
            findings.append(
                error(
                    "manifest",
                    f"repo {repo!r} must be an http(s) URL on one of "
                    f"{', '.join(sorted(REPO_HOSTS))}",
                )
            )
        elif parts.path.strip("/").count("/") < 1:
            findings.append(error("manifest", f"repo {repo!r} must point at a repository"))
    contact = manifest.get("contact")
    if isinstance(contact, str) and contact and not EMAIL_RE.fullmatch(contact):
        findings.append(error("manifest", f"contact {contact!r} must be an e-mail address"))
    minimum = _lookup(manifest, "meta.minimum_dify_version")
    if minimum is None:
        findings.append(
            warning(
                "manifest", "meta.minimum_dify_version is not set (the marketplace asks for it)"
            )
        )
    else:
        try:
            Version(str(minimum))
        except InvalidVersion:
            findings.append(
                error("manifest", f"meta.minimum_dify_version {minimum!r} is not a version")
            )
    findings.extend(check_version_line(manifest, manifest_text))
    return findings


def check_version_line(manifest: Mapping[str, Any], manifest_text: str) -> list[Finding]:
    """The toolkit reads the plugin version from the FIRST line matching `^\\s*version\\s*:`.

    If `meta:` precedes the top-level `version:`, it reads `meta.version` (or the runner's "3.12")
    and rejects or mis-orders the submission, so the top-level key must come first.
    """
    match = VERSION_LINE_RE.search(manifest_text)
    if match is None:
        return [error("manifest", "no `version:` line found in manifest.yaml")]
    raw = match.group(1).split(" #", 1)[0].strip().strip("'\"")
    expected = str(manifest.get("version"))
    if raw != expected:
        line_no = manifest_text.count("\n", 0, match.start()) + 1
        return [
            error(
                "manifest",
                f"the first `version:` line (line {line_no}) reads {raw!r}, not the plugin version "
                f"{expected!r}: put the top-level `version:` before `meta:`",
            )
        ]
    return []


def _privacy_problems(name: str, text: str) -> list[Finding]:
    findings: list[Finding] = []
    stripped = text.strip()
    if not stripped:
        return [error("privacy", f"{name} is empty")]
    lowered = stripped.lower()
    markers = [
        m for m in PRIVACY_TEMPLATE_MARKERS if (m in stripped if m.isupper() else m in lowered)
    ]
    if len(stripped) < PRIVACY_MIN_CHARS or markers:
        reason = f"contains {markers}" if markers else f"only {len(stripped)} characters"
        findings.append(
            error(
                "privacy",
                f"{name} looks like the unfilled template ({reason}): say what is collected, "
                "stored, logged and sent to third parties",
            )
        )
    if PRIVACY_MUST_MENTION not in lowered:
        findings.append(
            error("privacy", f"{name} must say what is sent to Plivo (no mention of Plivo)")
        )
    return findings


def check_privacy(contents: Mapping[str, bytes], manifest: Mapping[str, Any]) -> list[Finding]:
    """PRIVACY.md must exist at the root whatever `privacy` says, and be a real policy."""
    findings: list[Finding] = []
    if PRIVACY_FILE not in contents:
        findings.append(error("privacy", f"{PRIVACY_FILE} is missing at the package root"))
    else:
        findings.extend(
            _privacy_problems(PRIVACY_FILE, contents[PRIVACY_FILE].decode("utf-8", "replace"))
        )
    privacy = manifest.get("privacy")
    if isinstance(privacy, str) and privacy and not _is_url(privacy) and privacy != PRIVACY_FILE:
        if privacy not in contents:
            findings.append(
                error("privacy", f"manifest privacy file {privacy!r} is not in the package")
            )
        else:
            findings.extend(
                _privacy_problems(privacy, contents[privacy].decode("utf-8", "replace"))
            )
    return findings


def cjk_outside_fences(text: str) -> list[tuple[int, str]]:
    """(line number, first offending character) per line with Han text outside ``` blocks."""
    fenced = [match.span() for match in FENCED_BLOCK_RE.finditer(text)]
    hits: dict[int, str] = {}
    for found in CJK_RE.finditer(text):
        if any(start <= found.start() < end for start, end in fenced):
            continue
        hits.setdefault(text.count("\n", 0, found.start()) + 1, found.group())
    return sorted(hits.items())


def check_readme(contents: Mapping[str, bytes], manifest: Mapping[str, Any]) -> list[Finding]:
    """README.md: non-empty, English outside ``` blocks, links the manifest's source repository."""
    raw = contents.get(README_FILE)
    if raw is None or not raw.strip():
        return [error("readme", f"{README_FILE} is missing or empty")]
    text = raw.decode("utf-8", "replace")
    findings: list[Finding] = []
    hits = cjk_outside_fences(text)
    if hits:
        shown = ", ".join(f"line {n} ({ch!r})" for n, ch in hits[:CJK_LINES_SHOWN])
        findings.append(
            error(
                "readme",
                f"{README_FILE} must be English: CJK characters outside code fences at {shown}"
                + (
                    f" and {len(hits) - CJK_LINES_SHOWN} more lines"
                    if len(hits) > CJK_LINES_SHOWN
                    else ""
                )
                + "; put translations in readme/README_<lang>.md",
            )
        )
    repo = manifest.get("repo")
    if isinstance(repo, str) and repo:
        wanted = repo.rstrip("/").removesuffix(".git")
        if wanted not in text:
            findings.append(
                error("readme", f"{README_FILE} must contain the source repository URL {wanted}")
            )
    lowered = text.lower()
    for topic, keywords in README_TOPICS.items():
        if not any(keyword in lowered for keyword in keywords):
            findings.append(warning("readme", f"{README_FILE} may be missing {topic}"))
    return findings


def _image_kind(data: bytes) -> str | None:
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if (head.startswith((b"<svg", b"<?xml", b"<!--")) and b"<svg" in data) and b"</svg>" in data:
        return "svg"
    return None


def check_icons(contents: Mapping[str, bytes], icons: Iterable[str]) -> list[Finding]:
    """Every declared icon exists under _assets/, is a real image and is not the template icon."""
    findings: list[Finding] = []
    for icon in dict.fromkeys(icons):
        path = f"{ASSETS_DIR}/{icon}"
        data = contents.get(path)
        if data is None:
            findings.append(error("icon", f"{path} is missing"))
            continue
        if ICON_TEMPLATE_MARKER in data:
            findings.append(error("icon", f"{path} is the Dify template icon: draw your own"))
        if _image_kind(data) is None:
            findings.append(error("icon", f"{path} is not a valid SVG, PNG or JPEG image"))
    return findings
