"""An app's answer as SMS replies Plivo accepts: split on segment boundaries, sent once."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from devtools.sandbox.messages import text_length_error
from plivo_api.errors import InvalidRequestError, OutcomeUnknownError
from plivo_api.inbound.replies import (
    MAX_REPLY_MESSAGES,
    WHATSAPP_MAX_TEXT_CHARS,
    clean_answer,
    plan_reply,
    send_reply,
)
from plivo_api.messaging.digits import to_plivo
from plivo_api.messaging.segments import analyze, split_parts
from plivo_api.resources.messages import Messenger
from plivo_api.transport.client import PlivoClient
from tests.conftest import AUTH_ID

MakeClient = Callable[..., PlivoClient]
MESSAGE_PATH = f"/v1/Account/{AUTH_ID}/Message/"
ACCEPTED = {"api_id": "a-1", "message": "message(s) queued", "message_uuid": ["u-1"]}


def assert_accepted_by_plivo(messages: tuple[str, ...]) -> None:
    for message in messages:
        analysis = analyze(message)
        assert not analysis.over_limit
        assert analysis.units <= analysis.limit
        assert text_length_error(message) is None  # the sandbox's reading of Plivo's limit


def test_an_empty_answer_sends_nothing() -> None:
    for answer in ("", "   \n ", "\x00\x01"):
        assert plan_reply(answer).empty


def test_a_short_answer_is_one_message_without_surrounding_whitespace() -> None:
    plan = plan_reply("  Your table is booked for 7 pm.\n")
    assert plan.messages == ("Your table is booked for 7 pm.",)
    assert plan.dropped_characters == 0


def test_a_long_gsm_answer_is_split_on_segment_boundaries() -> None:
    answer = "".join(chr(ord("a") + n % 26) for n in range(2000))
    plan = plan_reply(answer)
    assert "".join(plan.messages) == answer
    assert len(plan.messages) == 2
    boundaries = {len("".join(split_parts(answer)[:k])) for k in range(30)}
    assert len(plan.messages[0]) in boundaries
    assert len(plan.messages[0]) == 10 * 153  # 11 segments would pass 1,600 characters
    assert_accepted_by_plivo(plan.messages)


def test_escape_characters_and_emoji_are_never_split_and_stay_within_the_limit() -> None:
    for answer in ("{" * 900 + "x" * 900, "Olá 😀" * 200, "日本語のテキスト" * 120):
        plan = plan_reply(answer)
        assert "".join(plan.messages) == answer
        assert len(plan.messages) > 1
        assert_accepted_by_plivo(plan.messages)
        for message in plan.messages:
            message.encode("utf-8")  # a split surrogate pair would not encode


def test_an_endless_answer_is_cut_after_a_few_messages() -> None:
    answer = "word " * 5000
    plan = plan_reply(answer)
    assert len(plan.messages) == MAX_REPLY_MESSAGES
    assert plan.dropped_characters == len(answer.strip()) - sum(map(len, plan.messages))
    assert plan.dropped_characters > 0
    assert_accepted_by_plivo(plan.messages)


def test_control_characters_are_removed_but_line_breaks_kept() -> None:
    assert clean_answer("a\x00b\x1bc\nd\te\r\n") == "abc\nd\te"


@pytest.mark.parametrize(
    ("raw", "sent"), [("+14155552671", "14155552671"), ("ACME", "ACME"), ("12345", "12345")]
)
def test_addresses_are_sent_as_plivo_documents_them(raw: str, sent: str) -> None:
    assert to_plivo(raw) == sent


def test_every_message_is_sent_from_the_number_that_received_the_text(
    server: HTTPServer, make_client: MakeClient
) -> None:
    plan = plan_reply("x" * 2000)
    for text in plan.messages:
        server.expect_ordered_request(
            MESSAGE_PATH,
            method="POST",
            json={"src": "14155550199", "dst": "14155552671", "text": text},
        ).respond_with_json(ACCEPTED, status=202)
    result = send_reply(Messenger(make_client()), src="+14155550199", dst="+14155552671", plan=plan)
    assert result.sent == 2
    assert result.error is None


def test_a_refused_part_stops_the_rest(server: HTTPServer, make_client: MakeClient) -> None:
    plan = plan_reply("x" * 4000)
    server.expect_ordered_request(MESSAGE_PATH, method="POST").respond_with_json(
        ACCEPTED, status=202
    )
    server.expect_ordered_request(MESSAGE_PATH, method="POST").respond_with_json(
        {"api_id": "a-2", "error": "insufficient credit"}, status=400
    )
    result = send_reply(Messenger(make_client()), src="+14155550199", dst="+14155552671", plan=plan)
    assert result.sent == 1
    assert isinstance(result.error, InvalidRequestError)
    assert not result.outcome_unknown
    assert len(server.log) == 2  # the third message was never attempted


def test_a_reply_that_may_have_reached_plivo_is_never_repeated(
    server: HTTPServer, make_client: MakeClient
) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.8)
        return Response("{}", status=202)

    server.expect_request(MESSAGE_PATH, method="POST").respond_with_handler(slow)
    result = send_reply(
        Messenger(make_client()), src="+14155550199", dst="+14155552671", plan=plan_reply("hello")
    )
    assert isinstance(result.error, OutcomeUnknownError)
    assert result.outcome_unknown
    time.sleep(0.9)  # the server logs a request once its (slow) answer is written
    assert len(server.log) == 1


# -- WhatsApp: no segments, up to 4096 characters of free text per message -----------------------


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_a_whatsapp_answer_is_one_plain_text_message_up_to_whatsapps_limit() -> None:
    answer = "<think>the user wants a table</think>**Booked** for 7 pm. " + "x" * 3900
    plan = plan_reply(answer, message_type="whatsapp")
    assert plan.message_type == "whatsapp"
    assert plan.messages == ("Booked for 7 pm. " + "x" * 3900,)  # an SMS plan would need 3
    assert len(plan_reply(answer).messages) == MAX_REPLY_MESSAGES
    assert plan.dropped_characters == 0
    assert plan_reply("  \n", message_type="whatsapp").empty


def test_a_long_whatsapp_answer_is_cut_at_a_line_break_near_the_limit() -> None:
    paragraph = "word " * 190 + "end.\n"  # 955 characters
    answer = paragraph * 6
    plan = plan_reply(answer, message_type="whatsapp")
    assert [len(m) for m in plan.messages] == [len(paragraph) * 4 - 1, len(paragraph) * 2 - 1]
    assert all(message.endswith("end.") for message in plan.messages)
    assert plan.dropped_characters == 0


def test_a_whatsapp_answer_counts_emoji_as_two_units_and_never_splits_one() -> None:
    answer = "😀" * 5000
    plan = plan_reply(answer, message_type="whatsapp")
    assert "".join(plan.messages) == answer
    assert [utf16_units(m) for m in plan.messages] == [WHATSAPP_MAX_TEXT_CHARS] * 2 + [1808]
    for message in plan.messages:
        message.encode("utf-8")


def test_an_endless_whatsapp_answer_is_cut_after_a_few_messages() -> None:
    plan = plan_reply("word " * 5000, message_type="whatsapp")
    assert len(plan.messages) == MAX_REPLY_MESSAGES
    assert all(utf16_units(m) <= WHATSAPP_MAX_TEXT_CHARS for m in plan.messages)
    assert plan.dropped_characters > 0


def test_a_whatsapp_reply_goes_as_whatsapp_from_the_number_that_received_it(
    server: HTTPServer, make_client: MakeClient
) -> None:
    server.expect_request(
        MESSAGE_PATH,
        method="POST",
        json={"src": "14155550199", "dst": "14155552671", "text": "Booked.", "type": "whatsapp"},
    ).respond_with_json(ACCEPTED, status=202)
    plan = plan_reply("Booked.", message_type="whatsapp")
    result = send_reply(Messenger(make_client()), src="+14155550199", dst="+14155552671", plan=plan)
    assert (result.sent, result.error) == (1, None)
