"""UUIDs and numeric IDs are checked before they go into a URL path, with what is wrong."""

from __future__ import annotations

import pytest

from plivo_api.errors import InputError
from plivo_api.messaging.identifiers import EXAMPLE_UUID, parse_numeric_id, parse_uuid

UUID = "4d04c52e-cea3-4458-bbdb-0bfc314ee7cd"


@pytest.mark.parametrize(
    "text", [UUID, UUID.upper(), f" '{UUID}' ", UUID.replace("-", ""), f"`{UUID}`"]
)
def test_uuids_are_canonical(text: str) -> None:
    assert parse_uuid(text, "call_uuid", what="call", source="from callbacks") == UUID


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("4d04c52e-cea3-4458-bbdb", "it has 4 groups instead of 5"),
        ("4d04c52e-cea3-4458-bbdb-0bfc314ee7c", "its groups have 8-4-4-4-11 characters"),
        ("4d04c52e-cea3-4458-bbdb-0bfc314ee7cz", "characters other than 0-9, a-f"),
        ("../../Account", "characters other than 0-9, a-f"),
    ],
)
def test_a_malformed_uuid_says_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_uuid(text, "call_uuid", what="call", source="CallUUID in the callbacks")
    message = str(caught.value)
    assert caught.value.parameter == "call_uuid"
    assert problem in message
    assert "not a Plivo call UUID" in message
    assert EXAMPLE_UUID in message
    assert "CallUUID in the callbacks" in message


def test_a_missing_uuid_says_where_one_comes_from() -> None:
    with pytest.raises(InputError, match=r"call_uuid is required.*CallUUID"):
        parse_uuid(None, "call_uuid", what="call", source="CallUUID in the callbacks")


def test_numeric_ids() -> None:
    assert parse_numeric_id(" 27784745124961230 ", "app_id", what="application", source="s") == (
        "27784745124961230"
    )
    with pytest.raises(InputError, match=r"app_id: '2778/\.\./x' is not a Plivo application ID"):
        parse_numeric_id("2778/../x", "app_id", what="application", source="s")
    with pytest.raises(InputError, match="app_id is required"):
        parse_numeric_id("", "app_id", what="application", source="s")
