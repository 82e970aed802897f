"""The validator's result type, shared by every check module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    """One result: `error` blocks submission, `warning` is worth fixing, `info` is only reported."""

    level: Level
    check: str
    message: str


def error(check: str, message: str) -> Finding:
    return Finding("error", check, message)


def warning(check: str, message: str) -> Finding:
    return Finding("warning", check, message)


def info(check: str, message: str) -> Finding:
    return Finding("info", check, message)
