"""JSON objects written as text in a parameter: taken exactly, refused with the fix otherwise."""

from __future__ import annotations

import pytest

from plivo_api.errors import InputError
from plivo_api.toolkit.jsonobject import read_json_object

EXAMPLE = '{"to": "+14155552671"}'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("  ", None),
        ('{"to": "+1415", "n": 2}', {"to": "+1415", "n": 2}),
        ('```json\n{"a": true}\n```', {"a": True}),
        ({"a": 1}, {"a": 1}),
    ],
)
def test_objects(value: object, expected: object) -> None:
    assert read_json_object({"payload": value}, "payload", example=EXAMPLE) == expected


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ("{'to': 1}", "is not valid JSON at line 1, column 2"),
        ('{"a": 1,}', "is not valid JSON"),
        ("[1, 2]", "got a JSON array"),
        ('"text"', "got a JSON string"),
        ("3", "got a JSON number"),
        ("null", "got a JSON null"),
        ("{{#1711.payload#}}", "unresolved workflow variable"),
    ],
)
def test_anything_else_is_refused_naming_the_parameter(value: str, phrase: str) -> None:
    with pytest.raises(InputError) as caught:
        read_json_object({"payload": value}, "payload", example=EXAMPLE)
    assert caught.value.parameter == "payload"
    assert phrase in str(caught.value)
