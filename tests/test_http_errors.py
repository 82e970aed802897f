"""Reading error bodies: Plivo JSON, proxy HTML, JSON cut short; redaction before shortening."""

import base64
import json

import pytest

from plivo_api.http_errors import MAX_QUOTED_BODY_CHARS, parse_error_body
from plivo_api.redact import Redactor

NGINX_502 = (
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
    b"</center><hr><center>nginx</center></body></html>"
)


def test_plivo_json_gives_api_id_and_error():
    body = parse_error_body(b'{"api_id": "a-1", "error": "invalid dst"}', "application/json")
    assert (body.api_id, body.reason) == ("a-1", "invalid dst")


def test_proxy_html_page_is_read_once_without_repeating_its_title():
    assert parse_error_body(NGINX_502, "text/html").reason == "502 Bad Gateway nginx"


def test_html_title_leads_when_the_body_does_not_repeat_it():
    page = b"<html><head><title>Blocked</title></head><body><p>Error 1020</p></body></html>"
    assert parse_error_body(page, "text/html").reason == "Blocked: Error 1020"


def test_json_cut_short_keeps_its_fields_not_its_braces():
    body = parse_error_body(b'{"api_id": "a-2", "error": "rate_limit_exceeded", "mess', None)
    assert (body.api_id, body.reason) == ("a-2", "rate_limit_exceeded")


@pytest.mark.parametrize("body", [b"", b"   ", b"\n"])
def test_empty_bodies_say_nothing(body):
    assert parse_error_body(body, "application/json").reason is None


def test_redaction_happens_before_the_length_limit_cuts_a_token_in_half():
    token = "token-straddling-the-limit-0123456789"
    text = "x" * (MAX_QUOTED_BODY_CHARS - 10) + token
    reason = parse_error_body(
        json.dumps({"error": text}).encode(), None, Redactor("MA" + "Q" * 18, token)
    ).reason
    assert reason is not None
    assert len(reason) <= MAX_QUOTED_BODY_CHARS
    assert "token-stra" not in reason


def test_basic_auth_form_and_api_id_are_redacted():
    auth_id, token = "MA" + "Q" * 18, "distinct-token-value"
    basic = base64.b64encode(f"{auth_id}:{token}".encode()).decode()
    body = parse_error_body(
        json.dumps({"api_id": token, "error": f"Authorization: Basic {basic}"}).encode(),
        None,
        Redactor(auth_id, token),
    )
    assert body.api_id == "[auth token]"
    assert body.reason == "Authorization: Basic [credentials]"


def test_values_too_short_to_be_credentials_are_not_redacted():
    assert (
        Redactor("MA" + "Q" * 18, "t")("the advice stays readable") == "the advice stays readable"
    )
