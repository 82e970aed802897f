"""Bugs found in review, each pinned by a test."""

import pytest

from plivo_api import errors
from plivo_api.http_errors import ErrorBody, error_for_status
from plivo_api.models import MessageRecord, SendResult, _decimal, _int
from plivo_api.params import http_url, number


def test_an_integer_with_hundreds_of_digits_is_out_of_range_not_a_crash():
    with pytest.raises(errors.InputError, match="limit: .* is out of range; use 1 to 20"):
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
