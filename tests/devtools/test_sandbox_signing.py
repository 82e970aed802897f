"""The sandbox's webhook signer against known V3 and V2 signatures.

The expected values were computed with ``construct_get_url``/``construct_post_url`` and
``get_signature_v3`` of Plivo's Python SDK (4.63.0) and checked with its
``validate_v3_signature``; the V2 values with its ``validate_signature``. They pin every rule of
the algorithm: sorted body parameters without separators, the ``?`` kept for a POST without a
query, the URL's query decoded and joined with ``.``, GET parameters merged into the query, a bare
URL for a POST without parameters (port kept), and Unicode values signed as UTF-8.
"""

import base64
import hashlib
import hmac

import pytest

from devtools.sandbox.signing import (
    MA_V2_HEADER,
    MA_V3_HEADER,
    NONCE_DIGITS,
    V2_HEADER,
    V2_NONCE_HEADER,
    V3_HEADER,
    V3_NONCE_HEADER,
    new_nonce,
    signature_headers,
    v2_signature,
    v3_signature,
    v3_signed_url,
)

V3_VECTORS = [
    pytest.param(
        "POST",
        "https://example.com/cb",
        {"To": "1", "From": "2"},
        "123",
        "tok",
        "https://example.com/cb?From2To1",
        "laUHwSIczz5bMovwlmUBuQ7309EXfNlt4fvMk0eVx54=",
        id="post-sorted-params",
    ),
    pytest.param(
        "POST",
        "https://dify.example.com/e/abc123/plivo/inbound",
        {
            "From": "14155550100",
            "To": "14155550199",
            "Text": "Hello, world!",
            "Type": "sms",
            "MessageUUID": "2a0c4d6e-0000-4000-8000-000000000001",
        },
        "05429567804466091622",
        "MyAuthToken123",
        "https://dify.example.com/e/abc123/plivo/inbound?From14155550100"
        "MessageUUID2a0c4d6e-0000-4000-8000-000000000001TextHello, world!To14155550199Typesms",
        "FB85c1YoCEtro+FFdVS3U6AzsD5OW/2bf+jKwwtgk4A=",
        id="post-inbound-sms",
    ),
    pytest.param(
        "POST",
        "https://dify.example.com/e/abc123/plivo/status?tenant=a b&x=1",
        {
            "Status": "delivered",
            "MessageUUID": "db3ce55a-7f1d-11e1-8ea7-1231380bc196",
            "ErrorCode": "000",
            "Units": "1",
        },
        "12345678901234567890",
        "MyAuthToken123",
        "https://dify.example.com/e/abc123/plivo/status?tenant=a b&x=1.ErrorCode000"
        "MessageUUIDdb3ce55a-7f1d-11e1-8ea7-1231380bc196StatusdeliveredUnits1",
        "mRYG9ItNE9P5rLOvwlAbhNFBq0AutAFZdcHoF0E+UWc=",
        id="post-with-query",
    ),
    pytest.param(
        "GET",
        "https://dify.example.com/e/abc123/plivo/inbound?From=14155550100&To=14155550199",
        {"Text": "hi there", "Type": "sms"},
        "99999",
        "MyAuthToken123",
        "https://dify.example.com/e/abc123/plivo/inbound"
        "?From=14155550100&Text=hi there&To=14155550199&Type=sms",
        "M7w9vkkPP6T2c46oHEDADZj3BQYTnz2GjWBaqfScXAI=",
        id="get-merges-query",
    ),
    pytest.param(
        "POST",
        "https://dify.example.com:8443/e/abc123/",
        {},
        "n1",
        "MyAuthToken123",
        "https://dify.example.com:8443/e/abc123/",
        "bXrC4qLBn8irE4SwNbKcvRP8HDY8YBuhq6aqd9FkceM=",
        id="post-without-params",
    ),
    pytest.param(
        "POST",
        "https://example.com/cb",
        {"Text": "Grüße 😀", "From": "2"},
        "7",
        "tok",
        "https://example.com/cb?From2TextGrüße 😀",
        "O7u68YQqrP3yXFH672PhrwG94j6d0fFJdY8ppFTocYs=",
        id="post-unicode",
    ),
]


@pytest.mark.parametrize(
    ("method", "url", "params", "nonce", "token", "signed_url", "signature"), V3_VECTORS
)
def test_v3_signature_matches_plivo(
    method: str,
    url: str,
    params: dict[str, str],
    nonce: str,
    token: str,
    signed_url: str,
    signature: str,
) -> None:
    assert v3_signed_url(method, url, params) == signed_url
    assert v3_signature(method, url, params, nonce, token) == signature


@pytest.mark.parametrize(
    ("url", "nonce", "token", "signature"),
    [
        (
            "https://answer.url",
            "12345",
            "my_auth_token",
            "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=",
        ),
        (
            "https://dify.example.com/e/abc123/plivo/inbound?x=1",
            "05429567804466091622",
            "MyAuthToken123",
            "m1GKnt7Wmn3QBP5afhHzivOvOh9iDIIIA0/OXM3tR7s=",
        ),
    ],
)
def test_v2_signature_matches_plivo(url: str, nonce: str, token: str, signature: str) -> None:
    assert v2_signature(url, nonce, token) == signature


def test_repeated_parameters_are_signed_sorted() -> None:
    get = v3_signed_url("GET", "https://example.com/cb?b=2&a=9&a=1", {"c": "3"})
    assert get == "https://example.com/cb?a=1&a=9&b=2&c=3"
    post = v3_signed_url("POST", "https://example.com/cb", {"Media": ["y", "x"], "A": "1"})
    assert post == "https://example.com/cb?A1MediaxMediay"


def test_query_values_are_signed_decoded() -> None:
    url = "https://example.com/cb?tenant=a%20b&name=%C3%A9"
    assert v3_signed_url("GET", url, {}) == "https://example.com/cb?name=é&tenant=a b"
    assert v3_signed_url("POST", url, {"A": "1"}) == "https://example.com/cb?name=é&tenant=a b.A1"


def test_headers_carry_both_versions_and_the_main_account_token() -> None:
    headers = signature_headers(
        "POST",
        "https://example.com/cb",
        {"To": "1", "From": "2"},
        "tok",
        main_auth_token="main",
        v3_nonce="123",
        v2_nonce="456",
    )
    assert headers[V3_HEADER] == "laUHwSIczz5bMovwlmUBuQ7309EXfNlt4fvMk0eVx54="
    assert headers[V3_NONCE_HEADER] == "123"
    assert headers[MA_V3_HEADER] == v3_signature(
        "POST", "https://example.com/cb", {"To": "1", "From": "2"}, "123", "main"
    )
    assert headers[MA_V3_HEADER] != headers[V3_HEADER]
    expected_v2 = base64.b64encode(
        hmac.new(b"tok", b"https://example.com/cb456", hashlib.sha256).digest()
    ).decode()
    assert headers[V2_HEADER] == expected_v2
    assert headers[MA_V2_HEADER] == v2_signature("https://example.com/cb", "456", "main")
    assert headers[V2_NONCE_HEADER] == "456"


def test_fresh_nonces_are_twenty_digits_and_differ() -> None:
    nonces = {new_nonce() for _ in range(20)}
    assert len(nonces) == 20
    assert all(len(nonce) == NONCE_DIGITS and nonce.isdigit() for nonce in nonces)
    headers = signature_headers("GET", "https://example.com/cb", {}, "tok")
    assert headers[V3_NONCE_HEADER] != headers[V2_NONCE_HEADER]
