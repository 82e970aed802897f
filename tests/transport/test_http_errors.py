"""Error answers: bodies read (Plivo JSON, proxy HTML, JSON cut short, redaction before
shortening), then the error class and advice chosen from Plivo's own words before the status."""

from __future__ import annotations

import base64
import json
import re

import pytest

from plivo_api import errors
from plivo_api.transport.http_errors import (
    MAX_QUOTED_BODY_CHARS,
    ErrorBody,
    error_for_status,
    parse_error_body,
)
from plivo_api.transport.redact import Redactor

NGINX_502 = (
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
    b"</center><hr><center>nginx</center></body></html>"
)


def test_plivo_json_gives_api_id_and_error() -> None:
    body = parse_error_body(b'{"api_id": "a-1", "error": "invalid dst"}', "application/json")
    assert (body.api_id, body.reason) == ("a-1", "invalid dst")


def test_proxy_html_page_is_read_once_without_repeating_its_title() -> None:
    assert parse_error_body(NGINX_502, "text/html").reason == "502 Bad Gateway nginx"


def test_html_title_leads_when_the_body_does_not_repeat_it() -> None:
    page = b"<html><head><title>Blocked</title></head><body><p>Error 1020</p></body></html>"
    assert parse_error_body(page, "text/html").reason == "Blocked: Error 1020"


def test_json_cut_short_keeps_its_fields_not_its_braces() -> None:
    body = parse_error_body(b'{"api_id": "a-2", "error": "rate_limit_exceeded", "mess', None)
    assert (body.api_id, body.reason) == ("a-2", "rate_limit_exceeded")


@pytest.mark.parametrize("body", [b"", b"   ", b"\n"])
def test_empty_bodies_say_nothing(body: bytes) -> None:
    assert parse_error_body(body, "application/json").reason is None


def test_redaction_happens_before_the_length_limit_cuts_a_token_in_half() -> None:
    token = "token-straddling-the-limit-0123456789"
    text = "x" * (MAX_QUOTED_BODY_CHARS - 10) + token
    reason = parse_error_body(
        json.dumps({"error": text}).encode(), None, Redactor("MA" + "Q" * 18, token)
    ).reason
    assert reason is not None
    assert len(reason) <= MAX_QUOTED_BODY_CHARS
    assert "token-stra" not in reason


def test_basic_auth_form_and_api_id_are_redacted() -> None:
    auth_id, token = "MA" + "Q" * 18, "distinct-token-value"
    basic = base64.b64encode(f"{auth_id}:{token}".encode()).decode()
    body = parse_error_body(
        json.dumps({"api_id": token, "error": f"Authorization: Basic {basic}"}).encode(),
        None,
        Redactor(auth_id, token),
    )
    assert body.api_id == "[auth token]"
    assert body.reason == "Authorization: Basic [credentials]"


def test_values_too_short_to_be_credentials_are_not_redacted() -> None:
    assert (
        Redactor("MA" + "Q" * 18, "t")("the advice stays readable") == "the advice stays readable"
    )


# -- the error class and advice: Plivo's words first, then the status -------------------------

SEND_CHECK = "check list_messages before sending again."


def error_for(
    status: int,
    reason: str | None = None,
    *,
    creates: str | None = SEND_CHECK,
    invalid_numbers: tuple[str, ...] = (),
    retry_after: float | None = None,
) -> errors.PlivoError:
    return error_for_status(
        status,
        ErrorBody("api-1", reason, invalid_numbers),
        creates=creates,
        masked_auth_id="MA…XXXX",
        retry_after=retry_after,
    )


@pytest.mark.parametrize("status", [400, 402, 403, 422])
@pytest.mark.parametrize(
    "reason", ["Insufficient credit", "insufficient balance in account", "Account out of credit"]
)
def test_plivos_credit_words_give_credit_advice(status: int, reason: str) -> None:
    error = error_for(status, reason)
    assert type(error) is errors.InsufficientCreditError
    text = str(error)
    assert "the account has no credit left" in text
    assert "Add credit in the Plivo console" in text
    assert "resending will not help" in text


@pytest.mark.parametrize(
    "reason",
    [
        "This is a trial account. You can only send to verified numbers",
        "Destination number is not verified as a sandbox number",
        "trial accounts cannot send to unverified numbers",
    ],
)
def test_a_trial_account_refusal_is_not_a_geo_permission_error(reason: str) -> None:
    error = error_for(403, reason)
    assert type(error) is errors.TrialAccountError
    assert not isinstance(error, errors.GeoPermissionError)
    assert "Sandbox Numbers" in str(error)
    assert "Geo Permissions" not in str(error)


def test_a_geo_permission_refusal_names_the_console_setting() -> None:
    error = error_for(403, "destination country is not enabled in geo permissions")
    assert type(error) is errors.GeoPermissionError
    assert "Messaging > Geo Permissions" in str(error)


def test_a_403_to_a_read_is_a_permission_error() -> None:
    error = error_for(403, "forbidden", creates=None)
    assert type(error) is errors.PermissionDeniedError


@pytest.mark.parametrize(
    "reason",
    [
        "src parameter not valid",
        "Invalid source number",
        "sender ID not allowed",
        "Invalid powerpack",
    ],
)
def test_a_bad_sender_is_advice_for_whoever_set_up_the_tool(reason: str) -> None:
    text = str(error_for(400, reason))
    assert "The sender is part of the tool's setup" in text
    assert "if you are an assistant, tell the user" in text
    assert "fix the parameter" not in text.lower()


def test_a_bad_destination_points_at_to() -> None:
    text = str(error_for(400, "invalid dst"))
    assert "Check the destination numbers in to" in text
    assert "sender" not in text


def test_plivos_list_of_invalid_numbers_is_quoted() -> None:
    error = error_for(400, "invalid number", invalid_numbers=("12345", "4420"))
    assert type(error) is errors.InvalidRequestError
    assert "Plivo refused these numbers: 12345, 4420." in str(error)


def test_a_long_list_of_invalid_numbers_is_cut_with_a_count() -> None:
    numbers = tuple(f"1234{n}" for n in range(8))
    assert "12340, 12341, 12342, 12343, 12344 and 3 more" in str(
        error_for(400, None, invalid_numbers=numbers)
    )


def test_the_error_keeps_plivos_status_api_id_and_words() -> None:
    error = error_for(400, "invalid dst")
    assert (error.status, error.api_id, error.plivo_error) == (400, "api-1", "invalid dst")
    assert str(error).endswith("(HTTP 400, api_id api-1)")


def test_a_server_error_on_a_send_is_outcome_unknown_with_the_senders_check() -> None:
    error = error_for(503, "busy")
    assert type(error) is errors.OutcomeUnknownError
    assert SEND_CHECK in str(error)
    assert type(error_for(503, "busy", creates=None)) is errors.ServerError


@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [
        (None, "retry in a minute"),
        (0.4, "retry in 1 s"),  # rounded up, never "retry in 0 s"
        (30, "retry in 30 s"),
        (3600, "retry in 3600 s"),
        (3601, "retry later"),
        (2_500_000_000.0, "retry later"),  # an HTTP date decades ahead
    ],
)
def test_the_rate_limit_says_how_long_to_wait_but_never_a_huge_number(
    retry_after: float | None, wait: str
) -> None:
    error = error_for(429, "rate_limit_exceeded", retry_after=retry_after)
    assert isinstance(error, errors.RateLimitedError)
    assert error.retry_after == retry_after
    text = str(error)
    assert wait in text
    if wait == "retry later":
        assert not re.search(r"\d{5,}", text.split("(HTTP")[0])


@pytest.mark.parametrize(
    ("invalid", "numbers"),
    [(["12345", "4420"], ("12345", "4420")), ("12345<4420", ("12345", "4420")), (None, ())],
)
def test_plivos_refused_numbers_are_read_from_the_body(
    invalid: object, numbers: tuple[str, ...]
) -> None:
    body = json.dumps({"api_id": "a", "error": "invalid number", "invalid_number": invalid})
    assert parse_error_body(body.encode(), "application/json").invalid_numbers == numbers


def test_a_media_complaint_points_to_media_urls() -> None:
    error = error_for_status(
        400, ErrorBody("a", "invalid media url"), creates="check", masked_auth_id="MA…XXXX"
    )
    assert "Check media_urls" in str(error)


def test_credit_and_trial_sentences_do_not_run_into_plivos_words() -> None:
    for reason in ("Insufficient credit.", "Trial account: verified numbers only."):
        error = error_for_status(
            403, ErrorBody("a", reason), creates="check", masked_auth_id="MA…XXXX"
        )
        assert ".:" not in str(error)
