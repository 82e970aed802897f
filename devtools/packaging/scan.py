"""Source scans as the marketplace runs them: leaked secrets (errors), risky Python (warnings).

The secrets rules deliberately let the project's own placeholder style through: low-entropy values
such as `"MA" + "X" * 18` or `"test-token-alpha"` are what fixtures and docs use, while anything
shaped like a real vendor credential, or a random-looking literal assigned to a secret-sounding
name, blocks the package.
"""

from __future__ import annotations

import ast
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping

from devtools.packaging.findings import Finding, error, warning

ENTROPY_THRESHOLD = 3.5  # bits per character; random base62/hex of length >= 16 sits well above
MIN_SECRET_LENGTH = 16
SEQUENTIAL_FRACTION = 0.6  # share of +1 steps that marks "ABCDEF…"-style placeholders
PLIVO_ID_ENTROPY_THRESHOLD = 3.0  # "MA" + 18 random [A-Z0-9] ≈ 4 bits/char; "MA" + "X"*18 is 0

VENDOR_PATTERNS: dict[str, re.Pattern[str]] = {
    "AWS access key ID": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "OpenAI-style secret key": re.compile(r"\bsk-[A-Za-z0-9]{20,}"),
    "GitHub token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "Stripe live key": re.compile(r"\b[rs]k_live_[0-9A-Za-z]{16,}"),
    "private key block": re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"),
}
PLIVO_ID_RE = re.compile(r"\b(?:MA|SA)([A-Z0-9]{18})\b")
# The name part of `name = "literal"`; not itself a secret.
SECRET_NAME = r"[A-Za-z0-9_]*(?:token|secret|api_?key|password|passwd)[A-Za-z0-9_]*"
ASSIGNED_LITERAL_RE = re.compile(
    rf"""(?ix)
    (?P<name>{SECRET_NAME})['"]?      # the name, possibly a quoted JSON/YAML key
    \s*(?::=|[:=])\s*                 # assignment, keyword argument or mapping entry
    (?P<quote>['"])(?P<value>[^'"\s]{{{MIN_SECRET_LENGTH},}})(?P=quote)
    """
)
PLACEHOLDER_WORDS = (
    "test",
    "example",
    "sample",
    "dummy",
    "fake",
    "placeholder",
    "changeme",
    "your",
)

HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
HTTP_RECEIVER_RE = re.compile(r"^(?:requests|_?session|.*_session|sess|Session)$")
SENSITIVE_IDENTIFIER_RE = re.compile(r"token|secret|credential|password|api_?key", re.IGNORECASE)
RETURNS = frozenset({"return", "yield", "yield from"})
LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
)
LOGGER_RE = re.compile(r"^(?:_?log(?:ger)?|logging|LOGGER|_?LOG|.*_logger)$")


def shannon_entropy(value: str) -> float:
    """Bits per character of the value's own character distribution."""
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def is_sequential(value: str) -> bool:
    """`ABCDEFGH…` / `12345678…`: high Shannon entropy, yet obviously a placeholder."""
    steps = sum(ord(b) - ord(a) == 1 for a, b in itertools.pairwise(value))
    return steps >= SEQUENTIAL_FRACTION * (len(value) - 1)


def looks_random(value: str) -> bool:
    """Credential-looking: long, high entropy, mixed character classes, no placeholder word."""
    if len(value) < MIN_SECRET_LENGTH or shannon_entropy(value) <= ENTROPY_THRESHOLD:
        return False
    lowered = value.lower()
    if any(word in lowered for word in PLACEHOLDER_WORDS) or is_sequential(value):
        return False
    if "://" in value:  # an endpoint such as TOKEN_URL, not a credential
        return False
    classes = sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
        )
    )
    return classes >= 2


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def scan_secrets(path: str, text: str) -> list[Finding]:
    """Vendor-shaped tokens and random literals assigned to secret-sounding names."""
    findings: list[Finding] = []
    for label, pattern in VENDOR_PATTERNS.items():
        for match in pattern.finditer(text):
            findings.append(
                error("secrets", f"{path}:{_line_of(text, match.start())}: looks like a {label}")
            )
    for match in PLIVO_ID_RE.finditer(text):
        tail = match.group(1)
        if shannon_entropy(tail) > PLIVO_ID_ENTROPY_THRESHOLD and not is_sequential(tail):
            findings.append(
                error(
                    "secrets",
                    f"{path}:{_line_of(text, match.start())}: looks like a real Plivo Auth ID; "
                    'use a placeholder such as "MA" + "X" * 18',
                )
            )
    for match in ASSIGNED_LITERAL_RE.finditer(text):
        if looks_random(match.group("value")):
            findings.append(
                error(
                    "secrets",
                    f"{path}:{_line_of(text, match.start())}: high-entropy literal assigned to "
                    f"{match.group('name')!r}; never ship credentials (use a low-entropy "
                    "placeholder)",
                )
            )
    return findings


def _terminal_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _terminal_name(node.func)
    return None


def _is_http_call(node: ast.Call) -> bool:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in HTTP_VERBS:
        return False
    receiver = _terminal_name(func.value)
    if receiver is None:
        return False
    return HTTP_RECEIVER_RE.match(receiver) is not None


def _is_constructor(func: ast.expr) -> bool:
    name = _terminal_name(func)
    return name is not None and (name[0].isupper() or name == "cls")


def _sensitive_names(node: ast.AST, *, skip_constructor_args: bool) -> Iterator[str]:
    """Lower-case identifiers that sound like secrets; called names themselves are not counted.

    With `skip_constructor_args`, arguments of `SomeClass(...)` / `cls(...)` are skipped: returning
    `Client(auth_id, auth_token)` hands the secret to an object, it does not expose it.
    """
    stack: list[ast.AST] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Call):
            if skip_constructor_args and _is_constructor(current.func):
                continue
            stack.extend(current.args)
            stack.extend(kw.value for kw in current.keywords)
            if isinstance(current.func, ast.Attribute):
                stack.append(current.func.value)  # `token.strip()` still names `token`
            continue
        name = (
            current.id
            if isinstance(current, ast.Name)
            else current.attr
            if isinstance(current, ast.Attribute)
            else None
        )
        if name and not name[0].isupper() and SENSITIVE_IDENTIFIER_RE.search(name):
            yield name
        stack.extend(ast.iter_child_nodes(current))


def _is_log_call(node: ast.Call) -> bool:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in LOG_METHODS:
        return False
    receiver = _terminal_name(func.value)
    return receiver is not None and LOGGER_RE.match(receiver) is not None


def scan_python(path: str, source: str) -> list[Finding]:
    """AST warnings: HTTP calls without `timeout=`, secrets named in log/raise/return/yield."""
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as exc:
        return [error("python", f"{path}:{exc.lineno}: syntax error: {exc.msg}")]
    findings: list[Finding] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_http_call(node):
            keywords = {kw.arg for kw in node.keywords}
            if "timeout" not in keywords and None not in keywords:  # None: **kwargs may carry it
                findings.append(
                    warning(
                        "timeouts",
                        f"{path}:{node.lineno}: HTTP call without timeout= can hang forever",
                    )
                )
        subject: ast.AST | None = None
        kind = ""
        if isinstance(node, ast.Call) and _is_log_call(node):
            subject, kind = node, "log call"
        elif isinstance(node, ast.Raise) and node.exc is not None:
            subject, kind = node.exc, "raise"
        elif isinstance(node, ast.Return | ast.Yield | ast.YieldFrom) and node.value is not None:
            subject, kind = (
                node.value,
                type(node).__name__.lower().replace("yieldfrom", "yield from"),
            )
        if subject is not None:
            line = getattr(node, "lineno", 0)
            names = sorted(set(_sensitive_names(subject, skip_constructor_args=kind in RETURNS)))
            if names:
                findings.append(
                    warning(
                        "leaks",
                        f"{path}:{line}: {kind} expression names {', '.join(names)}; "
                        "make sure no secret reaches logs, errors or tool output",
                    )
                )
    return findings


def scan_contents(contents: Mapping[str, bytes]) -> list[Finding]:
    """Run the secret scan over every text file and the AST checks over every .py file."""
    findings: list[Finding] = []
    for path in sorted(contents):
        data = contents[path]
        if b"\x00" in data:
            continue  # binaries are reported by the contents check
        text = data.decode("utf-8", "replace")
        findings.extend(scan_secrets(path, text))
        if path.endswith(".py"):
            findings.extend(scan_python(path, text))
    return findings
