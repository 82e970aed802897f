"""A JSON object written as text in a tool parameter: a PHLO payload, a raw query or body.

Models write JSON with the habits of prose (single quotes, trailing commas, a code fence); those
are refused with the position and the fix rather than guessed at, because a guessed payload would
be sent to Plivo as if the user had meant it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .. import params as read
from ..errors import InputError
from ..params import Params
from ..text import shorten

_FENCE = "```"
_JSON_NAMES = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}


def read_json_object(params: Params, name: str, *, example: str) -> dict[str, Any] | None:
    """The parameter as a JSON object; ``None`` when empty. A mapping given as such is taken."""
    value = params.get(name)
    if isinstance(value, Mapping):
        return {str(key): item for key, item in value.items()}
    text = read.text(params, name)
    if text is None:
        return None
    if text.startswith(_FENCE):  # a Markdown code block around the JSON
        text = text.strip("`").removeprefix("json").strip()
    try:
        parsed = json.loads(text)
    except ValueError as error:
        where = (
            f" at line {error.lineno}, column {error.colno}"
            if isinstance(error, json.JSONDecodeError)
            else ""
        )
        raise InputError(
            name,
            f"{name}: {shorten(text)!r} is not valid JSON{where}; write a JSON object with double "
            f"quotes, e.g. {example}. Nothing was sent.",
        ) from None
    if not isinstance(parsed, dict):
        kind = _JSON_NAMES.get(type(parsed), "null")
        raise InputError(
            name,
            f"{name}: expected a JSON object ({{...}}), got a JSON {kind}; "
            f"write e.g. {example}. Nothing was sent.",
        )
    return parsed


__all__ = ["read_json_object"]
