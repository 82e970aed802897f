"""Plivo webhook signatures: published algorithm, fixed vectors, and what must be rejected.

The V3 vectors were computed with Plivo's own Python SDK (``plivo`` 4.63.0,
``plivo.utils.signature_v3``) and are pinned here as literals, so this module checks the
implementation against Plivo's, not against itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import string
import threading
from collections.abc import Mapping, Sequence

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response
from werkzeug.datastructures import Headers, MultiDict

from plivo_api.webhooks.signature import (
    HEADER_MA_V3,
    HEADER_V2,
    HEADER_V3,
    MAX_SIGNATURES_PER_HEADER,
    REASON_METHOD,
    REASON_MISMATCH,
    REASON_NO_KEY,
    REASON_NO_NONCE,
    REASON_NO_SIGNATURE,
    REASON_NO_URL,
    VERSION_V2,
    VERSION_V3,
    SignatureCheck,
    candidate_urls,
    form_lists,
    v2_signature,
    v3_signature,
    v3_signed_url,
    verify_request,
)

TOKEN = "MyAuthToken123"
MAIN_TOKEN = "MainAccountToken456"
INBOUND_URL = "https://dify.example.com/e/abc123/plivo/inbound"
INBOUND = {
    "From": "14155550100",
    "To": "14155550199",
    "Text": "Hello, world!",
    "Type": "sms",
    "MessageUUID": "2a0c4d6e-0000-4000-8000-000000000001",
}
INBOUND_NONCE = "05429567804466091622"
INBOUND_SIG = "FB85c1YoCEtro+FFdVS3U6AzsD5OW/2bf+jKwwtgk4A="

# (method, url, params, nonce, token, signed URL (before "." + nonce), signature)
V3_VECTORS = [
    (
        "POST",
        "https://example.com/cb",
        {"To": "1", "From": "2"},
        "123",
        "tok",
        "https://example.com/cb?From2To1",
        "laUHwSIczz5bMovwlmUBuQ7309EXfNlt4fvMk0eVx54=",
    ),
    (
        "POST",
        INBOUND_URL,
        INBOUND,
        INBOUND_NONCE,
        TOKEN,
        f"{INBOUND_URL}?From14155550100MessageUUID2a0c4d6e-0000-4000-8000-000000000001"
        "TextHello, world!To14155550199Typesms",
        INBOUND_SIG,
    ),
    (
        "POST",
        "https://dify.example.com/e/abc123/plivo/status?tenant=a b&x=1",
        {
            "Status": "delivered",
            "MessageUUID": "db3ce55a-7f1d-11e1-8ea7-1231380bc196",
            "ErrorCode": "000",
            "Units": "1",
        },
        "12345678901234567890",
        TOKEN,
        "https://dify.example.com/e/abc123/plivo/status?tenant=a b&x=1.ErrorCode000"
        "MessageUUIDdb3ce55a-7f1d-11e1-8ea7-1231380bc196StatusdeliveredUnits1",
        "mRYG9ItNE9P5rLOvwlAbhNFBq0AutAFZdcHoF0E+UWc=",
    ),
    (
        "GET",
        f"{INBOUND_URL}?From=14155550100&To=14155550199",
        {"Text": "hi there", "Type": "sms"},
        "99999",
        TOKEN,
        f"{INBOUND_URL}?From=14155550100&Text=hi there&To=14155550199&Type=sms",
        "M7w9vkkPP6T2c46oHEDADZj3BQYTnz2GjWBaqfScXAI=",
    ),
    (
        "POST",
        "https://dify.example.com:8443/e/abc123/",
        {},
        "n1",
        TOKEN,
        "https://dify.example.com:8443/e/abc123/",
        "bXrC4qLBn8irE4SwNbKcvRP8HDY8YBuhq6aqd9FkceM=",
    ),
    (
        "POST",
        "https://example.com/cb",
        {"Text": "Grüße 😀", "From": "2"},
        "7",
        "tok",
        "https://example.com/cb?From2TextGrüße 😀",
        "O7u68YQqrP3yXFH672PhrwG94j6d0fFJdY8ppFTocYs=",
    ),
    # Repeated keys: each key's values are sorted.
    (
        "POST",
        "https://example.com/cb",
        {"Media": ["https://m/b", "https://m/a"], "From": "2"},
        "r1",
        "tok",
        "https://example.com/cb?From2Mediahttps://m/aMediahttps://m/b",
        "2LSlRR1waXP4CyYFZMqriPJd0n/mr5mnJQiiUbaw84A=",
    ),
    (
        "GET",
        "https://example.com/cb?a=2&a=1&b=",
        {},
        "g2",
        "tok",
        "https://example.com/cb?a=1&a=2&b=",
        "xb8EGJVuNvdw/e3h4EKuFvBh/k1m8qEtMxW932IqnxE=",
    ),
    # A POST to a URL with a query: the decoded, sorted query, ".", then the body.
    (
        "POST",
        "https://example.com/cb?z=%2F1&y=2",
        {"k": ["2", "1"], "Text": "a&b=c"},
        "p2",
        "tok",
        "https://example.com/cb?y=2&z=/1.Texta&b=ck1k2",
        "Zxc3IJQvdrkJVvvx9oInXiOHE5gB5odwVksIptWyq14=",
    ),
    # GET: the URL's query wins over a request parameter with the same key.
    (
        "GET",
        "https://example.com/cb?From=1",
        {"From": "999", "To": "3"},
        "g3",
        "tok",
        "https://example.com/cb?From=1&To=3",
        "32KXTdy6kT758pagxD3QhR+e9wiYdz8WnlkKxuE1zmE=",
    ),
    ("GET", "https://example.com/cb", {}, "g4", "tok", "https://example.com/cb", None),
    (
        "GET",
        "https://example.com/cb",
        {"Text": "Grüße 😀", "From": "2"},
        "g5",
        "tok",
        "https://example.com/cb?From=2&Text=Grüße 😀",
        "q2s8Ad3AG/AZICiGIxoy4gYA8yQUpFeLf7BUWdsCuQo=",
    ),
]


def _headers(signature: str, nonce: str, header: str = HEADER_V3) -> dict[str, str]:
    nonce_header = "X-Plivo-Signature-V2-Nonce" if "V2" in header else "X-Plivo-Signature-V3-Nonce"
    return {header: signature, nonce_header: nonce}


def _verify(
    *,
    headers: Mapping[str, str] | Headers,
    params: Mapping[str, str] | Mapping[str, Sequence[str]] | None = INBOUND,
    urls: Sequence[str] = (INBOUND_URL,),
    method: str = "POST",
    tokens: str | Sequence[str] = (TOKEN,),
) -> SignatureCheck:
    return verify_request(
        method=method, urls=urls, params=params, headers=headers, auth_tokens=tokens
    )


@pytest.mark.parametrize(
    ("method", "url", "params", "nonce", "token", "signed", "signature"), V3_VECTORS
)
def test_v3_matches_plivo_sdk_vectors(method, url, params, nonce, token, signed, signature):
    assert v3_signed_url(method, url, params) == signed
    computed = v3_signature(method=method, url=url, params=params, nonce=nonce, auth_token=token)
    if signature is not None:
        assert computed == signature
    check = verify_request(
        method=method,
        urls=[url],
        params=params,
        headers=_headers(computed, nonce),
        auth_tokens=[token],
    )
    assert check.valid and check.version == VERSION_V3 and check.header == HEADER_V3


def test_v3_string_to_sign_is_signed_url_dot_nonce():
    expected = base64.b64encode(
        hmac.new(b"tok", b"https://example.com/cb.g4", hashlib.sha256).digest()
    ).decode()
    signature = v3_signature(
        method="GET", url="https://example.com/cb", params={}, nonce="g4", auth_token="tok"
    )
    assert signature == expected == "4vw42z6z0g3MYY1dUFdImmiBRFXHMdab5jxz9A78X1I="


@pytest.mark.parametrize(
    ("url", "nonce", "token", "signature"),
    [
        # Computed by hand from the published algorithm: base64(HMAC-SHA256(token, url + nonce)).
        ("https://answer.url", "12345", "my_auth_token", None),
        ("https://example.com/cb", "abc", "tok", None),
        # The same two as Plivo's SDK (plivo.utils.validate_signature) computes them.
        (
            "https://answer.url",
            "12345",
            "my_auth_token",
            "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=",
        ),
        ("https://example.com/cb", "abc", "tok", "VTxVzEs3WNmpU4azkeqLK7SW//NVm0KQBI/sC7+ktR4="),
    ],
)
def test_v2_signs_url_and_nonce(url, nonce, token, signature):
    by_hand = base64.b64encode(
        hmac.new(token.encode(), (url + nonce).encode(), hashlib.sha256).digest()
    ).decode()
    assert v2_signature(url=url, nonce=nonce, auth_token=token) == by_hand
    if signature is not None:
        assert by_hand == signature


def test_v2_ignores_the_query():
    with_query = f"{INBOUND_URL}?x=1"
    assert (
        v2_signature(url=with_query, nonce=INBOUND_NONCE, auth_token=TOKEN)
        == v2_signature(url=INBOUND_URL, nonce=INBOUND_NONCE, auth_token=TOKEN)
        == "m1GKnt7Wmn3QBP5afhHzivOvOh9iDIIIA0/OXM3tR7s="
    )


def test_v2_request_is_accepted_when_no_v3_header():
    signature = v2_signature(url=INBOUND_URL, nonce="555", auth_token=TOKEN)
    check = _verify(headers=_headers(signature, "555", HEADER_V2))
    assert check.valid and check.version == VERSION_V2 and check.header == HEADER_V2


def test_failed_v3_is_not_rescued_by_a_valid_v2():
    """V2 does not sign the body: accepting it after a V3 failure would let a forged body in."""
    headers = {
        **_headers("AAAA", INBOUND_NONCE),
        **_headers(v2_signature(url=INBOUND_URL, nonce="1", auth_token=TOKEN), "1", HEADER_V2),
    }
    check = _verify(headers=headers)
    assert not check.valid and check.version == VERSION_V3
    assert check.reason.startswith(REASON_MISMATCH)


def test_several_signatures_in_one_header_any_match_passes():
    for value in (f"AAAA,{INBOUND_SIG}", f"{INBOUND_SIG},AAAA", f"AAAA, {INBOUND_SIG} ,BBBB"):
        assert _verify(headers=_headers(value, INBOUND_NONCE)).valid, value
    assert not _verify(headers=_headers("AAAA,BBBB", INBOUND_NONCE)).valid


def test_nearly_right_signatures_fail():
    last = "A" if INBOUND_SIG[-2] != "A" else "B"
    for value in (
        INBOUND_SIG[:-2] + last + "=",
        INBOUND_SIG[:-1],
        INBOUND_SIG + "A",
        INBOUND_SIG.lower(),
    ):
        assert not _verify(headers=_headers(value, INBOUND_NONCE)).valid, value


def test_signatures_past_the_cap_are_not_read():
    padding = ",".join(["AAAA"] * MAX_SIGNATURES_PER_HEADER)
    assert not _verify(headers=_headers(f"{padding},{INBOUND_SIG}", INBOUND_NONCE)).valid


def test_repeated_header_lines_are_combined():
    headers = Headers([(HEADER_V3, "AAAA"), (HEADER_V3, INBOUND_SIG)])
    headers.add("X-Plivo-Signature-V3-Nonce", INBOUND_NONCE)
    assert _verify(headers=headers).valid


def test_main_account_header_with_main_token():
    signature = v3_signature(
        method="POST", url=INBOUND_URL, params=INBOUND, nonce="9", auth_token=MAIN_TOKEN
    )
    headers = {HEADER_MA_V3: signature, "X-Plivo-Signature-V3-Nonce": "9"}
    check = _verify(headers=headers, tokens=[TOKEN, MAIN_TOKEN])
    assert check.valid and check.header == HEADER_MA_V3
    assert not _verify(headers=headers, tokens=[TOKEN]).valid


def test_header_names_are_case_insensitive():
    headers = {
        "x-plivo-signature-v3": INBOUND_SIG,
        "X-PLIVO-SIGNATURE-V3-NONCE": INBOUND_NONCE,
    }
    check = _verify(headers=headers)
    assert check.valid and check.header == HEADER_V3


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, REASON_NO_SIGNATURE),
        ({"X-Plivo-Signature-V3-Nonce": INBOUND_NONCE}, REASON_NO_SIGNATURE),
        ({HEADER_V3: "", "X-Plivo-Signature-V3-Nonce": INBOUND_NONCE}, REASON_NO_SIGNATURE),
        ({HEADER_V3: INBOUND_SIG}, REASON_NO_NONCE),
        ({HEADER_V3: INBOUND_SIG, "X-Plivo-Signature-V3-Nonce": "  "}, REASON_NO_NONCE),
        ({HEADER_V3: INBOUND_SIG, "X-Plivo-Signature-V2-Nonce": INBOUND_NONCE}, REASON_NO_NONCE),
    ],
)
def test_missing_headers_are_invalid(headers, reason):
    check = _verify(headers=headers)
    assert not check.valid and check.reason == reason


def test_wrong_nonce_fails():
    check = _verify(headers=_headers(INBOUND_SIG, INBOUND_NONCE + "0"))
    assert not check.valid and check.reason.startswith(REASON_MISMATCH)


def test_wrong_token_fails_and_right_token_among_several_passes():
    assert not _verify(headers=_headers(INBOUND_SIG, INBOUND_NONCE), tokens=["other"]).valid
    assert _verify(headers=_headers(INBOUND_SIG, INBOUND_NONCE), tokens=["other", TOKEN]).valid


def test_token_is_read_as_one_string_and_trimmed():
    headers = _headers(INBOUND_SIG, INBOUND_NONCE)
    assert _verify(headers=headers, tokens=f" {TOKEN}\n").valid


@pytest.mark.parametrize("tokens", [(), ("",), ("  ",), ""])
def test_no_usable_token_is_invalid(tokens):
    check = _verify(headers=_headers(INBOUND_SIG, INBOUND_NONCE), tokens=tokens)
    assert not check.valid and check.reason == REASON_NO_KEY


def test_changed_body_fails():
    tampered = {**INBOUND, "Text": "Hello, world?"}
    assert not _verify(headers=_headers(INBOUND_SIG, INBOUND_NONCE), params=tampered).valid
    extra = {**INBOUND, "Extra": ""}
    assert not _verify(headers=_headers(INBOUND_SIG, INBOUND_NONCE), params=extra).valid


def test_repeated_params_every_value_counts():
    url = "https://example.com/cb"
    params = MultiDict([("Media", "https://m/b"), ("From", "2"), ("Media", "https://m/a")])
    headers = _headers("2LSlRR1waXP4CyYFZMqriPJd0n/mr5mnJQiiUbaw84A=", "r1")
    assert _verify(headers=headers, params=params, urls=[url], tokens="tok").valid
    as_lists = {"Media": ["https://m/a", "https://m/b"], "From": ["2"]}
    assert _verify(headers=headers, params=as_lists, urls=[url], tokens="tok").valid
    first_only = {"Media": "https://m/b", "From": "2"}  # a dict that kept one value
    assert not _verify(headers=headers, params=first_only, urls=[url], tokens="tok").valid


def test_non_ascii_params():
    headers = _headers("O7u68YQqrP3yXFH672PhrwG94j6d0fFJdY8ppFTocYs=", "7")
    url = "https://example.com/cb"
    params = {"Text": "Grüße 😀", "From": "2"}
    assert _verify(headers=headers, params=params, urls=[url], tokens="tok").valid
    decomposed = {"Text": "Gru\u0308ße 😀", "From": "2"}  # same letters, other code points
    assert not _verify(headers=headers, params=decomposed, urls=[url], tokens="tok").valid


def test_get_signs_the_query_and_post_the_body():
    url = f"{INBOUND_URL}?From=14155550100&To=14155550199&Text=hi+there&Type=sms"
    headers = _headers("M7w9vkkPP6T2c46oHEDADZj3BQYTnz2GjWBaqfScXAI=", "99999")
    assert _verify(method="GET", headers=headers, params=None, urls=[url]).valid
    assert _verify(method="get", headers=headers, params={}, urls=[url]).valid
    # The same signature does not pass as a POST of the same parameters.
    post = {"From": "14155550100", "To": "14155550199", "Text": "hi there", "Type": "sms"}
    assert not _verify(method="POST", headers=headers, params=post, urls=[INBOUND_URL]).valid


def test_get_query_encoding_does_not_matter():
    """Dify re-encodes the query; the signature covers decoded values, so it still matches."""
    headers = _headers("q2s8Ad3AG/AZICiGIxoy4gYA8yQUpFeLf7BUWdsCuQo=", "g5")
    for query in (
        "Text=Gr%C3%BC%C3%9Fe+%F0%9F%98%80&From=2",
        "From=2&Text=Gr%C3%BC%C3%9Fe%20%F0%9F%98%80",
    ):
        urls = candidate_urls(hook_url="https://example.com/cb", query=query)
        assert _verify(method="GET", headers=headers, params=None, urls=urls, tokens="tok").valid


@pytest.mark.parametrize("method", ["PUT", "DELETE", "HEAD", ""])
def test_other_methods_are_invalid(method):
    check = _verify(method=method, headers=_headers(INBOUND_SIG, INBOUND_NONCE))
    assert not check.valid and check.reason == REASON_METHOD
    with pytest.raises(ValueError, match="GET and POST"):
        v3_signed_url(method, INBOUND_URL, INBOUND)


def test_http_url_also_tries_its_https_twin():
    for seen in (
        "http://dify.example.com/e/abc123/plivo/inbound",
        "http://dify.example.com:80/e/abc123/plivo/inbound",
    ):
        check = _verify(headers=_headers(INBOUND_SIG, INBOUND_NONCE), urls=[seen])
        assert check.valid and check.url == INBOUND_URL
        assert check.checked_urls == (seen, INBOUND_URL)


def test_https_url_has_no_http_twin():
    http_signature = "kNOp6OxUlmjAbi5zK0h8a3YL+N3gXBmK4vzZZ6S4hQs="  # for http://example.com/cb
    check = _verify(
        headers=_headers(http_signature, "123"),
        params={"To": "1", "From": "2"},
        urls=["https://example.com/cb"],
        tokens="tok",
    )
    assert not check.valid and check.checked_urls == ("https://example.com/cb",)


@pytest.mark.parametrize(
    "url",
    [
        f"{INBOUND_URL}/",
        "https://dify.example.com/e/abc123/plivo/Inbound",
        "https://dify.example.com:443/e/abc123/plivo/inbound",
        "https://other.example.com/e/abc123/plivo/inbound",
        f"{INBOUND_URL}?x=1",
    ],
)
def test_other_urls_fail(url):
    """Plivo signs the URL exactly as called: no trailing-slash or port tolerance."""
    assert not _verify(headers=_headers(INBOUND_SIG, INBOUND_NONCE), urls=[url]).valid


@pytest.mark.parametrize("urls", [[], [""], ["   "]])
def test_no_url_is_invalid(urls):
    check = _verify(headers=_headers(INBOUND_SIG, INBOUND_NONCE), urls=urls)
    assert not check.valid and check.reason == REASON_NO_URL


def test_second_candidate_url_can_match():
    urls = ["https://proxy.example.com/plivo/inbound", INBOUND_URL]
    check = _verify(headers=_headers(INBOUND_SIG, INBOUND_NONCE), urls=urls)
    assert check.valid and check.url == INBOUND_URL


def test_failure_reason_names_no_secret():
    check = _verify(headers=_headers("AAAA", INBOUND_NONCE))
    text = repr(check)
    assert TOKEN not in text and INBOUND_SIG not in text
    assert "1 URL(s)" in check.reason and "1 Auth Token(s)" in check.reason


def test_candidate_urls_from_hook_header_and_public_url():
    assert candidate_urls(hook_url=INBOUND_URL) == (INBOUND_URL,)
    assert candidate_urls(hook_url=INBOUND_URL, query="x=1") == (f"{INBOUND_URL}?x=1",)
    assert candidate_urls(hook_url=INBOUND_URL, query={"b": "2", "a": ["1", "3"]}) == (
        f"{INBOUND_URL}?b=2&a=1&a=3",
    )
    base = "https://public.example.com/e/abc123"
    full = "https://public.example.com/e/abc123/plivo/inbound"
    for configured in (base, f"{base}/", full, f"{full}?stale=1"):
        urls = candidate_urls(
            hook_url=INBOUND_URL, public_url=configured, route_path="/plivo/inbound"
        )
        assert urls == (full, INBOUND_URL), configured
    assert candidate_urls(public_url=full) == (full,)
    assert candidate_urls(hook_url=INBOUND_URL, public_url=INBOUND_URL) == (INBOUND_URL,)


@pytest.mark.parametrize(
    "bad", [None, "", "  ", "/plivo/inbound", "ftp://x/y", "https://", "http://[::1"]
)
def test_candidate_urls_skip_unusable_values(bad):
    assert candidate_urls(hook_url=bad, public_url=bad, route_path="/p") == ()


def test_form_lists_shapes():
    assert form_lists(None) == {}
    assert form_lists({"a": "1"}) == {"a": ["1"]}
    assert form_lists({"a": ["1", "2"], "b": ()}) == {"a": ["1", "2"]}
    assert form_lists(MultiDict([("a", "1"), ("a", "2")])) == {"a": ["1", "2"]}


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@given(
    params=st.dictionaries(_text, st.lists(_text, min_size=1, max_size=3), max_size=5),
    # HTTP trims whitespace around header values, and Plivo's nonces are digits.
    nonce=st.text(string.ascii_letters + string.digits, min_size=1, max_size=20),
    method=st.sampled_from(["GET", "POST"]),
)
def test_any_signed_request_verifies_and_a_changed_one_does_not(params, nonce, method):
    url = "https://example.com/cb"
    signature = v3_signature(method=method, url=url, params=params, nonce=nonce, auth_token="t")
    headers = {HEADER_V3: signature, "X-Plivo-Signature-V3-Nonce": nonce}
    check = _verify(method=method, headers=headers, params=params, urls=[url], tokens="t")
    assert check.valid
    changed = {**params, "\x00added": ["x"]}
    assert not _verify(method=method, headers=headers, params=changed, urls=[url], tokens="t").valid


def test_signed_post_through_a_real_http_server(httpserver: HTTPServer):
    """werkzeug parses the form and headers exactly as the endpoint will receive them."""
    results: list[SignatureCheck] = []
    done = threading.Event()

    def handler(request: Request) -> Response:
        hook_url = request.headers.get("Dify-Hook-Url")
        urls = candidate_urls(hook_url=hook_url, query=request.args)
        results.append(
            verify_request(
                method=request.method,
                urls=urls,
                params=request.form,
                headers=request.headers,
                auth_tokens=[TOKEN],
            )
        )
        done.set()
        return Response("<Response></Response>", content_type="application/xml")

    httpserver.expect_request("/plivo/inbound", method="POST").respond_with_handler(handler)
    body = [*INBOUND.items(), ("Media", "https://m/b"), ("Media", "https://m/a")]
    signature = v3_signature(
        method="POST",
        url=f"{INBOUND_URL}?tenant=a b",
        params={**INBOUND, "Media": ["https://m/b", "https://m/a"]},
        nonce=INBOUND_NONCE,
        auth_token=TOKEN,
    )
    response = requests.post(
        httpserver.url_for("/plivo/inbound") + "?tenant=a%20b",
        data=body,
        headers={
            # Dify's daemon sees plain HTTP behind a TLS proxy and reports it so.
            "Dify-Hook-Url": INBOUND_URL.replace("https://", "http://"),
            "x-plivo-signature-v3": f"AAAA,{signature}",
            "x-plivo-signature-v3-nonce": INBOUND_NONCE,
        },
        timeout=5,
    )
    assert response.status_code == 200
    assert done.wait(5)
    check = results[0]
    assert check.valid, check.reason
    assert check.url == f"{INBOUND_URL}?tenant=a+b"
