"""Dependency checks: what the marketplace demands of requirements.txt, what the daemon installs.

The daemon installs from `pyproject.toml` when one ships (`detectDependencyFileType` in
`internal/core/local_runtime/setup_python_environment.go`,
https://github.com/langgenius/dify-plugin-daemon), while the marketplace reads `requirements.txt`;
so both must be bounded, and a shipped pyproject must declare exactly the same requirements or
installs diverge from what was reviewed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from devtools.packaging.findings import Finding, error, warning

REQUIREMENTS_FILE = "requirements.txt"
PYPROJECT_FILE = "pyproject.toml"
SDK_NAME = canonicalize_name("dify_plugin")
SDK_MIN_LOWER_BOUND = Version("0.9.0")
UPPER_BOUND_OPERATORS = frozenset({"<", "<=", "==", "===", "~="})
LOWER_BOUND_OPERATORS = frozenset({">", ">=", "==", "===", "~="})
# (name, extras, specifiers, marker), the comparable form of one requirement.
type Normalised = tuple[str, str, str, str]
URL_RE = re.compile(r"(?:^|\s|@\s*)(?:git\+|hg\+|svn\+|bzr\+|https?://|file:)", re.IGNORECASE)


def requirement_lines(text: str) -> list[tuple[int, str]]:
    """(line number, requirement text) without comments, blanks and line continuations."""
    lines: list[tuple[int, str]] = []
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = (pending + line).strip()
        pending = ""
        if line:
            lines.append((start, line))
    return lines


def _normalised(req: Requirement) -> Normalised:
    specifiers = ",".join(sorted(str(spec) for spec in req.specifier))
    return (
        canonicalize_name(req.name),
        ",".join(sorted(req.extras)),
        specifiers,
        str(req.marker or ""),
    )


def check_requirement(where: str, text: str) -> tuple[list[Finding], Requirement | None]:
    """Bounds, URL installs and the SDK floor for one requirement string."""
    if URL_RE.search(text) or text.startswith("-e"):
        return [
            error("dependencies", f"{where}: {text!r} installs from a URL or VCS; pin a release")
        ], None
    if text.startswith("-"):
        return [
            error(
                "dependencies",
                f"{where}: pip option {text!r} is not allowed in a plugin's requirements",
            )
        ], None
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        return [error("dependencies", f"{where}: cannot parse {text!r}: {exc}")], None
    if req.url:
        return [
            error("dependencies", f"{where}: {text!r} installs from a URL; pin a release")
        ], None
    findings: list[Finding] = []
    operators = {spec.operator for spec in req.specifier}
    if not operators:
        findings.append(
            error("dependencies", f"{where}: {req.name} has no version constraint; use e.g. >=x,<y")
        )
    elif not operators & UPPER_BOUND_OPERATORS:
        findings.append(
            warning(
                "dependencies", f"{where}: {req.name} has no upper bound ({req.specifier}); add <y"
            )
        )
    if canonicalize_name(req.name) == SDK_NAME:
        lower = [
            Version(spec.version.removesuffix(".*"))
            for spec in req.specifier
            if spec.operator in LOWER_BOUND_OPERATORS
        ]
        if not lower or max(lower) < SDK_MIN_LOWER_BOUND:
            findings.append(
                error(
                    "dependencies",
                    f"{where}: dify_plugin needs a lower bound >= {SDK_MIN_LOWER_BOUND} "
                    f"(got {str(req.specifier) or 'none'})",
                )
            )
    return findings, req


def _check_all(
    where: str, items: Iterable[tuple[int, str]]
) -> tuple[list[Finding], set[Normalised]]:
    findings: list[Finding] = []
    normalised: set[Normalised] = set()
    for number, text in items:
        found, req = check_requirement(f"{where}:{number}", text)
        findings.extend(found)
        if req is not None:
            normalised.add(_normalised(req))
    return findings, normalised


def check_dependencies(contents: Mapping[str, bytes]) -> list[Finding]:
    """requirements.txt must exist and be bounded; a shipped pyproject.toml must match it."""
    findings: list[Finding] = []
    raw = contents.get(REQUIREMENTS_FILE)
    if raw is None:
        return [
            error(
                "dependencies",
                f"{REQUIREMENTS_FILE} is missing: the marketplace skips its dependency and "
                "install checks without it",
            )
        ]
    req_findings, from_requirements = _check_all(
        REQUIREMENTS_FILE, requirement_lines(raw.decode("utf-8", "replace"))
    )
    findings.extend(req_findings)
    if SDK_NAME not in {name for name, *_ in from_requirements}:
        findings.append(error("dependencies", f"{REQUIREMENTS_FILE} does not list dify_plugin"))
    pyproject = contents.get(PYPROJECT_FILE)
    if pyproject is not None:
        findings.extend(_check_pyproject(pyproject, from_requirements))
    return findings


def _check_pyproject(raw: bytes, from_requirements: set[Normalised]) -> list[Finding]:
    try:
        data = tomllib.loads(raw.decode("utf-8", "replace"))
    except tomllib.TOMLDecodeError as exc:
        return [error("dependencies", f"{PYPROJECT_FILE} is not valid TOML: {exc}")]
    project = data.get("project")
    deps = project.get("dependencies") if isinstance(project, dict) else None
    if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
        return [
            error(
                "dependencies",
                f"{PYPROJECT_FILE} ships without a [project].dependencies list; the daemon "
                f"installs from it instead of {REQUIREMENTS_FILE}: declare the runtime "
                "dependencies or exclude it in .difyignore",
            )
        ]
    findings, from_pyproject = _check_all(
        f"{PYPROJECT_FILE} dependencies", enumerate(deps, start=1)
    )
    if from_pyproject != from_requirements:
        only_pyproject = sorted(_render(n) for n in from_pyproject - from_requirements)
        only_requirements = sorted(_render(n) for n in from_requirements - from_pyproject)
        findings.append(
            error(
                "dependencies",
                f"{PYPROJECT_FILE} [project].dependencies differ from {REQUIREMENTS_FILE} "
                f"(the daemon installs from {PYPROJECT_FILE}): only in {PYPROJECT_FILE}: "
                f"{only_pyproject or '-'}; only in {REQUIREMENTS_FILE}: {only_requirements or '-'}",
            )
        )
    return findings


def _render(normalised: Normalised) -> str:
    name, extras, specifiers, marker = normalised
    text = name + (f"[{extras}]" if extras else "") + specifiers
    return text + (f"; {marker}" if marker else "")
