"""Credentials and request secrets never survive in a text a user, log or traceback can see."""

from plivo_api.transport.redact import Redactor, mask_auth_id

AUTH_ID = "MA" + "X" * 18
TOKEN = "token-value-1234567890"


def test_the_auth_id_is_masked_and_the_token_replaced() -> None:
    redact = Redactor(AUTH_ID, TOKEN)
    assert redact(f"id {AUTH_ID} token {TOKEN}") == f"id {mask_auth_id(AUTH_ID)} token [auth token]"


def test_a_request_secret_is_replaced_too_even_when_short() -> None:
    redact = Redactor(AUTH_ID, TOKEN).with_secret("pw123", "[password]")
    assert redact(f"bad password pw123 for {AUTH_ID}") == (
        f"bad password [password] for {mask_auth_id(AUTH_ID)}"
    )
    assert "pw123" in Redactor(AUTH_ID, TOKEN)("pw123")  # the original is unchanged


def test_a_request_secret_is_replaced_in_its_escaped_forms_too() -> None:
    redact = Redactor(AUTH_ID, TOKEN).with_secret('Pä"ss wörd<1>', "[password]")
    for echoed in (
        'P\\u00e4\\"ss w\\u00f6rd<1>',  # a JSON body, ASCII-escaped
        "P%C3%A4%22ss%20w%C3%B6rd%3C1%3E",  # percent-encoded
        "P%C3%A4%22ss+w%C3%B6rd%3C1%3E",  # a form body
        "Pä&quot;ss wörd&lt;1&gt;",  # an HTML page
    ):
        assert redact(f"bad password {echoed}") == "bad password [password]", echoed
