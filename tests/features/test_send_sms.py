"""send_sms: parameters -> plan -> exact Plivo request body -> one request -> what the tool shows.

Every check happens before the request; a refused plan makes no request at all (the ``server``
fixture fails a test on any request it was not told to expect).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytest_httpserver import HTTPServer

from plivo_api.errors import InputError, InvalidRequestError, OutcomeUnknownError
from plivo_api.features import Invocation
from plivo_api.features.send_sms import (
    MAX_MEDIA_URLS,
    NOT_CHECKED,
    REASON_IS_SENDER,
    REASON_MMS_REGION,
    REASON_PLIVO_INVALID,
    UNKNOWN_ADVICE,
    MessagePlan,
    Policy,
    SendOptions,
    SendReport,
    delivery_entry,
    delivery_summary,
    parse_allowed_countries,
    parse_media_urls,
    plan,
    plan_message,
    present,
    run,
    send,
)
from plivo_api.messaging.numbers import REASON_UNRESOLVED, parse_recipients
from plivo_api.messaging.sender import Sender
from plivo_api.resources.messages import MessageRecord
from plivo_api.toolkit.polling import DeliveryReport, Observation
from plivo_api.transport.client import PlivoClient
from tests.conftest import AUTH_ID, AUTH_TOKEN

MakeClient = Callable[..., PlivoClient]
SENDER = "+14155550100"
US = "+14155552671"
US_2 = "+12025550143"
CA = "+16045550100"
GB = "+442079460030"
EURO = "\u20ac"
GRINNING = "\U0001f600"
UUID_1 = "5f0e4a8c-0000-4000-8000-00000000000a"
UUID_2 = "5f0e4a8c-0000-4000-8000-00000000000b"
MESSAGE_PATH = f"/v1/Account/{AUTH_ID}/Message/"
CREDENTIALS = {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN, "default_sender": SENDER}
CLOUDINARY = "https://res.cloudinary.com/demo/image/upload/w_300,h_200,c_fill/sample.jpg"
QUERY_WITH_COMMA = "https://example.com/a.png?size=10,20"


def plan_of(**params: object) -> MessagePlan:
    """A plan from tool parameters, with a sender and a message unless the test gives its own."""
    return plan({"from_number": SENDER, "message": "Hi", **params}, None)


def refusal(**params: object) -> InputError:
    with pytest.raises(InputError) as caught:
        plan_of(**params)
    return caught.value


# -- the exact request body -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "body"),
    [
        (
            {"to": US},
            {"src": "14155550100", "dst": "14155552671", "text": "Hi"},
        ),
        (
            {"to": f"{US}, {GB}\n{CA}"},
            {"src": "14155550100", "dst": "14155552671<442079460030<16045550100", "text": "Hi"},
        ),
        (
            {"to": "(415) 555-2671", "default_country": "us"},
            {"src": "14155550100", "dst": "14155552671", "text": "Hi"},
        ),
        (
            {"to": US, "from_number": "ACME-SMS"},
            {"src": "ACMESMS", "dst": "14155552671", "text": "Hi"},
        ),
        (
            {"to": US, "from_number": "1B2C3D4E-0000-4000-8000-00000000000A"},
            {
                "powerpack_uuid": "1b2c3d4e-0000-4000-8000-00000000000a",
                "dst": "14155552671",
                "text": "Hi",
            },
        ),
        (
            {"to": US, "from_number": "54321"},
            {"src": "54321", "dst": "14155552671", "text": "Hi"},
        ),
        (
            {"to": US, "media_urls": f"{CLOUDINARY}\n{QUERY_WITH_COMMA}"},
            {
                "src": "14155550100",
                "dst": "14155552671",
                "text": "Hi",
                "type": "mms",
                "media_urls": [CLOUDINARY, QUERY_WITH_COMMA],
            },
        ),
        (
            {"to": US, "message": "", "media_urls": CLOUDINARY},
            {"src": "14155550100", "dst": "14155552671", "type": "mms", "media_urls": [CLOUDINARY]},
        ),
        (
            {
                "to": US,
                "callback_url": "https://example.com/status",
                "callback_method": "GET",
                "log": "number_only",
                "trackable": "true",
                "message_expiry": "600",
                "dlt_entity_id": "1201159100000000001",
                "dlt_template_id": "1207161700000000002",
                "dlt_template_category": "transactional",
            },
            {
                "src": "14155550100",
                "dst": "14155552671",
                "text": "Hi",
                "url": "https://example.com/status",
                "method": "GET",
                "log": "number_only",
                "trackable": True,
                "message_expiry": 600,
                "dlt_entity_id": "1201159100000000001",
                "dlt_template_id": "1207161700000000002",
                "dlt_template_category": "transactional",
            },
        ),
        (
            # Plivo's defaults are not sent; a method without a URL means nothing.
            {"to": US, "log": "true", "trackable": False, "callback_method": "GET"},
            {"src": "14155550100", "dst": "14155552671", "text": "Hi"},
        ),
        (
            {"to": US, "log": "false"},  # a string: Plivo rejects a JSON boolean here
            {"src": "14155550100", "dst": "14155552671", "text": "Hi", "log": "false"},
        ),
    ],
)
def test_request_body_is_exactly_what_plivo_documents(
    params: dict[str, object], body: dict[str, object]
) -> None:
    assert plan_of(**params).request_body() == body


def test_text_is_sent_as_written_with_its_spaces() -> None:
    assert plan_of(to=US, message="  two  spaces \n").request_body()["text"] == "  two  spaces \n"


# -- the sender -------------------------------------------------------------------------------


def test_the_default_sender_is_used_when_the_tool_has_no_from_number() -> None:
    message_plan = plan({"to": US, "message": "Hi"}, "ACME")
    assert message_plan.sender == Sender("alphanumeric", "ACME")


def test_from_number_wins_over_the_default_sender() -> None:
    message_plan = plan({"to": US, "message": "Hi", "from_number": SENDER}, "ACME")
    assert message_plan.sender == Sender("number", SENDER)


def test_without_any_sender_nothing_is_planned() -> None:
    with pytest.raises(InputError) as caught:
        plan({"to": US, "message": "Hi"}, None)
    assert caught.value.parameter == "from_number"


def test_the_senders_own_number_is_not_a_recipient() -> None:
    message_plan = plan_of(to=f"{SENDER}, {US}")
    assert message_plan.recipients == (US,)
    assert [(i.input, i.reason) for i in message_plan.invalid] == [(SENDER, REASON_IS_SENDER)]


# -- recipients: what people and agents write -------------------------------------------------


@pytest.mark.parametrize(
    "to",
    [
        f"{US} and {GB}",
        f"{US} or {GB}",
        f"{US} & {GB}",
        f'["{US}", "{GB}"]',
        [US, GB],
        f'"{US}", "{GB}"',
        f"Mobile: {US}, Office: {GB}",
    ],
)
def test_every_way_of_writing_two_numbers_gives_both_recipients(to: object) -> None:
    message_plan = plan_of(to=to)
    assert message_plan.recipients == (US, GB)
    assert message_plan.invalid == ()


def test_a_label_before_the_only_number_leaves_nothing_invalid() -> None:
    message_plan = plan_of(to=f"Mobile: {US}")
    assert (message_plan.recipients, message_plan.invalid) == ((US,), ())


def test_an_unresolved_variable_in_to_is_an_invalid_recipient_saying_so() -> None:
    message_plan = plan_of(to=f"{US}, {{{{#1711.phone#}}}}")
    assert message_plan.recipients == (US,)
    [entry] = message_plan.invalid
    assert entry.input == "{{#1711.phone#}}"
    assert entry.reason == REASON_UNRESOLVED
    assert entry.reason.startswith("unresolved workflow variable")


def test_when_every_recipient_is_invalid_the_error_names_to_and_says_ask_the_user() -> None:
    error = refusal(to="020 7946 0018, {{#1711.phone#}}")
    message = str(error)
    assert error.parameter == "to"
    assert "no valid destination" in message
    assert "unresolved workflow variable" in message
    assert "ask the user" in message
    assert "default_country" not in message


@pytest.mark.parametrize("to", [None, "", "   ", []])
def test_to_is_required(to: object) -> None:
    error = refusal(to=to)
    assert error.parameter == "to"
    assert "to is required" in str(error)


def test_more_recipients_than_the_tools_cap_are_refused_naming_the_setting() -> None:
    numbers = ", ".join(f"+1415555{n:04d}" for n in range(11))
    error = refusal(to=numbers)
    message = str(error)
    assert error.parameter == "to"
    assert "11 recipients exceed this tool's limit of 10" in message
    assert "'Max recipients'" in message
    assert len(plan_of(to=numbers, max_recipients=11).recipients) == 11


# -- builder policy: fail_on_invalid and allowed_countries -----------------------------------


@pytest.mark.parametrize("invalid", ["123", "020 7946 0018", "{{#1711.phone#}}", SENDER])
def test_fail_on_invalid_refuses_the_send_when_any_recipient_is_invalid(invalid: str) -> None:
    error = refusal(to=f"{US}, {invalid}", fail_on_invalid=True)
    message = str(error)
    assert error.parameter == "to"
    assert "1 invalid" in message
    assert "Nothing was sent" in message
    assert "set to fail when any recipient is invalid" in message


def test_without_fail_on_invalid_the_valid_recipients_are_sent() -> None:
    message_plan = plan_of(to=f"{US}, 123", fail_on_invalid=False)
    assert message_plan.recipients == (US,)
    assert [i.input for i in message_plan.invalid] == ["123"]


def test_a_number_outside_allowed_countries_is_invalid_naming_its_country() -> None:
    message_plan = plan_of(to=f"{US}, {GB}, {CA}", allowed_countries="US, CA")
    assert message_plan.recipients == (US, CA)
    [entry] = message_plan.invalid
    assert entry.input == GB
    assert "GB" in entry.reason
    assert "allowed_countries: CA, US" in entry.reason


def test_nothing_left_inside_allowed_countries_is_an_input_error() -> None:
    error = refusal(to=GB, allowed_countries="US, CA")
    message = str(error)
    assert error.parameter == "to"
    assert "no valid destination" in message
    assert "GB" in message and "allowed_countries" in message


def test_allowed_countries_and_fail_on_invalid_together_refuse_the_whole_send() -> None:
    error = refusal(to=f"{US}, {GB}", allowed_countries="US", fail_on_invalid=True)
    assert error.parameter == "to"
    assert "GB" in str(error)


@pytest.mark.parametrize(
    ("raw", "countries"),
    [
        ("US, ca", {"US", "CA"}),
        ("US;CA GB", {"US", "CA", "GB"}),
        ("uk", {"GB"}),
        ("", set()),
        (None, set()),
    ],
)
def test_allowed_countries_are_iso_codes_in_any_separator(
    raw: str | None, countries: set[str]
) -> None:
    assert parse_allowed_countries(raw) == frozenset(countries)


def test_an_unknown_allowed_country_is_refused_naming_allowed_countries() -> None:
    with pytest.raises(InputError) as caught:
        parse_allowed_countries("US, Narnia")
    assert caught.value.parameter == "allowed_countries"


def test_plan_message_applies_the_policy_in_order() -> None:
    """Sender's number, then countries, then MMS reach: each reported once, in that order."""
    recipients = parse_recipients(f"{SENDER}, {GB}, {US}, {CA}")
    message_plan = plan_message(
        recipients=recipients,
        sender=Sender("number", SENDER),
        text="Hi",
        media_urls=[CLOUDINARY],
        policy=Policy(allowed_countries=frozenset({"US", "CA", "GB"})),
    )
    assert message_plan.recipients == (US, CA)
    assert [(i.input, i.reason) for i in message_plan.invalid] == [
        (SENDER, REASON_IS_SENDER),
        (GB, REASON_MMS_REGION),
    ]
    assert message_plan.segments == 1  # one MMS, whatever the text length


# -- message ----------------------------------------------------------------------------------


def test_a_list_given_as_message_is_sent_one_line_per_item() -> None:
    assert plan_of(to=US, message=["Line one", "Line two"]).text == "Line one\nLine two"


def test_an_unresolved_variable_in_message_is_refused_naming_it() -> None:
    error = refusal(to=US, message="Your code is {{#1711.code#}}")
    assert error.parameter == "message"
    assert "{{#1711.code#}}" in str(error)
    assert "unresolved workflow variable" in str(error)


@pytest.mark.parametrize(
    ("message", "named"),
    [
        ("Hi {{name}}, your table is ready", "the placeholder {{name}}"),
        ("Hi {name}", "the placeholder {name}"),
        ("Hi [Name], see you [Date]", "the placeholders [Name] and [Date]"),
        ("Hi <name>", "the placeholder <name>"),
    ],
)
def test_a_template_placeholder_in_message_is_refused_naming_it(message: str, named: str) -> None:
    error = refusal(to=US, message=message)
    assert error.parameter == "message"
    assert f"message contains {named}, which would reach the recipient as written" in str(error)
    assert "Nothing was sent: replace " in str(error)
    assert "or ask the user for " in str(error)


def test_a_placeholder_refusal_sends_nothing(plivo: HTTPServer) -> None:
    with pytest.raises(InputError, match=r"the placeholder \[Name\]"):
        run(Invocation({"to": US, "message": "Hi [Name]"}, CREDENTIALS))
    assert plivo.log == []  # the server fixture also fails the test on any unexpected request


@pytest.mark.parametrize(
    "message", ["See [1] <3", "Read <https://example.com/a?b=[c]>", "[Acme] Code: 1234", "{}"]
)
def test_brackets_in_ordinary_texts_are_sent(message: str) -> None:
    assert plan_of(to=US, message=message).text == message


@pytest.mark.parametrize("message", ["Hi\x00", "\x1b[1mHi", "a\x07b"])
def test_control_characters_in_message_are_refused_naming_message(message: str) -> None:
    error = refusal(to=US, message=message)
    assert error.parameter == "message"
    assert "control character" in str(error)


@pytest.mark.parametrize("message", ["", "   ", None])
def test_an_empty_message_without_media_is_refused(message: object) -> None:
    error = refusal(to=US, message=message)
    assert error.parameter == "message"
    assert "message is empty" in str(error)


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        (EURO * 801, "GSM-7", 11),
        ("a" * 1600, "GSM-7", 11),
        (GRINNING * 368 + "\u0436", "UCS-2", 12),  # pairs never split: 33 per part
        ("\u0436" * 737, "UCS-2", 11),
    ],
)
def test_texts_within_plivos_character_limit_are_planned(
    text: str, encoding: str, segments: int
) -> None:
    message_plan = plan_of(to=US, message=text)
    assert (message_plan.analysis.encoding, message_plan.segments) == (encoding, segments)
    assert message_plan.analysis.over_limit is False
    assert message_plan.request_body()["text"] == text


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        ("a" * 1601, "1601 characters; over Plivo's limit of 1600 characters for GSM-7"),
        ("\u0436" * 738, "738 characters; over Plivo's limit of 737 characters for UCS-2"),
        (
            GRINNING * 400,
            "400 characters (800 counting each emoji twice); over Plivo's limit of 737 "
            "characters for UCS-2",
        ),
    ],
)
def test_texts_over_plivos_character_limit_are_refused(text: str, summary: str) -> None:
    error = refusal(to=US, message=text)
    assert error.parameter == "message"
    assert summary in str(error)


# -- media URLs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "urls"),
    [
        (CLOUDINARY, (CLOUDINARY,)),
        (QUERY_WITH_COMMA, (QUERY_WITH_COMMA,)),
        (f"{CLOUDINARY}, {QUERY_WITH_COMMA}", (CLOUDINARY, QUERY_WITH_COMMA)),
        (f"{CLOUDINARY},{QUERY_WITH_COMMA}", (CLOUDINARY, QUERY_WITH_COMMA)),
        (f"{CLOUDINARY} {QUERY_WITH_COMMA}", (CLOUDINARY, QUERY_WITH_COMMA)),
        (f"{CLOUDINARY}\n{QUERY_WITH_COMMA}\r\n", (CLOUDINARY, QUERY_WITH_COMMA)),
        (f"'{CLOUDINARY}'; \"{QUERY_WITH_COMMA}\"", (CLOUDINARY, QUERY_WITH_COMMA)),
        ("", ()),
        (None, ()),
    ],
)
def test_media_urls_split_only_before_a_url_or_at_a_line_break(
    raw: str | None, urls: tuple[str, ...]
) -> None:
    assert parse_media_urls(raw) == urls


def test_media_urls_as_a_list_or_a_json_array_are_accepted_whole() -> None:
    for raw in ([CLOUDINARY, QUERY_WITH_COMMA], f'["{CLOUDINARY}", "{QUERY_WITH_COMMA}"]'):
        assert plan_of(to=US, media_urls=raw).media_urls == (CLOUDINARY, QUERY_WITH_COMMA)


@pytest.mark.parametrize(
    "bad",
    [
        "ftp://example.com/a,b.png",
        "https://example.com/a b,c.png",
        "http://localhost/x.png",
        "http://127.0.0.1/x.png",
        "http://10.0.0.5/x.png",
    ],
)
def test_a_refused_media_url_is_quoted_whole(bad: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_media_urls(f"{CLOUDINARY}\n{bad}")
    assert caught.value.parameter == "media_urls"
    assert repr(bad) in str(caught.value)


@pytest.mark.parametrize(
    "url", ["http://localhost/x.png", "http://127.0.0.1/x.png", "http://10.0.0.5/x.png"]
)
def test_media_on_a_host_plivo_cannot_reach_is_refused(url: str) -> None:
    error = refusal(to=US, media_urls=url)
    assert error.parameter == "media_urls"
    assert "Plivo's servers cannot reach" in str(error)


def test_more_media_urls_than_an_mms_carries_are_refused() -> None:
    raw = "\n".join(f"https://example.com/{n}.png" for n in range(MAX_MEDIA_URLS + 1))
    with pytest.raises(InputError, match=f"{MAX_MEDIA_URLS + 1} URLs given") as caught:
        parse_media_urls(raw)
    assert caught.value.parameter == "media_urls"
    assert len(parse_media_urls(raw.rsplit("\n", 1)[0])) == MAX_MEDIA_URLS


def test_mms_goes_only_to_us_and_canadian_numbers() -> None:
    message_plan = plan_of(to=f"{US}, {GB}, {CA}", media_urls=CLOUDINARY)
    assert message_plan.message_type == "mms"
    assert message_plan.recipients == (US, CA)
    assert [(i.input, i.reason) for i in message_plan.invalid] == [(GB, REASON_MMS_REGION)]


# -- other options ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"callback_url": "example.com/status"}, "callback_url"),
        ({"callback_method": "PUT"}, "callback_method"),
        ({"log": "sometimes"}, "log"),
        ({"trackable": "maybe"}, "trackable"),
        ({"message_expiry": 4}, "message_expiry"),
        ({"message_expiry": 10_800}, "message_expiry"),
        ({"wait_seconds": 61}, "wait_seconds"),
        ({"max_recipients": 1001}, "max_recipients"),
        ({"max_recipients": 0}, "max_recipients"),
        ({"default_country": "Narnia"}, "default_country"),
        ({"fail_on_invalid": "perhaps"}, "fail_on_invalid"),
    ],
)
def test_bad_options_are_refused_naming_the_parameter(
    params: dict[str, object], parameter: str
) -> None:
    assert refusal(to=US, **params).parameter == parameter


def test_a_callback_url_may_point_to_a_private_host() -> None:
    """Unlike media, the callback may target the builder's own network (a proxy in front)."""
    body = plan_of(to=US, callback_url="http://10.0.0.5/hook").request_body()
    assert body["url"] == "http://10.0.0.5/hook"


def test_wait_seconds_is_kept_for_after_the_send() -> None:
    assert plan_of(to=US, wait_seconds="15").wait_seconds == 15
    assert plan_of(to=US).wait_seconds == 0


def test_send_options_send_only_what_differs_from_plivos_default() -> None:
    assert SendOptions().request_fields() == {}


# -- one request, and Plivo's answer merged in ------------------------------------------------


@pytest.fixture
def plivo(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    """The local server as Plivo for tools that build their client from credentials."""
    monkeypatch.setenv("PLIVO_API_BASE_URL", server.url_for("").rstrip("/"))
    return server


def test_send_merges_plivos_invalid_numbers_into_the_report(
    server: HTTPServer, make_client: MakeClient
) -> None:
    message_plan = plan_of(to=f"{US}, {US_2}, 123")
    server.expect_oneshot_request(
        MESSAGE_PATH, method="POST", json=message_plan.request_body()
    ).respond_with_json(
        {"api_id": "api-2", "message_uuid": [UUID_1], "invalid_number": ["12025550143"]},
        status=202,
    )
    report = send(make_client(), message_plan)
    assert report.accepted == (US,)
    assert report.message_uuids == (UUID_1,)
    assert [(i.input, i.reason) for i in report.invalid] == [
        ("123", "too short"),
        (US_2, REASON_PLIVO_INVALID),
    ]


def test_a_202_refusing_every_destination_is_an_invalid_request(
    server: HTTPServer, make_client: MakeClient
) -> None:
    server.expect_oneshot_request(MESSAGE_PATH, method="POST").respond_with_json(
        {"api_id": "api-3", "message_uuid": [], "invalid_number": ["14155552671"]}, status=202
    )
    with pytest.raises(InvalidRequestError, match="refused every destination as invalid: \\+1415"):
        send(make_client(), plan_of(to=US))
    assert len(server.log) == 1


def test_a_202_without_message_uuids_is_outcome_unknown(
    server: HTTPServer, make_client: MakeClient
) -> None:
    server.expect_oneshot_request(MESSAGE_PATH, method="POST").respond_with_json(
        {"api_id": "api-4", "message_uuid": []}, status=202
    )
    with pytest.raises(OutcomeUnknownError, match="check list_messages before sending again"):
        send(make_client(), plan_of(to=US))


def test_run_sends_one_request_and_shows_plivos_answer(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(
        MESSAGE_PATH,
        method="POST",
        json={"src": "14155550100", "dst": "14155552671<442079460030", "text": "Hi"},
    ).respond_with_json(
        {"api_id": "api-5", "message": "message(s) queued", "message_uuid": [UUID_1, UUID_2]},
        status=202,
    )
    output = run(Invocation({"to": f"{US} and {GB}, 123", "message": "Hi"}, CREDENTIALS))
    assert output.json == {
        "state": "queued",
        "api_id": "api-5",
        "message_uuid": UUID_1,
        "message_uuids": [UUID_1, UUID_2],
        "recipients": [US, GB],
        "invalid_recipients": [{"input": "123", "reason": "too short"}],
        "invalid_count": 1,
        "from": SENDER,
        "type": "sms",
        "encoding": "GSM-7",
        "segments": 1,
        "characters": 2,
        "units_estimate": 2,
        "delivery": None,
        "all_delivered": None,
    }
    assert output.variables == {
        "message_uuid": UUID_1,
        "message_uuids": [UUID_1, UUID_2],
        "recipients": [US, GB],
        "invalid_recipients": [{"input": "123", "reason": "too short"}],
        "invalid_count": 1,
        "segments": 1,
        "encoding": "GSM-7",
        "all_delivered": None,
    }
    assert output.text == f"Queued 2 SMS to {US}, {GB}; 1 segment each; 1 invalid: 123 (too short)."


@pytest.mark.parametrize("text", [EURO * 801, GRINNING * 368 + "\u0436"])
def test_run_sends_long_texts_preview_calls_within_the_limit(plivo: HTTPServer, text: str) -> None:
    plivo.expect_oneshot_request(
        MESSAGE_PATH, method="POST", json={"src": "14155550100", "dst": "14155552671", "text": text}
    ).respond_with_json({"api_id": "a", "message_uuid": [UUID_1]}, status=202)
    output = run(Invocation({"to": US, "message": text}, CREDENTIALS))
    assert output.json["characters"] == len(text)
    assert len(plivo.log) == 1


def test_run_refuses_before_any_request(plivo: HTTPServer) -> None:
    with pytest.raises(InputError):
        run(Invocation({"to": US, "message": "a" * 1601}, CREDENTIALS))
    with pytest.raises(InputError):
        run(Invocation({"to": f"{US}, 123", "message": "Hi", "fail_on_invalid": True}, CREDENTIALS))
    assert plivo.log == []


def test_run_with_a_wait_reports_the_delivery(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(MESSAGE_PATH, method="POST").respond_with_json(
        {"api_id": "a", "message_uuid": [UUID_1]}, status=202
    )
    plivo.expect_request(f"{MESSAGE_PATH}{UUID_1}/", method="GET").respond_with_json(
        {"message_uuid": UUID_1, "message_state": "delivered", "to_number": "14155552671"}
    )
    output = run(Invocation({"to": US, "message": "Hi", "wait_seconds": 2}, CREDENTIALS))
    assert output.json["all_delivered"] is True
    assert output.variables["all_delivered"] is True
    delivery = output.json["delivery"]
    assert isinstance(delivery, list)
    [entry] = delivery
    assert entry["state"] == "delivered"
    assert entry["to"] == US
    assert "Delivery after" in output.text and "1 delivered" in output.text


# -- presentation of a send -------------------------------------------------------------------


def report_for(
    message_plan: MessagePlan, delivery: DeliveryReport | None = None, uuids: int = 1
) -> SendReport:
    return SendReport(
        plan=message_plan,
        api_id="api-9",
        message_uuids=(UUID_1, UUID_2)[:uuids],
        accepted=message_plan.recipients,
        invalid=message_plan.invalid,
        delivery=delivery,
    )


def test_summary_names_recipients_segments_and_what_forced_ucs2() -> None:
    message_plan = plan_of(to=f"{US}, {GB}, 123", message="It\u2019s " + "a" * 200)
    text = present(report_for(message_plan, uuids=2)).text
    assert text == (
        f"Queued 2 SMS to {US}, {GB}; 4 segments each (UCS-2: \u2019 at position 3); "
        "1 invalid: 123 (too short)."
    )


def test_an_mms_counts_one_unit_per_recipient() -> None:
    output = present(report_for(plan_of(to=f"{US}, {CA}", media_urls=CLOUDINARY), uuids=2))
    assert output.json["type"] == "mms"
    assert output.json["segments"] == 1
    assert output.json["units_estimate"] == 2
    assert output.text == f"Queued 2 MMS to {US}, {CA}."


def test_the_sender_is_shown_by_kind() -> None:
    output = present(report_for(plan_of(to=US, from_number="54321")))
    assert output.json["from"] == "short code 54321"


def record(state: str, error_code: str | None = None, to: str = "14155552671") -> MessageRecord:
    return MessageRecord.from_json(
        {"message_uuid": UUID_1, "message_state": state, "error_code": error_code, "to_number": to}
    )


def test_a_delivery_entry_explains_the_state_and_the_error_code() -> None:
    entry = delivery_entry(Observation(UUID_1, record("undelivered", "30"), polls=2))
    assert list(entry) == [
        "message_uuid",
        "to",
        "state",
        "state_description",
        "final",
        "error_code",
        "error",
        "advice",
        "retryable",
    ]
    assert (entry["message_uuid"], entry["to"], entry["state"], entry["final"]) == (
        UUID_1,
        US,
        "undelivered",
        True,
    )
    assert entry["state_description"] == "the carrier could not deliver it"
    assert (entry["error_code"], entry["retryable"]) == ("30", False)
    assert "spam" in str(entry["error"])
    assert "10DLC" in str(entry["advice"])


def test_a_delivery_entry_for_a_failed_poll_says_the_status_is_unknown() -> None:
    entry = delivery_entry(Observation(UUID_1, poll_error="Plivo had a server error.", polls=1))
    assert entry["state"] == "unknown"
    assert entry["error"] == "Could not read the delivery status: Plivo had a server error."
    assert (entry["error_code"], entry["advice"], entry["retryable"]) == (
        None,
        UNKNOWN_ADVICE,
        None,
    )


def test_a_delivery_entry_for_an_unchecked_message_says_so() -> None:
    entry = delivery_entry(Observation(UUID_1))
    assert (entry["state"], entry["error"], entry["advice"]) == (
        "unknown",
        NOT_CHECKED,
        UNKNOWN_ADVICE,
    )


def test_a_sent_message_without_a_receipt_is_no_error() -> None:
    entry = delivery_entry(Observation(UUID_1, record("sent"), polls=1))
    assert entry["state"] == "sent"
    assert entry["final"] is False
    assert entry["error"] is None
    assert "no delivery receipt yet" in str(entry["state_description"])


def test_a_queued_message_with_one_recipient_shows_its_number() -> None:
    entry = delivery_entry(Observation(UUID_1, polls=1, to_fallback=GB))
    assert (entry["state"], entry["to"], entry["error"]) == ("queued", GB, None)


def test_delivery_summary_counts_states_and_explains_problems() -> None:
    report = DeliveryReport(
        observations=(
            Observation(UUID_1, record("delivered"), polls=1),
            Observation(UUID_2, record("undelivered", "30", to="442079460030"), polls=2),
        ),
        waited_seconds=3.5,
        polls=3,
        budget=10,
    )
    text = delivery_summary(report)
    assert text.startswith(
        "Delivery after 3.5 s: 1 delivered, 1 undelivered. +442079460030: error 30."
    )
    assert "10DLC" in text


def test_delivery_summary_explains_sent_and_queued() -> None:
    report = DeliveryReport(
        observations=(
            Observation(UUID_1, record("sent"), polls=1),
            Observation(UUID_2, polls=1),
        ),
        waited_seconds=10.0,
        polls=2,
        budget=10,
    )
    text = delivery_summary(report)
    assert text.startswith("Delivery after 10.0 s: 1 sent, 1 queued.")
    assert '"sent" means handed to the carrier, no delivery receipt yet' in text
    assert "Queued messages had not left Plivo's queue when the wait ended." in text


def test_delivery_summary_names_at_most_five_problems() -> None:
    observations = tuple(
        Observation(f"5f0e4a8c-0000-4000-8000-{n:012d}", poll_error="boom", polls=1)
        for n in range(7)
    )
    text = delivery_summary(DeliveryReport(observations, 1.0, 7, 1))
    assert text.count("Could not read the delivery status") == 5
    assert "2 more with errors." in text


def test_all_delivered_is_shown_only_after_a_wait() -> None:
    message_plan = plan_of(to=US)
    assert present(report_for(message_plan)).json["all_delivered"] is None
    delivered = DeliveryReport((Observation(UUID_1, record("delivered"), polls=1),), 0.5, 1, 5)
    output = present(report_for(message_plan, delivered))
    assert output.json["all_delivered"] is True
    assert output.variables["all_delivered"] is True
    sent = DeliveryReport((Observation(UUID_1, record("sent"), polls=1),), 5.0, 5, 5)
    assert present(report_for(message_plan, sent)).json["all_delivered"] is False


@pytest.mark.parametrize(
    ("raw", "urls"),
    [
        (
            "https://img.example.com/resize?src=https://cdn.example.com/cat.jpg",
            ["https://img.example.com/resize?src=https://cdn.example.com/cat.jpg"],
        ),
        ("<https://e.com/a.png>", ["https://e.com/a.png"]),
        ("[image](https://e.com/a.png)", ["https://e.com/a.png"]),
        ("HTTPS://E.COM/A.PNG", ["https://E.COM/A.PNG"]),
    ],
)
def test_media_urls_inside_queries_brackets_and_links_stay_whole(raw: str, urls: list[str]) -> None:
    assert list(parse_media_urls(raw)) == urls


def test_an_unresolved_variable_in_media_urls_is_named_as_such() -> None:
    with pytest.raises(InputError, match="unresolved workflow variable"):
        parse_media_urls("{{#1711.url#}}")


def test_no_destination_left_by_a_rule_gets_no_format_advice() -> None:
    with pytest.raises(InputError) as caught:
        plan_of(to="+442079460030", allowed_countries="US")
    assert "allowed_countries" in caught.value.message
    assert "international format" not in caught.value.message
