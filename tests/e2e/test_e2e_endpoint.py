"""The two-way SMS endpoint through the stand-in daemon, replying through the Plivo sandbox.

Requests are signed the way Plivo signs them (the sandbox's signer, not the plugin's verifier)
and reach the plugin as the daemon hands them over: raw HTTP with ``Dify-Hook-Url`` and
``Dify-Hook-Id``; the app is a stand-in Dify app; storage follows the daemon's rules.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

import pytest

from devtools.daemon import DEFAULT_BASE_URL, DEFAULT_HOOK_ID, AppRunFailed, StandInApp
from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN
from devtools.sandbox.signing import (
    MA_V2_HEADER,
    MA_V3_HEADER,
    V2_HEADER,
    V2_NONCE_HEADER,
    V3_HEADER,
    V3_NONCE_HEADER,
    signature_headers,
)
from plivo_api.inbound.optouts import OPTED_OUT_REASON
from plivo_api.inbound.senders import REPLIES_PER_SENDER_PER_MINUTE
from plivo_api.messaging.error_codes import describe_error_code

pytestmark = pytest.mark.e2e

OURS = "+14155550199"
ALICE, BOB = "+14155552671", "+14155552672"
MESSAGE_PATH = f"/v1/Account/{DEMO_AUTH_ID}/Message/"
INBOUND, STATUS = "/sms/inbound", "/sms/status"
HELP_TEXT = "Acme Clinic reminders. Reply STOP to opt out."


def endpoint_url(path: str, base: str = DEFAULT_BASE_URL) -> str:
    return f"{base}/e/{DEFAULT_HOOK_ID}{path}"


def settings(**extra: Any) -> dict[str, Any]:
    return {
        "auth_id": DEMO_AUTH_ID,
        "auth_token": DEMO_AUTH_TOKEN,
        "app": {"app_id": "bot"},
        "reply": True,
        **extra,
    }


def inbound_params(
    text: str = "hello", *, sender: str = ALICE, to: str = OURS, **extra: str
) -> dict[str, str]:
    return {
        "From": sender.lstrip("+"),
        "To": to.lstrip("+"),
        "Type": "sms",
        "Text": text,
        "MessageUUID": str(uuid.uuid4()),
        "Units": "1",
        "TotalRate": "0.00000",
        "TotalAmount": "0.00000",
        "MessageIntent": "",
        "PowerpackUUID": "",
        **extra,
    }


def call(
    plugin: Any,
    params: Mapping[str, str],
    *,
    path: str = INBOUND,
    method: str = "POST",
    endpoint_settings: Mapping[str, Any] | None = None,
    signed_url: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
    headers: Mapping[str, str] | None = None,
    token: str = DEMO_AUTH_TOKEN,
) -> Any:
    """One webhook as Plivo sends it: signed over the URL it called, form or query."""
    url = signed_url or endpoint_url(path, base_url)
    if method == "POST":
        signed = signature_headers("POST", url, params, token)
    else:
        signed = signature_headers("GET", f"{url}?{urlencode(params)}", {}, token)
    chosen = dict(signed if headers is None else headers)
    return plugin.invoke_endpoint(
        method,
        path,
        form=params if method == "POST" else None,
        query=params if method == "GET" else None,
        headers=chosen,
        settings=endpoint_settings if endpoint_settings is not None else settings(),
        base_url=base_url,
    )


def replies(sandbox: Any) -> list[dict[str, Any]]:
    return [r.json for r in sandbox.requests if r.method == "POST" and r.path == MESSAGE_PATH]


def queued(sandbox: Any) -> list[Any]:
    """Messages the sandbox accepted and queued, as Plivo would."""
    return [m for m in sandbox.messages.values() if m.direction == "outbound"]


def plugin_logs(plugin: Any, since: int) -> list[str]:
    return [str(entry.get("message")) for entry in plugin.logs[since:]]


def forget_everything(plugin: Any) -> None:
    plugin.storage.clear()
    plugin.apps.clear()
    plugin.app_calls.clear()


@pytest.fixture(autouse=True)
def fresh(plugin: Any) -> Iterator[None]:
    """A clean plugin state before, and after: the session's plugin serves other modules too,
    whose sends must not meet this module's opt-outs."""
    forget_everything(plugin)
    before = len(plugin.logs)
    yield
    logs = plugin_logs(plugin, before)
    forget_everything(plugin)
    for line in logs:
        for secret in (DEMO_AUTH_TOKEN, DEMO_AUTH_ID, "4155552671", "4155552672", "hello"):
            assert secret not in line, line


@pytest.fixture
def bot(plugin: Any) -> StandInApp:
    app = StandInApp(kind="chat", answer=lambda c: f"You said: {c.query}")
    plugin.apps["bot"] = app
    return app


def assert_accepted(result: Any) -> None:
    assert result.status == 200, result.text
    assert result.body == b"<Response></Response>"
    assert result.header("Content-Type") == "application/xml"


# -- the exchange ------------------------------------------------------------------------------


def test_a_text_runs_the_app_and_its_answer_goes_back_from_the_number_texted(plugin, sandbox, bot):
    since = len(plugin.logs)
    params = inbound_params("hello")
    assert_accepted(call(plugin, params))
    [app_call] = plugin.app_calls
    assert app_call.app_id == "bot"
    assert app_call.query == "hello"
    assert app_call.response_mode == "blocking"
    assert app_call.inputs == {
        "from": ALICE,
        "to": OURS,
        "text": "hello",
        "message_uuid": params["MessageUUID"],
        "media_urls": None,
        "type": "sms",
        "content_type": None,
        "button_payload": None,
    }
    assert replies(sandbox) == [
        {"src": "14155550199", "dst": "14155552671", "text": "You said: hello"}
    ]
    assert f"inbound message {params['MessageUUID']}: replied" in plugin_logs(plugin, since)


def test_get_requests_are_handled_like_posts(plugin, sandbox, bot):
    assert_accepted(call(plugin, inbound_params("hello"), method="GET"))
    assert [r["text"] for r in replies(sandbox)] == ["You said: hello"]


def test_with_replies_off_the_app_runs_and_nothing_is_sent(plugin, sandbox, bot):
    assert_accepted(call(plugin, inbound_params(), endpoint_settings=settings(reply=False)))
    assert len(plugin.app_calls) == 1
    assert replies(sandbox) == []


def test_an_empty_answer_sends_nothing(plugin, sandbox):
    plugin.apps["bot"] = StandInApp(kind="chat", answer="   ")
    assert_accepted(call(plugin, inbound_params()))
    assert replies(sandbox) == []


# -- signatures --------------------------------------------------------------------------------


def only(headers: Mapping[str, str], *names: str) -> dict[str, str]:
    return {name: headers[name] for name in names}


@pytest.mark.parametrize(
    "kept",
    [
        (V3_HEADER, V3_NONCE_HEADER),
        (MA_V3_HEADER, V3_NONCE_HEADER),
        (V2_HEADER, V2_NONCE_HEADER),
        (MA_V2_HEADER, V2_NONCE_HEADER),
    ],
    ids=["v3", "ma-v3", "v2", "ma-v2"],
)
def test_each_signature_plivo_sends_is_accepted_on_its_own(plugin, sandbox, bot, kept):
    params = inbound_params()
    headers = only(signature_headers("POST", endpoint_url(INBOUND), params, DEMO_AUTH_TOKEN), *kept)
    assert_accepted(call(plugin, params, headers=headers))
    assert len(replies(sandbox)) == 1


def test_a_captured_v2_signature_cannot_carry_another_message(plugin, sandbox, bot):
    """V2 signs the URL and a nonce only: the nonce vouches for the first message it came with."""
    params = inbound_params()
    v2 = only(
        signature_headers("POST", endpoint_url(INBOUND), params, DEMO_AUTH_TOKEN),
        V2_HEADER,
        V2_NONCE_HEADER,
    )
    assert_accepted(call(plugin, params, headers=v2))
    assert_accepted(call(plugin, params, headers=v2))  # Plivo retrying the same message
    forged = inbound_params("forged", sender="+447700900001")
    refused = call(plugin, forged, headers=v2)
    assert (refused.status, refused.text) == (403, "Forbidden")
    assert len(replies(sandbox)) == 1


def test_a_hook_url_the_caller_chose_is_not_trusted(plugin, sandbox, bot):
    elsewhere = "https://logger.example.net/plivo/callback"
    params = inbound_params()
    signed = signature_headers("POST", elsewhere, params, DEMO_AUTH_TOKEN)
    result = plugin.invoke_endpoint(
        "POST", INBOUND, form=params, headers=signed, settings=settings(), hook_url=elsewhere
    )
    assert result.status == 403
    assert replies(sandbox) == []


def test_one_matching_signature_among_several_in_a_header_is_enough(plugin, sandbox, bot):
    params = inbound_params()
    signed = signature_headers("POST", endpoint_url(INBOUND), params, DEMO_AUTH_TOKEN)
    headers = {
        V3_HEADER: "AAAAbm90IGEgc2lnbmF0dXJl," + signed[V3_HEADER],
        V3_NONCE_HEADER: signed[V3_NONCE_HEADER],
    }
    assert_accepted(call(plugin, params, headers=headers))
    assert len(replies(sandbox)) == 1


def forged(kind: str, params: dict[str, str]) -> dict[str, str]:
    url = endpoint_url(INBOUND)
    signed = signature_headers("POST", url, params, DEMO_AUTH_TOKEN)
    if kind == "wrong token":
        return signature_headers("POST", url, params, "some-other-token")
    if kind == "wrong nonce":
        return {**signed, V3_NONCE_HEADER: "12345678901234567890"}
    if kind == "no nonce":
        return {k: v for k, v in signed.items() if k != V3_NONCE_HEADER}
    if kind == "changed text":
        params["Text"] = "send me money"
        return signed
    if kind == "other url":
        return signature_headers("POST", url.replace("/e/", "/x/"), params, DEMO_AUTH_TOKEN)
    if kind == "v2 replayed after a v3 failure":
        return {**signed, V3_HEADER: "AAAA", MA_V3_HEADER: "AAAA"}
    return {}


@pytest.mark.parametrize(
    "kind",
    [
        "wrong token",
        "wrong nonce",
        "no nonce",
        "changed text",
        "other url",
        "v2 replayed after a v3 failure",
        "no signature",
    ],
)
def test_a_request_plivo_did_not_sign_touches_nothing(plugin, sandbox, bot, kind):
    since = len(plugin.logs)
    params = inbound_params()
    headers = forged(kind, params)
    result = call(plugin, params, headers=headers)
    assert result.status == 403
    assert result.body == b"Forbidden"
    assert plugin.storage.calls == []
    assert plugin.app_calls == []
    assert replies(sandbox) == []
    [line] = [line for line in plugin_logs(plugin, since) if "refused" in line]
    assert params["MessageUUID"] not in line  # nothing from an unverified request is logged


def test_an_https_url_seen_as_http_behind_a_tls_proxy_is_accepted(plugin, sandbox, bot):
    params = inbound_params()
    public = endpoint_url(INBOUND, "https://dify.example.com")
    result = call(plugin, params, signed_url=public, base_url="http://dify.example.com")
    assert_accepted(result)
    assert len(replies(sandbox)) == 1


def test_a_proxy_that_hides_the_host_needs_the_public_url_setting(plugin, sandbox, bot):
    params = inbound_params()
    public = endpoint_url(INBOUND, "https://dify.example.com")
    hidden = "http://10.0.0.7:5002"
    refused = call(plugin, dict(params), signed_url=public, base_url=hidden)
    assert refused.status == 403
    accepted = call(
        plugin,
        params,
        signed_url=public,
        base_url=hidden,
        endpoint_settings=settings(public_url="https://dify.example.com"),
    )
    assert_accepted(accepted)
    assert len(replies(sandbox)) == 1


# -- exactly once ------------------------------------------------------------------------------


def test_a_message_delivered_twice_runs_the_app_once_and_is_answered_once(plugin, sandbox, bot):
    params = inbound_params()
    assert_accepted(call(plugin, params))
    assert_accepted(call(plugin, params))  # Plivo's retry: new nonce, same MessageUUID
    assert len(plugin.app_calls) == 1
    assert len(replies(sandbox)) == 1


def test_a_message_still_being_handled_is_sent_back_to_plivo_for_a_later_retry(
    plugin, sandbox, bot
):
    from plivo_api.inbound.leases import LeaseBook
    from plivo_api.webhooks.kvstore import StorageScope

    params = inbound_params()
    # another plugin process took the lease a moment ago and is still working
    LeaseBook(plugin.storage, StorageScope.for_account(DEMO_AUTH_ID)).acquire(
        f"inbound:{params['MessageUUID']}"
    )
    result = call(plugin, params)
    assert result.status == 503
    assert result.header("Retry-After") == "60"
    assert plugin.app_calls == []
    assert replies(sandbox) == []


# -- storage cost and load ----------------------------------------------------------------------

MAX_ROUND_TRIPS_PER_MESSAGE = 6


def storage_calls_of(plugin: Any, params: Mapping[str, str]) -> list[str]:
    before = len(plugin.storage.calls)
    assert_accepted(call(plugin, params))
    return [call.opt for call in plugin.storage.calls[before:]]


def test_an_ordinary_message_costs_at_most_six_storage_round_trips(plugin, sandbox, bot):
    """New sender, the app answers, one reply; then the same sender again."""
    storage_calls_of(plugin, inbound_params("warm up", sender=BOB))  # the number is marked ours
    first = storage_calls_of(plugin, inbound_params("hi"))
    again = storage_calls_of(plugin, inbound_params("and again"))
    assert len(first) <= MAX_ROUND_TRIPS_PER_MESSAGE, first
    assert len(again) <= MAX_ROUND_TRIPS_PER_MESSAGE, again
    assert len(replies(sandbox)) == 3 and len(plugin.app_calls) == 3
    started = plugin.app_calls[1].response or {}
    assert plugin.app_calls[2].conversation_id == started["conversation_id"]


def deliver_all(plugin: Any, messages: list[dict[str, str]], at_once: int) -> list[int]:
    with ThreadPoolExecutor(max_workers=at_once) as pool:
        return [result.status for result in pool.map(lambda p: call(plugin, p), messages)]


@pytest.mark.parametrize("senders", [200, 40], ids=["200 senders", "40 senders"])
def test_messages_arriving_together_never_hold_each_other_up(plugin, sandbox, bot, senders):
    """Different messages, 16 at a time: every one is answered at once (no 503 that would make
    a customer wait for Plivo's retry a minute later), each exactly once."""
    count = 200 if senders == 200 else 160
    messages = [
        inbound_params(f"message {n}", sender=f"+1415700{n % senders:04d}") for n in range(count)
    ]
    statuses = deliver_all(plugin, messages, 16)
    assert statuses.count(503) == 0 and set(statuses) == {200}
    assert len(plugin.app_calls) == count
    assert len(replies(sandbox)) == count


def test_one_message_delivered_twelve_times_at_once_runs_the_app_once(plugin, sandbox, bot):
    params = inbound_params()
    statuses = deliver_all(plugin, [params] * 12, 12)
    assert statuses.count(200) >= 1 and set(statuses) <= {200, 503}
    assert len(plugin.app_calls) == 1
    assert len(replies(sandbox)) == 1


# -- apps ---------------------------------------------------------------------------------------


def test_each_sender_keeps_one_conversation(plugin, sandbox, bot):
    call(plugin, inbound_params("first"))
    call(plugin, inbound_params("second"))
    call(plugin, inbound_params("other person", sender=BOB))
    first, second, bob = plugin.app_calls
    assert first.conversation_id is None
    assert second.conversation_id == first.response["conversation_id"]
    assert bob.conversation_id is None
    assert bob.response["conversation_id"] != first.response["conversation_id"]


def test_a_conversation_dify_no_longer_has_is_dropped_and_the_text_answered(plugin, sandbox, bot):
    call(plugin, inbound_params("first"))
    bot.forget_conversations()  # e.g. deleted in Dify's logs
    assert_accepted(call(plugin, inbound_params("second")))
    assert_accepted(call(plugin, inbound_params("third")))
    first, stale, fresh_call, third = plugin.app_calls
    assert stale.conversation_id == first.response["conversation_id"]
    assert stale.error is not None
    assert fresh_call.conversation_id is None
    assert third.conversation_id == fresh_call.response["conversation_id"]
    assert [r["text"] for r in replies(sandbox)] == [
        "You said: first",
        "You said: second",
        "You said: third",
    ]


def test_a_workflow_app_gets_the_message_fields_and_answers_with_its_output(plugin, sandbox):
    plugin.apps["bot"] = StandInApp(kind="workflow", answer={"answer": "Booked for 7 pm"})
    params = inbound_params("table for two at 7")
    assert_accepted(call(plugin, params))
    [app_call] = plugin.app_calls
    assert app_call.kind == "workflow"
    assert app_call.inputs == {
        "from": ALICE,
        "to": OURS,
        "text": "table for two at 7",
        "message_uuid": params["MessageUUID"],
        "media_urls": None,
        "type": "sms",
        "content_type": None,
        "button_payload": None,
    }
    assert [r["text"] for r in replies(sandbox)] == ["Booked for 7 pm"]
    call(plugin, inbound_params("again"))
    assert plugin.app_calls[1].conversation_id is None  # workflows have no conversations


def test_an_mms_gives_the_app_its_text_and_media_urls(plugin, sandbox, bot):
    media = ["https://media.plivo.com/a.jpg", "https://media.plivo.com/b.png"]
    params = inbound_params("", Type="mms", Body="look at this", MediaCount="2")
    del params["Text"]
    params.update({"Media1": media[0], "Media2": media[1]})
    assert_accepted(call(plugin, params))
    [app_call] = plugin.app_calls
    assert app_call.query == "look at this"
    assert app_call.inputs["text"] == "look at this"
    assert app_call.inputs["media_urls"] == "\n".join(media)


def test_a_picture_without_text_still_reaches_a_chat_app(plugin, sandbox, bot):
    params = inbound_params("", Type="mms", MediaCount="1", Media1="https://media.plivo.com/a.jpg")
    del params["Text"]
    assert_accepted(call(plugin, params))
    [app_call] = plugin.app_calls
    assert app_call.query == "(no text)"
    assert app_call.error is None


def test_a_long_answer_is_split_into_messages_plivo_accepts(plugin, sandbox):
    answer = " ".join(f"word{n}" for n in range(400))  # about 2,700 GSM-7 characters
    plugin.apps["bot"] = StandInApp(kind="chat", answer=answer)
    assert_accepted(call(plugin, inbound_params()))
    sent = [r["text"] for r in replies(sandbox)]
    assert len(sent) == 2
    assert "".join(sent) == answer
    assert all(len(text) <= 1600 for text in sent)
    assert len(queued(sandbox)) == 2  # Plivo (the sandbox) accepted both


def test_a_long_unicode_answer_stays_within_the_ucs2_limit(plugin, sandbox):
    answer = "予約を承りました 😀 " * 100
    plugin.apps["bot"] = StandInApp(kind="chat", answer=answer)
    assert_accepted(call(plugin, inbound_params()))
    sent = [r["text"] for r in replies(sandbox)]
    assert len(sent) >= 2
    assert "".join(sent) == answer.strip()
    assert all(len(text.encode("utf-16-le")) // 2 <= 737 for text in sent)
    assert len(queued(sandbox)) == len(sent)


def test_an_app_that_fails_gets_plivo_a_200_and_nothing_is_sent_twice(plugin, sandbox):
    plugin.apps["bot"] = StandInApp(kind="chat", fail="model provider quota exceeded")
    params = inbound_params()
    assert_accepted(call(plugin, params))
    assert_accepted(call(plugin, params))
    assert len(plugin.app_calls) == 1
    assert replies(sandbox) == []


def test_a_failed_workflow_run_sends_nothing(plugin, sandbox):
    def fails(app_call: Any) -> Any:
        raise AppRunFailed("node LLM failed")

    plugin.apps["bot"] = StandInApp(kind="workflow", answer=fails)
    assert_accepted(call(plugin, inbound_params()))
    assert replies(sandbox) == []


# -- compliance --------------------------------------------------------------------------------


def test_stop_is_recorded_without_running_the_app_and_send_sms_honours_it(
    plugin, sandbox, bot, demo_credentials
):
    assert_accepted(call(plugin, inbound_params("STOP", MessageIntent="optout")))
    assert plugin.app_calls == []
    assert replies(sandbox) == []
    sent = plugin.invoke_tool(
        "send_sms", {"to": f"{ALICE}, {BOB}", "message": "Spring sale!"}, demo_credentials
    )
    assert sent.ok, sent.error
    assert sent.variables["recipients"] == [BOB]
    assert sent.variables["invalid_recipients"] == [{"input": ALICE, "reason": OPTED_OUT_REASON}]
    assert [r["dst"] for r in replies(sandbox)] == ["14155552672"]
    # later texts from the opted-out sender are not answered either
    assert_accepted(call(plugin, inbound_params("hello?")))
    assert plugin.app_calls == []


def test_start_undoes_stop(plugin, sandbox, bot, demo_credentials):
    call(plugin, inbound_params("unsubscribe"))  # a keyword Plivo did not classify
    call(plugin, inbound_params("Start", MessageIntent="optin"))
    assert plugin.app_calls == []
    sent = plugin.invoke_tool(
        "send_sms", {"to": ALICE, "message": "Welcome back"}, demo_credentials
    )
    assert sent.ok, sent.error
    assert sent.variables["recipients"] == [ALICE]


def test_a_sentence_with_stop_in_it_is_an_ordinary_message(plugin, sandbox, bot):
    call(plugin, inbound_params("Stop by at 5?"))
    assert len(plugin.app_calls) == 1


def test_help_sends_the_help_text_without_running_the_app(plugin, sandbox, bot):
    call(
        plugin,
        inbound_params("HELP", MessageIntent="help"),
        endpoint_settings=settings(help_text=HELP_TEXT),
    )
    assert plugin.app_calls == []
    assert [r["text"] for r in replies(sandbox)] == [HELP_TEXT]
    call(plugin, inbound_params("info"))  # no help text configured: silence
    assert plugin.app_calls == []
    assert len(replies(sandbox)) == 1


def test_send_sms_without_any_opt_outs_reads_storage_at_most_twice(
    plugin, sandbox, demo_credentials
):
    recipients = ", ".join(f"+1415555{n:04d}" for n in range(100, 130))
    sent = plugin.invoke_tool(
        "send_sms",
        {"to": recipients, "message": "hi", "max_recipients": 50},
        demo_credentials,
    )
    assert sent.ok, sent.error
    assert len(plugin.storage.calls) <= 2


# -- no loops, no bill shock -------------------------------------------------------------------


def test_replies_to_one_sender_are_rate_limited(plugin, sandbox, bot):
    for n in range(REPLIES_PER_SENDER_PER_MINUTE + 2):
        assert_accepted(call(plugin, inbound_params(f"message {n}")))
    assert len(plugin.app_calls) == REPLIES_PER_SENDER_PER_MINUTE
    assert len(replies(sandbox)) == REPLIES_PER_SENDER_PER_MINUTE
    call(plugin, inbound_params("from someone else", sender=BOB))
    assert len(replies(sandbox)) == REPLIES_PER_SENDER_PER_MINUTE + 1


def test_the_accounts_own_numbers_are_never_answered(plugin, sandbox, bot):
    # A number no earlier test texted: the plugin process marks each number it sees texted once
    # (per hour), and the tests empty the store between them.
    ours, other = "+14155550177", "+14155550100"
    call(plugin, inbound_params("hi", to=ours))  # it is now known as the account's
    call(plugin, inbound_params("You said: hi", sender=ours, to=other))  # a bot loop begins
    assert len(plugin.app_calls) == 1
    assert len(replies(sandbox)) == 1


def test_short_codes_and_sender_ids_get_no_reply(plugin, sandbox, bot):
    call(plugin, inbound_params("Your code is 1234", sender="ACMEBANK"))
    call(plugin, inbound_params("Promo", sender="55555"))
    assert len(plugin.app_calls) == 2  # the app still sees them
    assert replies(sandbox) == []


# -- delivery reports --------------------------------------------------------------------------


def report_params(status: str = "undelivered", error_code: str = "30") -> dict[str, str]:
    return {
        "MessageUUID": str(uuid.uuid4()),
        "To": "14155552671",
        "From": "14155550199",
        "Type": "sms",
        "Status": status,
        "ErrorCode": error_code,
        "Units": "1",
        "Sequence": "3",
    }


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_delivery_report_runs_the_status_workflow_once(plugin, sandbox, method):
    plugin.apps["reports"] = StandInApp(kind="workflow", answer={"logged": "yes"})
    params = report_params()
    status_settings = settings(status_app={"app_id": "reports"})
    for _ in range(2):
        result = call(plugin, params, path=STATUS, method=method, endpoint_settings=status_settings)
        assert_accepted(result)
    [app_call] = plugin.app_calls
    assert app_call.app_id == "reports"
    info = describe_error_code("30")
    assert info is not None
    assert app_call.inputs == {
        "message_uuid": params["MessageUUID"],
        "state": "undelivered",
        "error_code": "30",
        "error": info.meaning,
        "to": ALICE,
        "from": OURS,
        "type": "sms",
    }
    assert replies(sandbox) == []


def test_each_status_change_is_its_own_run(plugin, sandbox):
    plugin.apps["reports"] = StandInApp(kind="workflow", answer={})
    status_settings = settings(status_app={"app_id": "reports"})
    params = report_params("queued", "")
    call(plugin, params, path=STATUS, endpoint_settings=status_settings)
    call(
        plugin,
        {**params, "Status": "delivered", "ErrorCode": "000"},
        path=STATUS,
        endpoint_settings=status_settings,
    )
    assert [c.inputs["state"] for c in plugin.app_calls] == ["queued", "delivered"]
    assert [c.inputs["error_code"] for c in plugin.app_calls] == [None, None]


def test_without_a_status_app_a_report_is_acknowledged_and_nothing_stored(plugin, sandbox):
    assert_accepted(call(plugin, report_params(), path=STATUS))
    assert plugin.storage.calls == []
    assert plugin.app_calls == []


def test_a_failing_status_workflow_still_gets_plivo_a_200(plugin, sandbox):
    plugin.apps["reports"] = StandInApp(kind="workflow", fail="workflow not published")
    params = report_params()
    status_settings = settings(status_app={"app_id": "reports"})
    assert_accepted(call(plugin, params, path=STATUS, endpoint_settings=status_settings))
    assert_accepted(call(plugin, params, path=STATUS, endpoint_settings=status_settings))
    assert len(plugin.app_calls) == 1


def test_a_forged_delivery_report_is_refused(plugin, sandbox):
    plugin.apps["reports"] = StandInApp(kind="workflow", answer={})
    params = report_params()
    result = call(
        plugin,
        params,
        path=STATUS,
        endpoint_settings=settings(status_app={"app_id": "reports"}),
        token="not-the-token",
    )
    assert result.status == 403
    assert plugin.app_calls == []
