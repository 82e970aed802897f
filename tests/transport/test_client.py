"""PlivoClient against a real local HTTP server: wire format, typed readers, timeouts, errors and
the retry policy."""

from __future__ import annotations

import base64
import json
import logging
import shutil
import time
from collections.abc import Callable, Mapping
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from plivo_api import errors
from plivo_api.resources.account import get_account
from plivo_api.resources.lookup import lookup_number
from plivo_api.resources.messages import get_message, list_messages, send_message
from plivo_api.resources.pricing import get_pricing
from plivo_api.transport.client import PlivoClient, Timeouts
from plivo_api.transport.credentials import Credentials
from plivo_api.transport.retry import NO_RETRY, RetryPolicy
from plivo_api.transport.sessions import SessionPool
from plivo_api.transport.version import USER_AGENT
from tests.conftest import AUTH_ID, AUTH_TOKEN, SleepRecorder

if TYPE_CHECKING:
    from devtools.sandbox import PlivoSandbox

MakeClient = Callable[..., PlivoClient]

ACCOUNT_PATH = f"/v1/Account/{AUTH_ID}/"
MESSAGE_PATH = f"/v1/Account/{AUTH_ID}/Message/"
ACCOUNT_BODY = {
    "account_type": "standard",
    "api_id": "api-1",
    "auth_id": AUTH_ID,
    "auto_recharge": False,
    "billing_mode": "prepaid",
    "cash_credits": "12.50000",
    "name": "Example Co",
    "timezone": "America/Los_Angeles",
}
CREDENTIALS = Credentials(AUTH_ID, AUTH_TOKEN)
SENT_BODY = {"api_id": "api-2", "message": "message(s) queued", "message_uuid": ["u-1", "u-2"]}


def assert_no_secret(text: str) -> None:
    assert AUTH_TOKEN not in text
    assert AUTH_ID not in text


def test_get_account_sends_basic_auth_user_agent_and_parses_fields(
    server: HTTPServer, make_client: MakeClient
) -> None:
    expected_auth = "Basic " + base64.b64encode(f"{AUTH_ID}:{AUTH_TOKEN}".encode()).decode()
    server.expect_request(
        ACCOUNT_PATH,
        method="GET",
        headers={"Authorization": expected_auth, "User-Agent": USER_AGENT},
    ).respond_with_json(ACCOUNT_BODY)
    account = get_account(make_client())
    assert account.name == "Example Co"
    assert str(account.balance) == "12.50000"
    assert account.is_trial is False
    assert account.auto_recharge is False


def test_trial_account_is_recognised(server: HTTPServer, make_client: MakeClient) -> None:
    server.expect_request(ACCOUNT_PATH).respond_with_json(
        {**ACCOUNT_BODY, "account_type": "developer"}
    )
    assert get_account(make_client()).is_trial is True


def test_pasted_credentials_are_trimmed_before_use(
    server: HTTPServer, pool: SessionPool, sleeps: SleepRecorder
) -> None:
    expected_auth = "Basic " + base64.b64encode(f"{AUTH_ID}:{AUTH_TOKEN}".encode()).decode()
    server.expect_request(ACCOUNT_PATH, headers={"Authorization": expected_auth}).respond_with_json(
        ACCOUNT_BODY
    )
    credentials = Credentials.from_mapping(
        {"auth_id": f"  {AUTH_ID}\n", "auth_token": f"{AUTH_TOKEN} "}
    )
    client = PlivoClient(credentials, base_url=server.url_for(""), pool=pool, sleep=sleeps)
    assert get_account(client).name == "Example Co"


def test_send_posts_json_body_once_and_returns_every_uuid(
    server: HTTPServer, make_client: MakeClient
) -> None:
    payload = {"src": "14155550100", "dst": "14155550123<14155550124", "text": "hi"}
    server.expect_oneshot_request(MESSAGE_PATH, method="POST", json=payload).respond_with_json(
        {**SENT_BODY, "invalid_number": ["12345"]}, status=202
    )
    result = send_message(make_client(), payload)
    assert result.message_uuids == ("u-1", "u-2")
    assert result.invalid_numbers == ("12345",)
    assert result.api_id == "api-2"
    request, _ = server.log[0]
    assert request.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("status", "error_class", "phrase"),
    [
        (400, errors.InvalidRequestError, "Plivo refused the request"),
        (401, errors.AuthenticationError, "rejected the Auth ID or Auth Token"),
        (403, errors.PermissionDeniedError, "denied access"),
        (404, errors.NotFoundError, "no such resource"),
        (405, errors.InvalidRequestError, "refused"),
        (409, errors.InvalidRequestError, "refused"),
        (422, errors.InvalidRequestError, "refused"),
        (500, errors.ServerError, "server error"),
    ],
)
def test_status_maps_to_error_class_with_plivo_text_and_api_id(
    server: HTTPServer,
    make_client: MakeClient,
    status: int,
    error_class: type[errors.PlivoError],
    phrase: str,
) -> None:
    server.expect_request(ACCOUNT_PATH).respond_with_json(
        {"api_id": "api-err", "error": "something specific"}, status=status
    )
    with pytest.raises(error_class) as caught:
        get_account(make_client(retry=NO_RETRY))
    text = str(caught.value)
    assert phrase in text
    assert "something specific" in text
    assert "api_id api-err" in text and f"HTTP {status}" in text
    assert caught.value.status == status
    assert_no_secret(text)


def test_403_on_a_send_is_a_geo_permission_error_with_console_advice(
    server: HTTPServer, make_client: MakeClient
) -> None:
    server.expect_request(MESSAGE_PATH, method="POST").respond_with_json(
        {"api_id": "a", "error": "destination country is not enabled in geo permissions"},
        status=403,
    )
    with pytest.raises(errors.GeoPermissionError, match="Geo Permissions"):
        send_message(make_client(), {"src": "1", "dst": "2", "text": "x"})
    assert len(server.log) == 1


def test_html_error_page_becomes_readable_text(server: HTTPServer, make_client: MakeClient) -> None:
    html = (
        "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
    )
    server.expect_request(ACCOUNT_PATH).respond_with_data(
        html, status=502, content_type="text/html"
    )
    with pytest.raises(errors.ServerError) as caught:
        get_account(make_client(retry=NO_RETRY))
    assert "Bad Gateway" in str(caught.value)
    assert "<" not in caught.value.message


def test_empty_error_body_still_names_the_status(
    server: HTTPServer, make_client: MakeClient
) -> None:
    server.expect_request(ACCOUNT_PATH).respond_with_data("", status=500)
    with pytest.raises(errors.ServerError, match="HTTP 500"):
        get_account(make_client(retry=NO_RETRY))


def test_error_text_echoing_credentials_is_scrubbed(
    server: HTTPServer, make_client: MakeClient
) -> None:
    server.expect_request(ACCOUNT_PATH).respond_with_json(
        {"error": f"bad auth {AUTH_ID}:{AUTH_TOKEN}"}, status=401
    )
    with pytest.raises(errors.AuthenticationError) as caught:
        get_account(make_client())
    assert_no_secret(str(caught.value))
    assert_no_secret(repr(caught.value.args))
    assert "MA…XXXX" in str(caught.value)


def test_malformed_json_on_a_read_is_a_malformed_response_error(
    server: HTTPServer, make_client: MakeClient
) -> None:
    server.expect_request(ACCOUNT_PATH).respond_with_data(
        "{not json", content_type="application/json"
    )
    with pytest.raises(errors.MalformedResponseError):
        get_account(make_client())
    assert len(server.log) == 1


def test_malformed_json_on_a_send_is_outcome_unknown_and_not_retried(
    server: HTTPServer, make_client: MakeClient
) -> None:
    server.expect_request(MESSAGE_PATH, method="POST").respond_with_data("{trunc", status=202)
    with pytest.raises(errors.OutcomeUnknownError, match="check list_messages"):
        send_message(make_client(), {"src": "1", "dst": "2", "text": "x"})
    assert len(server.log) == 1


def settled_log(server: HTTPServer, expected: int, timeout: float = 4.0) -> int:
    """pytest-httpserver serves one request at a time: wait for slow handlers to finish."""
    deadline = time.monotonic() + timeout
    while len(server.log) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # and make sure no further request arrives
    return len(server.log)


def _slow(
    seconds: float, body: Mapping[str, object], status: int = 200
) -> Callable[[Request], Response]:
    def handler(request: Request) -> Response:
        time.sleep(seconds)
        return Response(json.dumps(body), status=status, content_type="application/json")

    return handler


def test_read_timeout_really_fires(server: HTTPServer, make_client: MakeClient) -> None:
    server.expect_request(ACCOUNT_PATH).respond_with_handler(_slow(1.0, ACCOUNT_BODY))
    started = time.monotonic()
    with pytest.raises(errors.RequestTimeoutError, match=r"did not answer within 0\.5 s"):
        get_account(make_client(retry=NO_RETRY))
    assert time.monotonic() - started < 0.95
    assert settled_log(server, 1) == 1


def test_post_read_timeout_is_outcome_unknown_with_exactly_one_request(
    server: HTTPServer, make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    server.expect_request(MESSAGE_PATH, method="POST").respond_with_handler(
        _slow(0.8, SENT_BODY, 202)
    )
    with pytest.raises(errors.OutcomeUnknownError, match="may have reached Plivo"):
        send_message(make_client(), {"src": "1", "dst": "2", "text": "x"})
    assert settled_log(server, 1) == 1
    assert sleeps.calls == []


def test_get_read_timeout_is_retried_up_to_the_policy(
    server: HTTPServer, make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    server.expect_request(ACCOUNT_PATH).respond_with_handler(_slow(0.7, ACCOUNT_BODY))
    with pytest.raises(errors.RequestTimeoutError):
        get_account(make_client(retry=RetryPolicy(max_attempts=2)))
    assert settled_log(server, 2) == 2
    assert len(sleeps.calls) == 1


@pytest.mark.parametrize("status", [502, 503, 504])
def test_get_gateway_errors_are_retried_then_succeed(
    server: HTTPServer, make_client: MakeClient, sleeps: SleepRecorder, status: int
) -> None:
    server.expect_ordered_request(ACCOUNT_PATH).respond_with_data("gateway", status=status)
    server.expect_ordered_request(ACCOUNT_PATH).respond_with_json(ACCOUNT_BODY)
    assert get_account(make_client()).name == "Example Co"
    assert len(server.log) == 2
    assert len(sleeps.calls) == 1 and 0 < sleeps.calls[0] <= 0.5


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_send_server_errors_are_never_retried(
    server: HTTPServer, make_client: MakeClient, sleeps: SleepRecorder, status: int
) -> None:
    server.expect_request(MESSAGE_PATH, method="POST").respond_with_data("oops", status=status)
    with pytest.raises(errors.OutcomeUnknownError, match="may or may not have been queued"):
        send_message(make_client(), {"src": "1", "dst": "2", "text": "x"})
    assert len(server.log) == 1
    assert sleeps.calls == []


def test_500_on_a_read_is_not_retried(
    server: HTTPServer, make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    server.expect_request(ACCOUNT_PATH).respond_with_data("boom", status=500)
    with pytest.raises(errors.ServerError):
        get_account(make_client())
    assert len(server.log) == 1


def test_429_with_short_retry_after_is_honoured_for_a_send(
    server: HTTPServer, make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    server.expect_ordered_request(MESSAGE_PATH, method="POST").respond_with_json(
        {"error": "rate_limit_exceeded"}, status=429, headers={"Retry-After": "2"}
    )
    server.expect_ordered_request(MESSAGE_PATH, method="POST").respond_with_json(
        SENT_BODY, status=202
    )
    result = send_message(make_client(), {"src": "1", "dst": "2", "text": "x"})
    assert result.message_uuids == ("u-1", "u-2")
    assert len(server.log) == 2
    assert sleeps.calls == [2.0]


def test_429_with_long_retry_after_fails_fast_naming_the_wait(
    server: HTTPServer, make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    server.expect_request(MESSAGE_PATH, method="POST").respond_with_json(
        {"error": "rate_limit_exceeded"}, status=429, headers={"Retry-After": "60"}
    )
    with pytest.raises(errors.RateLimitedError, match="retry in 60 s") as caught:
        send_message(make_client(), {"src": "1", "dst": "2", "text": "x"})
    assert caught.value.retry_after == 60
    assert len(server.log) == 1
    assert sleeps.calls == []


def test_429_without_retry_after_backs_off_then_gives_up(
    server: HTTPServer, make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    server.expect_request(ACCOUNT_PATH).respond_with_json({"error": "too many"}, status=429)
    with pytest.raises(errors.RateLimitedError):
        get_account(make_client())
    assert len(server.log) == 3
    assert len(sleeps.calls) == 2
    assert all(0 < s <= 4.0 for s in sleeps.calls)


def test_connection_refused_is_nothing_sent_and_retried_for_a_send(
    pool: SessionPool, sleeps: SleepRecorder
) -> None:
    client = PlivoClient(
        CREDENTIALS,
        base_url="http://127.0.0.1:9",
        pool=pool,
        sleep=sleeps,
        timeout=Timeouts(connect=0.5, read=0.5),
    )
    with pytest.raises(errors.ConnectionFailedError, match="nothing was sent") as caught:
        send_message(client, {"src": "1", "dst": "2", "text": "x"})
    assert len(sleeps.calls) == 2  # three attempts: the request never left this machine
    assert_no_secret(str(caught.value))
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_one_session_per_credential_set(pool: SessionPool) -> None:
    a = PlivoClient(CREDENTIALS, pool=pool)
    b = PlivoClient(Credentials(AUTH_ID, AUTH_TOKEN), pool=pool)
    c = PlivoClient(Credentials(AUTH_ID, "test-token-beta"), pool=pool)
    assert a._session is b._session
    assert a._session is not c._session
    assert len(pool) == 2


def test_repr_and_credentials_never_show_the_token(pool: SessionPool) -> None:
    client = PlivoClient(CREDENTIALS, pool=pool)
    assert_no_secret(repr(client))
    assert_no_secret(repr(CREDENTIALS))


def test_lookup_is_billed_so_gateway_errors_are_not_retried(
    server: HTTPServer, make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    server.expect_request("/v1/Number/+14155552671").respond_with_data("busy", status=503)
    with pytest.raises(errors.ServerError):
        lookup_number(make_client(), "+14155552671")
    assert len(server.log) == 1
    assert sleeps.calls == []


def test_lookup_rate_limit_is_retried_because_plivo_did_nothing(
    server: HTTPServer, make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    server.expect_ordered_request("/v1/Number/+14155552671").respond_with_json(
        {"error": "too many"}, status=429, headers={"Retry-After": "1"}
    )
    server.expect_ordered_request("/v1/Number/+14155552671").respond_with_json(
        {"phone_number": "+14155552671"}
    )
    assert lookup_number(make_client(), "+14155552671").number == "+14155552671"
    assert sleeps.calls == [1.0]


def test_n_calls_share_one_connection_and_a_new_credential_set_gets_its_own(
    sandbox: PlivoSandbox, pool: SessionPool
) -> None:
    from devtools.sandbox import (
        DEMO_AUTH_ID,
        DEMO_AUTH_TOKEN,
        DEMO_TRIAL_AUTH_ID,
        DEMO_TRIAL_AUTH_TOKEN,
    )

    before = sandbox.connections_opened
    for _ in range(10):
        get_account(
            PlivoClient(Credentials(DEMO_AUTH_ID, DEMO_AUTH_TOKEN), base_url=sandbox.url, pool=pool)
        )
    assert sandbox.connections_opened - before == 1
    get_account(
        PlivoClient(
            Credentials(DEMO_TRIAL_AUTH_ID, DEMO_TRIAL_AUTH_TOKEN), base_url=sandbox.url, pool=pool
        )
    )
    assert sandbox.connections_opened - before == 2
    assert len(sandbox.requests) == 11


def test_429_with_a_retry_after_date_far_ahead_says_retry_later(
    server: HTTPServer, make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    server.expect_request(ACCOUNT_PATH).respond_with_json(
        {"error": "too many"}, status=429, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}
    )
    with pytest.raises(errors.RateLimitedError) as caught:
        get_account(make_client())
    text = str(caught.value)
    assert "retry later" in text
    assert "retry in" not in text
    assert len(server.log) == 1
    assert sleeps.calls == []


@pytest.mark.parametrize(
    ("body", "error_class", "phrase"),
    [
        (
            {"api_id": "a", "error": "Insufficient credit"},
            errors.InsufficientCreditError,
            "the account has no credit left",
        ),
        (
            {"api_id": "a", "error": "Trial account can only send to verified sandbox numbers"},
            errors.TrialAccountError,
            "trial Plivo account",
        ),
        (
            {"api_id": "a", "error": "src parameter is invalid"},
            errors.InvalidRequestError,
            "The sender is part of the tool's setup",
        ),
        (
            {"api_id": "a", "error": "invalid number", "invalid_number": ["12345", "4420"]},
            errors.InvalidRequestError,
            "Plivo refused these numbers: 12345, 4420",
        ),
    ],
)
def test_a_refused_send_carries_advice_from_plivos_words(
    server: HTTPServer,
    make_client: MakeClient,
    body: dict[str, object],
    error_class: type[errors.PlivoError],
    phrase: str,
) -> None:
    server.expect_request(MESSAGE_PATH, method="POST").respond_with_json(body, status=400)
    with pytest.raises(error_class, match=phrase):
        send_message(make_client(), {"src": "1", "dst": "2", "text": "x"})
    assert len(server.log) == 1


# -- typed readers ----------------------------------------------------------------------------

UUID = "5f0e4a8c-0000-4000-8000-00000000000a"
LOOKUP_BODY = {"api_id": "l-0", "phone_number": "+14155550123", "carrier": {"type": "mobile"}}
PRICING_BODY = {"api_id": "p-0", "country_iso": "GB", "message": {"outbound": {"rate": "0.04"}}}


def test_get_message_reads_the_uuid_path(server: HTTPServer, make_client: MakeClient) -> None:
    server.expect_request(f"{MESSAGE_PATH}{UUID}/", method="GET").respond_with_json(
        {"message_uuid": UUID, "message_state": "delivered", "api_id": "m-1"}
    )
    record = get_message(make_client(), UUID)
    assert (record.state, record.api_id) == ("delivered", "m-1")


def test_unknown_message_is_a_no_such_message_error(
    server: HTTPServer, make_client: MakeClient
) -> None:
    server.expect_request(f"{MESSAGE_PATH}{UUID}/").respond_with_json(
        {"api_id": "api-404", "error": "not found"}, status=404
    )
    with pytest.raises(errors.NotFoundError) as caught:
        get_message(make_client(), UUID)
    text = str(caught.value)
    assert text.startswith(f"No such message: Plivo has no message {UUID}")
    assert "Plivo said" not in text  # "not found" adds nothing
    assert "api_id api-404" in text
    assert "HTTP 404" in text
    assert_no_secret(text)


def test_a_404_that_says_more_keeps_plivos_words(
    server: HTTPServer, make_client: MakeClient
) -> None:
    server.expect_request(f"{MESSAGE_PATH}{UUID}/").respond_with_json(
        {"error": "message belongs to another subaccount"}, status=404
    )
    with pytest.raises(errors.NotFoundError, match="Plivo said: message belongs to another"):
        get_message(make_client(), UUID)


def test_list_messages_sends_the_query_and_pages(
    server: HTTPServer, make_client: MakeClient
) -> None:
    query = {"limit": "2", "offset": "2", "message_direction": "outbound"}
    server.expect_request(MESSAGE_PATH, method="GET", query_string=query).respond_with_json(
        {
            "api_id": "l-2",
            "meta": {"limit": 2, "offset": 2, "total_count": 5, "next": "/x?limit=2&offset=4"},
            "objects": [{"message_uuid": UUID}, {"message_uuid": UUID}],
        }
    )
    page = list_messages(make_client(), {"limit": 2, "offset": 2, "message_direction": "outbound"})
    assert (page.offset, page.next_offset, page.total_count, page.api_id) == (2, 4, 5, "l-2")


def test_list_messages_without_meta_keeps_the_requested_offset(
    server: HTTPServer, make_client: MakeClient
) -> None:
    server.expect_request(MESSAGE_PATH).respond_with_json({"objects": []})
    assert list_messages(make_client(), {"limit": 20, "offset": 40}).offset == 40


def test_list_messages_rate_limit_is_reported(server: HTTPServer, make_client: MakeClient) -> None:
    server.expect_request(MESSAGE_PATH).respond_with_json(
        {"error": "too many requests"}, status=429, headers={"Retry-After": "30"}
    )
    with pytest.raises(errors.RateLimitedError, match="20 per minute"):
        list_messages(make_client(), {"limit": 20, "offset": 0})


def test_lookup_calls_the_lookup_host_with_type_carrier(
    server: HTTPServer, make_client: MakeClient
) -> None:
    server.expect_request(
        "/v1/Number/+14155550123", method="GET", query_string={"type": "carrier"}
    ).respond_with_json(LOOKUP_BODY)
    result = lookup_number(make_client(), "+14155550123")
    assert (result.line_type, result.api_id) == ("mobile", "l-0")


@pytest.mark.parametrize(
    "body",
    [
        {"api_id": "l-1", "error_code": 20404, "message": "Phone number is invalid"},
        {"api_id": "l-1", "code": 20404, "error": "not found"},
    ],
)
def test_lookup_404_says_not_a_valid_number(
    server: HTTPServer, make_client: MakeClient, body: dict[str, object]
) -> None:
    server.expect_request("/v1/Number/+19999999999").respond_with_json(body, status=404)
    with pytest.raises(errors.NotFoundError, match="not a valid or known phone number") as caught:
        lookup_number(make_client(), "+19999999999")
    assert caught.value.api_id == "l-1"


def test_pricing_sends_country_iso_and_explains_404(
    server: HTTPServer, make_client: MakeClient
) -> None:
    server.expect_request(
        f"/v1/Account/{AUTH_ID}/Pricing/", query_string={"country_iso": "GB"}
    ).respond_with_json(PRICING_BODY)
    server.expect_request(
        f"/v1/Account/{AUTH_ID}/Pricing/", query_string={"country_iso": "VA"}
    ).respond_with_json({"error": "not found"}, status=404)
    client = make_client()
    pricing = get_pricing(client, "GB")
    assert (str(pricing.sms_outbound_rate), pricing.api_id) == ("0.04", "p-0")
    with pytest.raises(errors.NotFoundError, match="no price list for country VA"):
        get_pricing(client, "VA")


def test_debug_logs_name_no_phone_number(
    server: HTTPServer, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    server.expect_request("/v1/Number/+14155552671").respond_with_json({"phone_number": "x"})
    with caplog.at_level(logging.DEBUG, logger="plivo_api"):
        lookup_number(make_client(), "+14155552671")
    ours = [r for r in caplog.records if r.name.startswith("plivo_api")]
    assert ours, "the attempt is logged at DEBUG"
    logged = " ".join(r.getMessage() for r in ours)
    assert "4155552671" not in logged
    assert "/v1/Number/…" in logged


def test_lookup_transport_errors_name_the_lookup_host(pool: SessionPool) -> None:
    client = PlivoClient(
        CREDENTIALS,
        base_url="http://127.0.0.1:9",
        lookup_base_url="http://127.0.0.1:10",
        pool=pool,
        sleep=lambda _: None,
    )
    with pytest.raises(errors.ConnectionFailedError, match=r"http://127\.0\.0\.1:10"):
        lookup_number(client, "+14155552671")


CAN_MAKE_CERTIFICATES = shutil.which("openssl") is not None or find_spec("cryptography") is not None


@pytest.mark.skipif(not CAN_MAKE_CERTIFICATES, reason="needs openssl or the cryptography package")
def test_an_untrusted_certificate_on_a_send_is_nothing_sent_and_not_retried(
    tmp_path: Path, pool: SessionPool
) -> None:
    from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, PlivoSandbox
    from devtools.tls import make_certificate

    context = make_certificate(tmp_path).server_context()
    with PlivoSandbox(ssl_context=context) as tls:
        client = PlivoClient(
            Credentials(DEMO_AUTH_ID, DEMO_AUTH_TOKEN), base_url=tls.url, pool=pool
        )
        with pytest.raises(errors.ConnectionFailedError, match="nothing was sent") as caught:
            send_message(client, {"src": "14155550199", "dst": "14155552671", "text": "x"})
        assert tls.url in str(caught.value)
        assert tls.requests == []
        assert tls.messages == {}
