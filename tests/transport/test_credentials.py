"""The credential set, trimmed and checked in one place before any request."""

from __future__ import annotations

import pytest

from plivo_api.errors import InputError
from plivo_api.transport.credentials import CONSOLE_URL, Credentials, require_credential

AUTH_ID = "MA" + "Q" * 18
AUTH_TOKEN = "distinct-token-value"


def test_pasted_whitespace_is_trimmed() -> None:
    credentials = Credentials.from_mapping(
        {"auth_id": f"  {AUTH_ID}\n", "auth_token": f"{AUTH_TOKEN} ", "default_sender": " ACME "}
    )
    assert credentials == Credentials(AUTH_ID, AUTH_TOKEN, "ACME")


@pytest.mark.parametrize("sender", [None, "", "   ", 5])
def test_a_blank_default_sender_is_none(sender: object) -> None:
    credentials = Credentials.from_mapping(
        {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN, "default_sender": sender}
    )
    assert credentials.default_sender is None


def test_the_whatsapp_credentials_are_optional_and_trimmed() -> None:
    bare = Credentials.from_mapping({"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN})
    assert (bare.whatsapp_sender, bare.whatsapp_business_account_id) == (None, None)
    credentials = Credentials.from_mapping(
        {
            "auth_id": AUTH_ID,
            "auth_token": AUTH_TOKEN,
            "whatsapp_sender": " +14155550100\n",
            "whatsapp_business_account_id": " 104738225999531 ",
        }
    )
    assert credentials.whatsapp_sender == "+14155550100"
    assert credentials.whatsapp_business_account_id == "104738225999531"


@pytest.mark.parametrize(
    ("raw", "parameter"),
    [
        (None, "auth_id"),
        ({}, "auth_id"),
        ({"auth_id": AUTH_ID}, "auth_token"),
        ({"auth_id": AUTH_ID, "auth_token": 12345}, "auth_token"),
    ],
)
def test_a_missing_credential_says_where_to_copy_it_from(
    raw: dict[str, object] | None, parameter: str
) -> None:
    with pytest.raises(InputError) as caught:
        Credentials.from_mapping(raw)
    assert caught.value.parameter == parameter
    assert "is empty" in str(caught.value)
    assert CONSOLE_URL in str(caught.value)


@pytest.mark.parametrize(
    "value", [f"{AUTH_TOKEN}\u200b", f"dis tinct{AUTH_TOKEN}", f"{AUTH_TOKEN}\u00e9", "tok\ten"]
)
def test_a_credential_basic_auth_cannot_carry_is_refused_without_quoting_it(value: str) -> None:
    with pytest.raises(InputError) as caught:
        require_credential("auth_token", value)
    message = str(caught.value)
    assert caught.value.parameter == "auth_token"
    assert "invisible character" in message
    assert value not in message
    assert AUTH_TOKEN not in message


def test_repr_masks_the_auth_id_and_hides_the_token() -> None:
    text = repr(Credentials(AUTH_ID, AUTH_TOKEN))
    assert AUTH_ID not in text
    assert AUTH_TOKEN not in text
    assert "MA…QQQQ" in text
