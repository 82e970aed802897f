"""send_sms and preview_sms through the stand-in daemon against the sandbox: the exact requests."""

import pytest

from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Fault

pytestmark = pytest.mark.e2e

MESSAGE_PATH = f"/v1/Account/{DEMO_AUTH_ID}/Message/"
POWERPACK = "1B2C3D4E-0000-4000-8000-00000000ABCD"


def sends(sandbox):
    return [r for r in sandbox.requests if r.method == "POST" and r.path == MESSAGE_PATH]


def send(plugin, credentials, **params):
    return plugin.invoke_tool("send_sms", params, credentials)


def assert_clean(result):
    text = str(result.raw)
    assert DEMO_AUTH_TOKEN not in text
    assert DEMO_AUTH_ID not in text


def test_minimal_send_posts_exactly_sender_destination_and_text(plugin, sandbox, demo_credentials):
    result = send(plugin, demo_credentials, to="+1 (415) 555-2671", message="Hello")
    assert result.ok, result.error
    [request] = sends(sandbox)
    assert request.json == {"src": "14155550199", "dst": "14155552671", "text": "Hello"}
    assert request.headers["Content-Type"] == "application/json"
    body = result.json
    assert body["state"] == "queued"
    assert body["recipients"] == ["+14155552671"]
    assert body["message_uuids"] == result.variables["message_uuids"]
    assert result.variables["message_uuid"] == body["message_uuids"][0]
    assert body["from"] == "+14155550199"
    assert body["encoding"] == "GSM-7"
    assert body["segments"] == 1
    assert body["units_estimate"] == 1
    assert result.texts == ["Queued 1 SMS to +14155552671; 1 segment."]
    assert "Hello" not in str(result.messages)  # the text itself is never echoed
    assert_clean(result)


def test_every_option_is_sent_as_plivo_expects(plugin, sandbox, demo_credentials):
    result = send(
        plugin,
        demo_credentials,
        to="+14155552671",
        message="Code 1234",
        from_number="+1 415 555 0177",
        callback_url="https://example.com/plivo/status",
        callback_method="GET",
        log="number_only",
        trackable=True,
        message_expiry="300",
        dlt_entity_id="1201159000000000001",
        dlt_template_id="1207160000000000002",
        dlt_template_category="transactional",
    )
    assert result.ok, result.error
    [request] = sends(sandbox)
    assert request.json == {
        "src": "14155550177",
        "dst": "14155552671",
        "text": "Code 1234",
        "url": "https://example.com/plivo/status",
        "method": "GET",
        "log": "number_only",
        "trackable": True,
        "message_expiry": 300,
        "dlt_entity_id": "1201159000000000001",
        "dlt_template_id": "1207160000000000002",
        "dlt_template_category": "transactional",
    }


def test_defaults_as_dify_sends_them_add_nothing(plugin, sandbox, demo_credentials):
    """Dify fills form defaults in; values equal to Plivo's own defaults are not sent."""
    result = send(
        plugin,
        demo_credentials,
        to="+14155552671",
        message="Hi",
        callback_method="POST",
        log="true",
        trackable=False,
        max_recipients=10,
        from_number="",
        media_urls="",
        callback_url=None,
    )
    assert result.ok, result.error
    assert sends(sandbox)[0].json == {"src": "14155550199", "dst": "14155552671", "text": "Hi"}


def test_bulk_with_invalid_entries_sends_one_request_and_reports_every_uuid(
    plugin, sandbox, demo_credentials
):
    result = send(
        plugin,
        demo_credentials,
        to="+14155552671; 0044 20 7946 0018\n+91 98765 43210, 12345, +1-415-555-2671",
        message="Hi all",
        max_recipients="5",
    )
    assert result.ok, result.error
    [request] = sends(sandbox)
    assert request.json["dst"] == "14155552671<442079460018<919876543210"
    body = result.json
    assert len(body["message_uuids"]) == 3
    assert body["recipients"] == ["+14155552671", "+442079460018", "+919876543210"]
    assert body["invalid_recipients"] == [{"input": "12345", "reason": "too short"}]
    assert body["units_estimate"] == 3
    assert result.texts[0].startswith("Queued 3 SMS to +14155552671, +442079460018, +919876543210")
    assert result.texts[0].endswith("1 invalid: 12345 (too short).")


def test_default_country_reads_national_numbers(plugin, sandbox, demo_credentials):
    result = send(
        plugin,
        demo_credentials,
        to="020 7946 0018",
        message="Hi",
        default_country="gb",
        from_number="ACME",
    )
    assert result.ok, result.error
    assert sends(sandbox)[0].json == {"src": "ACME", "dst": "442079460018", "text": "Hi"}


def test_unicode_text_reports_ucs2_segments_and_why(plugin, sandbox, demo_credentials):
    text = "It’s here " + "x" * 65  # 75 UCS-2 units → 2 segments
    result = send(plugin, demo_credentials, to="+14155552671,+442079460018", message=text)
    assert result.ok, result.error
    assert sends(sandbox)[0].json["text"] == text  # passed through unchanged
    body = result.json
    assert (body["encoding"], body["segments"], body["units_estimate"]) == ("UCS-2", 2, 4)
    assert "2 segments each (UCS-2: ’ at position 3)" in result.texts[0]
    assert result.variables["segments"] == 2
    assert result.variables["encoding"] == "UCS-2"


def test_powerpack_uuid_is_sent_as_powerpack_uuid_never_src(plugin, sandbox, demo_credentials):
    result = send(plugin, demo_credentials, to="+14155552671", message="Hi", from_number=POWERPACK)
    assert result.ok, result.error
    request = sends(sandbox)[0].json
    assert request["powerpack_uuid"] == POWERPACK.lower()
    assert "src" not in request


def test_mms_goes_only_to_us_and_canada(plugin, sandbox, demo_credentials):
    result = send(
        plugin,
        demo_credentials,
        to="+14155552671, +16135550123, +442079460018",
        media_urls="https://example.com/a.png, https://example.com/b.jpg",
    )
    assert result.ok, result.error
    request = sends(sandbox)[0].json
    assert request["type"] == "mms"
    assert request["media_urls"] == ["https://example.com/a.png", "https://example.com/b.jpg"]
    assert request["dst"] == "14155552671<16135550123"
    assert "text" not in request
    body = result.json
    assert body["type"] == "mms"
    assert body["invalid_recipients"] == [
        {"input": "+442079460018", "reason": "MMS can only be sent to US and Canadian numbers"}
    ]


def test_plivo_invalid_numbers_are_merged_into_invalid_recipients(
    plugin, sandbox, demo_credentials
):
    sandbox.inject(
        Fault(
            method="POST",
            path="/Message/$",
            status=202,
            body={
                "message": "message(s) queued",
                "message_uuid": ["11111111-0000-4000-8000-000000000001"],
                "invalid_number": ["442079460018"],
            },
        )
    )
    result = send(plugin, demo_credentials, to="+14155552671, +442079460018", message="Hi")
    assert result.ok, result.error
    body = result.json
    assert body["recipients"] == ["+14155552671"]
    assert body["invalid_recipients"] == [
        {"input": "+442079460018", "reason": "rejected by Plivo as invalid"}
    ]


@pytest.mark.parametrize(
    ("params", "parameter", "phrase"),
    [
        ({"to": "+14155552671"}, "message", "message is empty"),
        ({"to": "+14155552671", "message": "   "}, "message", "message is empty"),
        ({"to": "12345", "message": "Hi"}, "to", "no valid destination: 1 invalid: 12345"),
        ({"to": "", "message": "Hi"}, "to", "to is required"),
        ({"message": "Hi"}, "to", "to is required"),
        ({"to": "+14155552671", "message": "€" * 1601}, "message", "over Plivo's limit of 1600"),
        ({"to": "+14155552671", "message": "ж" * 738}, "message", "over Plivo's limit of 737"),
        (
            {"to": "+14155552671", "message": "Hi", "default_country": "XX"},
            "default_country",
            "ISO",
        ),
        ({"to": "+14155552671", "message": "Hi", "log": "maybe"}, "log", "not one of"),
        (
            {"to": "+14155552671", "message": "Hi", "message_expiry": 2},
            "message_expiry",
            "5 to 10799",
        ),
        (
            {"to": "+14155552671", "message": "Hi", "callback_url": "ftp://x"},
            "callback_url",
            "http(s)",
        ),
        (
            {"to": "+14155552671", "message": "Hi", "from_number": "ACME-SMS-LIMITED"},
            "from_number",
            "11",
        ),
        (
            {"to": "+14155552671", "message": "Hi", "max_recipients": 5000},
            "max_recipients",
            "1 to 1000",
        ),
        (
            {"to": "+14155552671", "media_urls": ",".join(f"https://e.com/{i}" for i in range(11))},
            "media_urls",
            "at most 10",
        ),
        ({"to": "+14155552671", "media_urls": "javascript:alert(1)"}, "media_urls", "http(s)"),
        ({"to": "+14155550199", "message": "Hi"}, "to", "sender's own number"),
    ],
)
def test_bad_input_fails_the_node_naming_the_parameter_and_sends_nothing(
    plugin, sandbox, demo_credentials, params, parameter, phrase
):
    result = plugin.invoke_tool("send_sms", params, demo_credentials)
    assert result.error is not None, result.raw
    message = result.error["message"]
    assert parameter in message
    assert phrase in message
    assert result.messages == []
    assert sandbox.requests == []
    assert_clean(result)


def test_more_recipients_than_max_recipients_sends_nothing(plugin, sandbox, demo_credentials):
    to = ",".join(f"+1415555{n:04d}" for n in range(2001, 2012))  # 11 numbers, default cap 10
    result = send(plugin, demo_credentials, to=to, message="Hi")
    assert "11 recipients exceed this tool's limit of 10 per send" in result.error["message"]
    assert sandbox.requests == []


def test_a_thousand_recipients_go_in_one_request(plugin, sandbox, demo_credentials):
    to = ",".join(f"+1415555{n:04d}" for n in range(2000, 3000))
    result = send(plugin, demo_credentials, to=to, message="Hi", max_recipients=1000)
    assert result.ok, result.error
    [request] = sends(sandbox)
    assert request.json["dst"].count("<") == 999
    assert len(result.json["message_uuids"]) == 1000
    assert len(result.variables["message_uuids"]) == 1000


def test_no_sender_anywhere_says_where_to_set_one(plugin, sandbox):
    credentials = {"auth_id": DEMO_AUTH_ID, "auth_token": DEMO_AUTH_TOKEN}
    result = plugin.invoke_tool("send_sms", {"to": "+14155552671", "message": "Hi"}, credentials)
    assert "No sender" in result.error["message"]
    assert "Default sender" in result.error["message"]
    assert sandbox.requests == []


@pytest.mark.parametrize(
    ("fault", "error_type", "phrases"),
    [
        (
            Fault(status=400, body={"error": "invalid dst parameter"}),
            "InvalidRequestError",
            ["invalid dst parameter", "HTTP 400"],
        ),
        (
            Fault(status=401, body={"error": "authentication_failed"}),
            "AuthenticationError",
            ["rejected the Auth ID or Auth Token", "MA…XXXX"],
        ),
        (
            Fault(
                status=403, body={"error": "destination country is not enabled in geo permissions"}
            ),
            "GeoPermissionError",
            ["Geo Permissions", "not enabled"],
        ),
        (
            Fault(status=429, body={"error": "rate_limit_exceeded"}, headers={"Retry-After": "30"}),
            "RateLimitedError",
            ["retry in 30 s"],
        ),
        (
            Fault(
                status=500,
                body="<html><body>Internal Server Error</body></html>",
                content_type="text/html",
            ),
            "OutcomeUnknownError",
            ["may or may not have been queued", "check list_messages"],
        ),
        (
            Fault(status=202, action="malformed_json"),
            "OutcomeUnknownError",
            ["check list_messages"],
        ),
    ],
)
def test_plivo_errors_fail_the_node_with_advice_after_exactly_one_request(
    plugin, sandbox, demo_credentials, fault, error_type, phrases
):
    fault.method, fault.path = "POST", "/Message/$"
    sandbox.inject(fault)
    result = send(plugin, demo_credentials, to="+14155552671", message="Hi")
    assert result.error["error_type"] == error_type
    for phrase in phrases:
        assert phrase in result.error["message"]
    assert len(sends(sandbox)) == 1
    assert result.messages == []
    assert_clean(result)


def test_read_timeout_leaves_exactly_one_request_and_says_outcome_unknown(demo_credentials):
    """A send whose answer never comes is not repeated: the sandbox sees one request."""
    from devtools.daemon import StandInDaemon
    from devtools.sandbox import PlivoSandbox

    with PlivoSandbox() as slow:
        slow.inject(Fault(method="POST", path="/Message/$", delay=3.0))
        env = {"PLIVO_API_BASE_URL": slow.url, "PLIVO_READ_TIMEOUT_SECONDS": "1"}
        with StandInDaemon(env=env) as daemon:
            result = daemon.invoke_tool(
                "send_sms", {"to": "+14155552671", "message": "Hi"}, demo_credentials
            )
        slow.wait_for_requests(1)
        assert result.error["error_type"] == "OutcomeUnknownError"
        assert "may have reached Plivo" in result.error["message"]
        assert "check list_messages" in result.error["message"]
        assert len([r for r in slow.requests if r.method == "POST"]) == 1
        assert len(slow.messages) == 1  # Plivo did get it: a retry would have sent it twice


def test_dropped_connection_after_the_body_is_not_retried(plugin, sandbox, demo_credentials):
    sandbox.inject(Fault(method="POST", path="/Message/$", action="drop_after_body"))
    result = send(plugin, demo_credentials, to="+14155552671", message="Hi")
    assert result.error["error_type"] == "OutcomeUnknownError"
    assert len(sends(sandbox)) == 1
    assert len(sandbox.messages) == 1


def test_connection_dropped_before_the_body_is_read_is_still_not_retried(
    plugin, sandbox, demo_credentials
):
    """The server closed after reading headers: the client cannot prove nothing happened."""
    sandbox.inject(Fault(method="POST", path="/Message/$", action="drop_before_body"))
    result = send(plugin, demo_credentials, to="+14155552671", message="Hi")
    assert result.error["error_type"] == "OutcomeUnknownError"
    assert len(sends(sandbox)) == 1


def test_429_with_short_retry_after_is_retried_once_and_succeeds(plugin, sandbox, demo_credentials):
    sandbox.inject(
        Fault(
            method="POST",
            path="/Message/$",
            status=429,
            body={"error": "rate_limit_exceeded"},
            headers={"Retry-After": "1"},
        )
    )
    result = send(plugin, demo_credentials, to="+14155552671", message="Hi")
    assert result.ok, result.error
    assert len(sends(sandbox)) == 2
    assert len(sandbox.messages) == 1


def test_warm_sends_reuse_one_connection(plugin, sandbox, demo_credentials):
    send(plugin, demo_credentials, to="+14155552671", message="warm up")
    before = sandbox.connections_opened
    for _ in range(5):
        assert send(plugin, demo_credentials, to="+14155552671", message="Hi").ok
    assert sandbox.connections_opened == before


def test_preview_with_a_smart_quote_offers_the_gsm_alternative(plugin, sandbox, demo_credentials):
    text = "It’s " + "a" * 70  # 75 units: 2 UCS-2 segments; GSM-7 would need 1
    result = plugin.invoke_tool(
        "preview_sms", {"message": text, "to": "+14155552671, 12345"}, demo_credentials
    )
    assert result.ok, result.error
    body = result.json
    assert body["encoding"] == "UCS-2"
    assert body["segments"] == 2
    assert body["code_units"] == 75
    assert body["max_code_units_per_segment"] == 67
    assert body["non_gsm_characters"] == [
        {"char": "’", "codepoint": "U+2019", "positions": [3], "count": 1}
    ]
    assert body["gsm_alternative"] == {"text": "It's " + "a" * 70, "segments": 1}
    assert body["recipients"] == ["+14155552671"]
    assert body["invalid_recipients"] == [{"input": "12345", "reason": "too short"}]
    assert sandbox.requests == []  # a preview never talks to Plivo


def test_preview_without_credentials_still_works(plugin, sandbox):
    result = plugin.invoke_tool("preview_sms", {"message": "Hello"}, {})
    assert result.ok, result.error
    assert result.json["encoding"] == "GSM-7"
    assert result.texts == ["GSM-7, 1 segment, 5 characters."]


# -- what demanding users wrote ---------------------------------------------------------------


@pytest.mark.parametrize("joiner", [" and ", " or ", " & ", " AND "])
def test_numbers_joined_by_words_are_all_sent(plugin, sandbox, demo_credentials, joiner):
    to = f"+14155552671{joiner}+442079460018"
    result = send(plugin, demo_credentials, to=to, message="Hi")
    assert result.ok, result.error
    [request] = sends(sandbox)
    assert request.json["dst"] == "14155552671<442079460018"
    assert result.variables["invalid_count"] == 0


def test_a_label_before_a_number_is_not_a_recipient(plugin, sandbox, demo_credentials):
    result = send(plugin, demo_credentials, to="Mobile: +14155552671", message="Hi")
    assert result.variables["recipients"] == ["+14155552671"]
    assert result.variables["invalid_recipients"] == []


def test_partial_sends_can_be_wired_through_variables(plugin, sandbox, demo_credentials):
    result = send(plugin, demo_credentials, to="+14155552671, 12345", message="Hi")
    assert result.variables["recipients"] == ["+14155552671"]
    assert result.variables["invalid_recipients"] == [{"input": "12345", "reason": "too short"}]
    assert result.variables["invalid_count"] == 1


def test_fail_on_invalid_fails_the_node_and_sends_nothing(plugin, sandbox, demo_credentials):
    result = send(
        plugin, demo_credentials, to="+14155552671, 12345", message="Hi", fail_on_invalid=True
    )
    assert result.error["error_type"] == "InputError"
    assert "12345 (too short)" in result.error["message"]
    assert "Nothing was sent" in result.error["message"]
    assert sends(sandbox) == []


def test_allowed_countries_refuses_other_destinations(plugin, sandbox, demo_credentials):
    result = send(
        plugin,
        demo_credentials,
        to="+14155552671, +442079460018",
        message="Hi",
        allowed_countries="us, CA",
    )
    assert result.ok, result.error
    [request] = sends(sandbox)
    assert request.json["dst"] == "14155552671"
    [refused] = result.variables["invalid_recipients"]
    assert refused["input"] == "+442079460018"
    assert "GB" in refused["reason"] and "allowed_countries" in refused["reason"]


def test_allowed_countries_with_nothing_left_sends_nothing(plugin, sandbox, demo_credentials):
    result = send(
        plugin, demo_credentials, to="+442079460018", message="Hi", allowed_countries="US"
    )
    assert result.error["error_type"] == "InputError"
    assert "no valid destination" in result.error["message"]
    assert sends(sandbox) == []


def test_unresolved_workflow_variable_is_never_sent(plugin, sandbox, demo_credentials):
    result = send(
        plugin, demo_credentials, to="+14155552671", message="Your code is {{#1711.code#}}"
    )
    assert result.error["error_type"] == "InputError"
    assert "unresolved workflow variable {{#1711.code#}}" in result.error["message"]
    assert sends(sandbox) == []
    result = send(plugin, demo_credentials, to="{{#1711.phone#}}", message="Hi")
    assert "unresolved workflow variable" in result.error["message"]
    assert "contains letters" not in result.error["message"]
    assert sends(sandbox) == []


def test_media_urls_with_commas_are_sent_whole(plugin, sandbox, demo_credentials):
    cdn = "https://res.cloudinary.com/demo/image/upload/w_300,h_200,c_fill/sample.jpg"
    sized = "https://example.com/a.png?size=10,20"
    result = send(
        plugin, demo_credentials, to="+14155552671", message="Hi", media_urls=f"{cdn}, {sized}"
    )
    assert result.ok, result.error
    [request] = sends(sandbox)
    assert request.json["media_urls"] == [cdn, sized]


def test_quoted_numbers_and_json_arrays_are_accepted(plugin, sandbox, demo_credentials):
    result = send(
        plugin, demo_credentials, to='["+14155552671", "\\"+442079460018\\""]', message="Hi"
    )
    assert result.ok, result.error
    assert result.variables["recipients"] == ["+14155552671", "+442079460018"]


def test_preview_and_send_apply_one_length_rule(plugin, sandbox, demo_credentials):
    fits = plugin.invoke_tool("preview_sms", {"message": "€" * 801}, demo_credentials)
    assert fits.variables["over_limit"] is False
    assert "over" not in fits.texts[0]
    assert send(plugin, demo_credentials, to="+14155552671", message="€" * 801).ok
    assert len(sends(sandbox)) == 1
    emoji = "😀" * 400
    over = plugin.invoke_tool("preview_sms", {"message": emoji}, demo_credentials)
    assert over.variables["over_limit"] is True
    over_text = "400 characters (800 counting each emoji twice); over Plivo's limit of 737"
    assert over_text in over.texts[0]
    refused = send(plugin, demo_credentials, to="+14155552671", message=emoji)
    assert over_text in refused.error["message"]
    assert len(sends(sandbox)) == 1


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
    plugin,
    sandbox,
    demo_credentials: dict[str, str],
    body: dict[str, object],
    error_type: str,
    phrase: str,
) -> None:
    from devtools.sandbox import Fault

    sandbox.inject(Fault(method="POST", path="/Message/$", status=202, body=body))
    result = plugin.invoke_tool(
        "send_sms", {"to": "+14155552671", "message": "Hi"}, demo_credentials
    )
    assert result.error is not None
    assert result.error["error_type"] == error_type
    assert phrase in result.error["message"]
    assert result.messages == []
