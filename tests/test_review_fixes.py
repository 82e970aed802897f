"""Bugs found in review, each pinned by a test."""

import logging
import shutil
from importlib.util import find_spec

import pytest

from plivo_api import errors
from plivo_api.http_errors import ErrorBody, error_for_status
from plivo_api.models import MessageRecord, SendResult, _decimal, _int
from plivo_api.params import http_url, number


def test_an_integer_with_hundreds_of_digits_is_out_of_range_not_a_crash():
    with pytest.raises(errors.InputError, match=r"limit: .* is out of range; use 1 to 20"):
        number({"limit": 10**400}, "limit", default=20, minimum=1, maximum=20)


@pytest.mark.parametrize(
    "url", ["https://example.com/a\tb", "https://example.com/\u00a0x", "https://exa mple.com"]
)
def test_urls_with_any_whitespace_are_refused(url):
    with pytest.raises(errors.InputError, match="callback_url"):
        http_url(url, "callback_url")


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-inf", "sNaN"])
def test_non_finite_numbers_from_plivo_are_treated_as_absent(value):
    assert _decimal(value) is None
    assert _int(value) is None
    record = MessageRecord.from_json({"message_uuid": "u", "units": value, "total_rate": value})
    assert record.to_dict()["units"] is None
    assert record.to_dict()["total_rate"] is None


def test_a_fractional_retry_after_is_rounded_up_never_to_zero():
    error = error_for_status(
        429, ErrorBody(None, None), creates=True, masked_auth_id="MA…XXXX", retry_after=0.4
    )
    assert "retry in 1 s" in str(error)


@pytest.mark.parametrize(
    "body",
    [{"api_id": "a"}, {"api_id": "a", "message_uuid": {"x": 1}}],
)
def test_a_202_without_a_uuid_list_is_outcome_unknown(body):
    with pytest.raises(errors.OutcomeUnknownError, match="check list_messages"):
        SendResult.from_json(body)


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("body", "error_type", "phrase"),
    [
        (
            {"message_uuid": [], "invalid_number": ["14155552671"]},
            "InvalidRequestError",
            "refused every destination as invalid: +14155552671",
        ),
        ({"message_uuid": []}, "OutcomeUnknownError", "returned no message UUIDs"),
    ],
)
def test_a_202_that_queued_nothing_fails_the_node(
    plugin, sandbox, demo_credentials, body, error_type, phrase
):
    from devtools.sandbox import Fault

    sandbox.inject(Fault(method="POST", path="/Message/$", status=202, body=body))
    result = plugin.invoke_tool(
        "send_sms", {"to": "+14155552671", "message": "Hi"}, demo_credentials
    )
    assert result.error["error_type"] == error_type
    assert phrase in result.error["message"]
    assert result.messages == []


CAN_MAKE_CERTIFICATES = shutil.which("openssl") is not None or find_spec("cryptography") is not None


@pytest.mark.skipif(not CAN_MAKE_CERTIFICATES, reason="needs openssl or the cryptography package")
def test_an_untrusted_certificate_on_a_send_is_nothing_sent_and_not_retried(tmp_path, pool):
    from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, PlivoSandbox
    from devtools.tls import make_certificate
    from plivo_api.client import PlivoClient

    context = make_certificate(tmp_path).server_context()
    with PlivoSandbox(ssl_context=context) as tls:
        client = PlivoClient(DEMO_AUTH_ID, DEMO_AUTH_TOKEN, base_url=tls.url, pool=pool)
        with pytest.raises(errors.ConnectionFailedError, match="nothing was sent") as caught:
            client.send_message({"src": "14155550199", "dst": "14155552671", "text": "x"})
        assert tls.url in str(caught.value)
        assert tls.requests == []
        assert tls.messages == {}


def test_debug_logs_name_no_phone_number(server, make_client, caplog):
    server.expect_request("/v1/Number/+14155552671").respond_with_json({"phone_number": "x"})
    with caplog.at_level(logging.DEBUG, logger="plivo_api"):
        make_client().lookup_number_json("+14155552671")
    ours = [r for r in caplog.records if r.name.startswith("plivo_api")]
    assert ours, "the attempt is logged at DEBUG"
    logged = " ".join(r.getMessage() for r in ours)
    assert "4155552671" not in logged
    assert "/v1/Number/…" in logged


def test_lookup_transport_errors_name_the_lookup_host(pool):
    from plivo_api.client import PlivoClient

    client = PlivoClient(
        "MA" + "X" * 18,
        "test-token-alpha",
        base_url="http://127.0.0.1:9",
        lookup_base_url="http://127.0.0.1:10",
        pool=pool,
        sleep=lambda _: None,
    )
    with pytest.raises(errors.ConnectionFailedError, match=r"http://127\.0\.0\.1:10"):
        client.lookup_number_json("+14155552671")


@pytest.mark.parametrize("written", ["4155552671", "(415) 555-2671", "415.555.2671"])
def test_a_national_number_without_default_country_says_to_add_the_country_code(written):
    """Read country-code-first these were "too short" (+41 ...): nobody could act on that."""
    from plivo_api.numbers import REASON_NO_COUNTRY_CODE, parse_recipients

    assert parse_recipients(written).invalid[0].reason == REASON_NO_COUNTRY_CODE
    assert parse_recipients(written, "US").valid == ("+14155552671",)


def test_a_basic_format_iso_date_as_until_means_the_end_of_that_day():
    from plivo_api.history import parse_time_bound

    bound = parse_time_bound("20260105", "until", end_of_day=True)
    assert bound is not None
    assert (bound.day, bound.hour, bound.minute) == (5, 23, 59)


@pytest.mark.parametrize(
    ("written", "sent"),
    [("+1 (415) 555-0123", "14155550123"), ("12345", "12345"), ("ACME", "ACME")],
)
def test_number_filters_follow_the_sender_rules(written, sent):
    from plivo_api.history import parse_number_filter

    assert parse_number_filter(written, "from_number") == sent


def test_a_powerpack_uuid_is_no_number_filter():
    from plivo_api.history import parse_number_filter

    with pytest.raises(errors.InputError, match="Powerpack"):
        parse_number_filter("1b2c3d4e-0000-4000-8000-00000000abcd", "to_number")


@pytest.mark.e2e
def test_core_log_records_reach_the_daemon_as_log_events(plugin, sandbox, demo_credentials):
    """Before, "plivo_api" loggers had no handler: their records went nowhere."""
    from devtools.sandbox import Fault

    sandbox.inject(Fault(method="GET", path="/Message/", status=500, body={"error": "x"}, times=20))
    before = len(plugin.logs)
    result = plugin.invoke_tool(
        "send_sms", {"to": "+14155552671", "message": "Hi", "wait_seconds": 1}, demo_credentials
    )
    assert result.ok, result.error
    new = [entry["message"] for entry in plugin.logs[before:]]
    assert any("polling message" in line and "server error" in line for line in new), new
