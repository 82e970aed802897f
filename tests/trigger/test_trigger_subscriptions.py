"""Subscriptions against the Plivo sandbox over HTTP: the Application a subscription creates, the
number linked to it and back, and failures half-way that must leave the account as it was."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devtools.sandbox import (
    DEMO_APP_ID,
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_IVR_APP_ID,
    DEMO_NUMBER,
    DEMO_TOLLFREE_NUMBER,
    DEMO_UK_NUMBER,
    Fault,
    PlivoSandbox,
)
from plivo_api.errors import InputError
from plivo_api.resources import applications, numbers
from plivo_api.resources.applications import APPLICATION_OUTCOME_CHECK
from plivo_api.transport.client import PlivoClient, Timeouts
from plivo_api.transport.credentials import Credentials
from plivo_api.transport.retry import RetryPolicy
from plivo_api.transport.sessions import SessionPool
from plivo_api.trigger.dispatch import CALL_GREETING_PROPERTY, DEFAULT_CALL_GREETING
from plivo_api.trigger.subscriptions import (
    CODE_LEFTOVER,
    CODE_NUMBER,
    CODE_PLIVO,
    SubscriptionFailedError,
    SubscriptionRecord,
    SubscriptionRequest,
    application_name,
    create_subscription,
    delete_subscription,
    number_options,
    subscribe,
    unsubscribe,
)

ENDPOINT = "https://dify.example.com/triggers/plugin/7a1e2c1e-51a4-4c69-9a52-2b1a6c0d1e55"
NUMBER_PATH = r"/Number/\d+/$"
APP_PATH = r"/Application/\d+/$"
CREATE_APP_PATH = r"/Application/$"

Snapshot = tuple[dict[str, tuple[str, str, str]], dict[str, str | None]]


@pytest.fixture
def client(sandbox: PlivoSandbox) -> Iterator[PlivoClient]:
    pool = SessionPool()
    yield PlivoClient(
        Credentials(DEMO_AUTH_ID, DEMO_AUTH_TOKEN),
        base_url=sandbox.url,
        timeout=Timeouts(connect=1.0, read=2.0),
        retry=RetryPolicy(),
        pool=pool,
        sleep=lambda _seconds: None,
    )
    pool.clear()


def account(sandbox: PlivoSandbox) -> Snapshot:
    """Applications (name and URLs) and which application each number uses."""
    apps = {
        app.app_id: (app.app_name, app.message_url, app.answer_url)
        for app in sandbox.applications.values()
    }
    return apps, {number: rented.app_id for number, rented in sandbox.numbers.items()}


def created_apps(sandbox: PlivoSandbox, before: Snapshot) -> list[str]:
    return [app_id for app_id in sandbox.applications if app_id not in before[0]]


def steps(sandbox: PlivoSandbox) -> list[tuple[str, str]]:
    """(method, resource) of every request, in order."""
    return [
        (r.method, "Number" if "/Number/" in r.path else "Application") for r in sandbox.requests
    ]


def request_of(number: str, *, receive_calls: bool = True) -> SubscriptionRequest:
    return SubscriptionRequest("+" + number, ENDPOINT, receive_calls)


# -- subscribing -----------------------------------------------------------------------------


def test_subscribing_creates_an_application_for_the_endpoint_and_links_the_number(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    before = account(sandbox)
    record = subscribe(client, request_of(DEMO_NUMBER))
    [new] = created_apps(sandbox, before)
    app = sandbox.applications[new]
    assert record == SubscriptionRecord(
        phone_number="+" + DEMO_NUMBER,
        app_id=new,
        app_name=app.app_name,
        previous_app_id=DEMO_APP_ID,
        receive_calls=True,
    )
    assert (app.message_url, app.answer_url, app.hangup_url) == (ENDPOINT, ENDPOINT, ENDPOINT)
    assert (app.message_method, app.answer_method, app.hangup_method) == ("POST",) * 3
    assert sandbox.numbers[DEMO_NUMBER].app_id == new
    # Nothing else changed: the previous application and the other numbers are untouched.
    assert {k: v for k, v in account(sandbox)[0].items() if k != new} == before[0]
    assert {n: a for n, a in account(sandbox)[1].items() if n != DEMO_NUMBER} == {
        n: a for n, a in before[1].items() if n != DEMO_NUMBER
    }


def test_application_name_is_stable_per_endpoint_and_number() -> None:
    number = "+" + DEMO_NUMBER
    name = application_name(number, ENDPOINT)
    assert name == application_name(number, ENDPOINT)
    assert name != application_name(number, ENDPOINT + "0")
    assert name.startswith(f"dify-trigger-{DEMO_NUMBER}-")
    assert ENDPOINT not in name


def test_calls_off_keep_the_previous_call_handling(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    previous = sandbox.applications[DEMO_APP_ID]
    record = subscribe(client, request_of(DEMO_NUMBER, receive_calls=False))
    app = sandbox.applications[record.app_id]
    assert app.message_url == ENDPOINT
    assert (app.answer_url, app.hangup_url) == (previous.answer_url, previous.hangup_url)
    assert record.receive_calls is False


def test_calls_off_on_a_number_without_application_keep_the_default_applications_calls(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    default = next(a for a in sandbox.applications.values() if a.default_app)
    record = subscribe(client, request_of(DEMO_TOLLFREE_NUMBER, receive_calls=False))
    app = sandbox.applications[record.app_id]
    assert (app.message_url, app.answer_url, app.hangup_url) == (
        ENDPOINT,
        default.answer_url,
        default.hangup_url,
    )
    assert record.previous_app_id is None


def test_a_number_already_subscribed_is_refused_so_its_first_application_is_kept(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    first = subscribe(client, request_of(DEMO_NUMBER))
    before = account(sandbox)
    with pytest.raises(SubscriptionFailedError, match="already starts workflows"):
        subscribe(client, request_of(DEMO_NUMBER))
    assert account(sandbox) == before
    unsubscribe(client, first)
    assert sandbox.numbers[DEMO_NUMBER.lstrip("+")].app_id == first.previous_app_id


def test_a_number_without_voice_gets_no_call_urls(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    record = subscribe(client, request_of(DEMO_UK_NUMBER))
    app = sandbox.applications[record.app_id]
    assert (app.message_url, app.answer_url) == (ENDPOINT, "")
    assert record.receive_calls is False


def test_a_number_that_takes_neither_messages_nor_calls_is_refused(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    sandbox.add_number("+14155550177", sms_enabled=False, voice_enabled=False)
    before = account(sandbox)
    with pytest.raises(SubscriptionFailedError) as failed:
        subscribe(client, request_of("14155550177"))
    assert failed.value.code == CODE_NUMBER
    assert account(sandbox) == before


def test_a_number_of_another_account_is_refused_without_changes(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    before = account(sandbox)
    with pytest.raises(SubscriptionFailedError) as failed:
        subscribe(client, request_of("14155550188"))
    assert failed.value.code == CODE_NUMBER
    assert "is not a number of this Plivo account" in str(failed.value)
    assert "Nothing was changed" in str(failed.value)
    assert account(sandbox) == before
    assert [r.method for r in sandbox.requests] == ["GET"]


@pytest.mark.parametrize("endpoint", ["", "ftp://dify.example.com/x", "dify.example.com/x"])
def test_an_endpoint_that_is_no_url_is_refused_before_any_request(
    sandbox: PlivoSandbox, client: PlivoClient, endpoint: str
) -> None:
    with pytest.raises(InputError):
        subscribe(client, SubscriptionRequest("+" + DEMO_NUMBER, endpoint))
    assert sandbox.requests == []


# -- failures half-way -----------------------------------------------------------------------


def test_linking_fails_and_the_application_is_deleted_again(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    before = account(sandbox)
    sandbox.inject(Fault(method="POST", path=NUMBER_PATH, status=500))
    with pytest.raises(SubscriptionFailedError) as failed:
        subscribe(client, request_of(DEMO_NUMBER))
    assert failed.value.code == CODE_PLIVO
    assert "Nothing was changed" in str(failed.value)
    assert account(sandbox) == before
    # A server error may have applied the link: it was put back before the delete.
    assert steps(sandbox) == [
        ("GET", "Number"),
        ("GET", "Application"),
        ("POST", "Application"),
        ("POST", "Number"),
        ("POST", "Number"),
        ("DELETE", "Application"),
    ]


def test_a_refused_link_is_not_put_back_only_the_application_deleted(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    before = account(sandbox)
    sandbox.inject(Fault.plivo_error(400, "app_id is invalid", method="POST", path=NUMBER_PATH))
    with pytest.raises(SubscriptionFailedError):
        subscribe(client, request_of(DEMO_NUMBER))
    assert account(sandbox) == before
    assert [r.method for r in sandbox.requests if "/Number/" in r.path] == ["GET", "POST"]


def test_a_link_applied_without_answer_is_undone(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    """Plivo linked the number but the answer never came (every attempt): the number goes back."""
    before = account(sandbox)
    sandbox.inject(Fault(method="POST", path=NUMBER_PATH, action="drop_after_body", times=3))
    with pytest.raises(SubscriptionFailedError) as failed:
        subscribe(client, request_of(DEMO_NUMBER))
    assert "Nothing was changed" in str(failed.value)
    assert account(sandbox) == before


def test_an_application_created_without_answer_is_found_and_deleted(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    before = account(sandbox)
    sandbox.inject(Fault(method="POST", path=CREATE_APP_PATH, action="drop_after_body"))
    with pytest.raises(SubscriptionFailedError) as failed:
        subscribe(client, request_of(DEMO_NUMBER))
    assert failed.value.code == CODE_PLIVO
    assert account(sandbox) == before
    # Never created twice: the create was not repeated after the dropped answer.
    creates = [
        r for r in sandbox.requests if r.method == "POST" and r.path.endswith("/Application/")
    ]
    assert len(creates) == 1


def test_when_clean_up_fails_too_the_error_names_what_is_left(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    before = account(sandbox)
    sandbox.inject(Fault.plivo_error(400, "bad app", method="POST", path=NUMBER_PATH))
    sandbox.inject(Fault(method="DELETE", path=APP_PATH, status=500))
    with pytest.raises(SubscriptionFailedError) as failed:
        subscribe(client, request_of(DEMO_NUMBER))
    [left] = created_apps(sandbox, before)
    assert failed.value.code == CODE_LEFTOVER
    assert f"application {left} is still there" in str(failed.value)
    assert sandbox.numbers[DEMO_NUMBER].app_id == DEMO_APP_ID


def test_unknown_create_and_failed_search_say_an_application_may_exist(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    sandbox.inject(Fault(method="POST", path=CREATE_APP_PATH, action="drop_after_body"))
    sandbox.inject(Fault(method="GET", path=CREATE_APP_PATH, status=500))
    with pytest.raises(SubscriptionFailedError) as failed:
        subscribe(client, request_of(DEMO_NUMBER))
    assert failed.value.code == CODE_LEFTOVER
    assert "may exist" in str(failed.value)
    assert sandbox.numbers[DEMO_NUMBER].app_id == DEMO_APP_ID


def test_a_refused_create_changes_nothing(sandbox: PlivoSandbox, client: PlivoClient) -> None:
    before = account(sandbox)
    sandbox.inject(Fault.plivo_error(400, "app_name taken", method="POST", path=CREATE_APP_PATH))
    with pytest.raises(SubscriptionFailedError) as failed:
        subscribe(client, request_of(DEMO_NUMBER))
    assert "app_name taken" in str(failed.value)
    assert account(sandbox) == before


def test_unreadable_previous_application_stops_before_any_change(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    before = account(sandbox)
    sandbox.inject(Fault(method="GET", path=APP_PATH, status=500))
    with pytest.raises(SubscriptionFailedError):
        subscribe(client, request_of(DEMO_NUMBER, receive_calls=False))
    assert account(sandbox) == before


# -- unsubscribing ---------------------------------------------------------------------------


def test_unsubscribing_restores_the_previous_application_and_deletes_the_new_one(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    before = account(sandbox)
    record = subscribe(client, request_of(DEMO_NUMBER))
    outcome = unsubscribe(client, record)
    assert outcome.success, outcome.message
    assert account(sandbox) == before
    assert f"linked to application {DEMO_APP_ID} again" in outcome.message
    assert f"Deleted application {record.app_id}" in outcome.message


def test_a_number_that_had_no_application_is_unlinked_again(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    before = account(sandbox)
    record = subscribe(client, request_of(DEMO_TOLLFREE_NUMBER))
    outcome = unsubscribe(client, record)
    assert outcome.success
    assert account(sandbox) == before
    assert "unlinked again" in outcome.message


def test_a_number_moved_meanwhile_is_left_alone(sandbox: PlivoSandbox, client: PlivoClient) -> None:
    record = subscribe(client, request_of(DEMO_NUMBER))
    numbers.link_number(client, DEMO_NUMBER, DEMO_IVR_APP_ID)
    outcome = unsubscribe(client, record)
    assert outcome.success
    assert sandbox.numbers[DEMO_NUMBER].app_id == DEMO_IVR_APP_ID
    assert record.app_id not in sandbox.applications
    assert "left as it is" in outcome.message


def test_a_deleted_previous_application_leaves_the_number_unlinked(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    record = subscribe(client, request_of(DEMO_NUMBER))
    applications.delete_application(client, DEMO_APP_ID)
    outcome = unsubscribe(client, record)
    assert outcome.success
    assert sandbox.numbers[DEMO_NUMBER].app_id is None
    assert record.app_id not in sandbox.applications
    assert "no longer exists" in outcome.message


def test_a_released_number_needs_nothing_but_the_application_deleted(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    record = subscribe(client, request_of(DEMO_TOLLFREE_NUMBER))
    client.request("DELETE", client.account_url + f"Number/{DEMO_TOLLFREE_NUMBER}/")
    outcome = unsubscribe(client, record)
    assert outcome.success
    assert record.app_id not in sandbox.applications
    assert "no longer on the account" in outcome.message


def test_unsubscribing_twice_is_harmless(sandbox: PlivoSandbox, client: PlivoClient) -> None:
    before = account(sandbox)
    record = subscribe(client, request_of(DEMO_NUMBER))
    assert unsubscribe(client, record).success
    again = unsubscribe(client, record)
    assert again.success
    assert "already deleted" in again.message
    assert account(sandbox) == before


@pytest.mark.parametrize(
    ("fault", "still_linked"),
    [
        (Fault(method="GET", path=NUMBER_PATH, status=500), True),
        (Fault(method="POST", path=NUMBER_PATH, status=500), True),
        (Fault(method="DELETE", path=APP_PATH, status=500), False),
    ],
    ids=["number unreadable", "relink refused", "delete refused"],
)
def test_unsubscribe_failures_say_what_is_left_and_keep_the_number_routed(
    sandbox: PlivoSandbox, client: PlivoClient, fault: Fault, still_linked: bool
) -> None:
    record = subscribe(client, request_of(DEMO_NUMBER))
    sandbox.inject(fault)
    outcome = unsubscribe(client, record)
    assert not outcome.success
    assert record.app_id in outcome.message
    # The created application is never deleted while the number still points at it.
    assert record.app_id in sandbox.applications
    expected = record.app_id if still_linked else DEMO_APP_ID
    assert sandbox.numbers[DEMO_NUMBER].app_id == expected


# -- what the plugin's constructor calls -------------------------------------------------------


def test_create_subscription_reads_parameters_and_keeps_no_credentials(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    properties = create_subscription(
        client,
        ENDPOINT,
        {"phone_number": DEMO_NUMBER, "receive_calls": "false", "call_greeting": " Hi! "},
    )
    assert properties["receive_calls"] is False
    assert properties[CALL_GREETING_PROPERTY] == "Hi!"
    assert properties["previous_app_id"] == DEMO_APP_ID
    assert DEMO_AUTH_TOKEN not in str(properties) and DEMO_AUTH_ID not in str(properties)
    assert delete_subscription(client, properties).success


@pytest.mark.parametrize(
    ("parameters", "greeting"),
    [({}, DEFAULT_CALL_GREETING), ({"call_greeting": ""}, ""), ({"call_greeting": None}, "")],
)
def test_greeting_default_or_blank(
    sandbox: PlivoSandbox, client: PlivoClient, parameters: dict[str, object], greeting: str
) -> None:
    properties = create_subscription(client, ENDPOINT, {"phone_number": DEMO_NUMBER, **parameters})
    assert properties[CALL_GREETING_PROPERTY] == greeting


@pytest.mark.parametrize(
    "parameters",
    [{}, {"phone_number": "  "}, {"phone_number": DEMO_NUMBER, "call_greeting": "x" * 1001}],
)
def test_unusable_parameters_are_refused_before_any_request(
    sandbox: PlivoSandbox, client: PlivoClient, parameters: dict[str, object]
) -> None:
    with pytest.raises(InputError):
        create_subscription(client, ENDPOINT, parameters)
    assert sandbox.requests == []


def test_manual_subscriptions_have_nothing_to_undo(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    outcome = delete_subscription(client, {"auth_token": "x", CALL_GREETING_PROPERTY: "Hi"})
    assert outcome.success
    assert sandbox.requests == []


def test_record_round_trip() -> None:
    record = SubscriptionRecord("+14155550100", "1", "n", None, True)
    assert SubscriptionRecord.from_properties(record.to_properties()) == record
    assert SubscriptionRecord.from_properties({"phone_number": "+1", "app_id": ""}) is None


def test_number_options_list_every_page_of_usable_numbers(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    for index in range(25):
        sandbox.add_number(f"+1415555{index:04d}", alias=None)
    sandbox.add_number("+14155559999", sms_enabled=False, voice_enabled=False)
    options = number_options(client)
    values = [option.value for option in options]
    assert len(values) == 3 + 25
    assert "+14155559999" not in values
    main = next(option for option in options if option.value == "+" + DEMO_NUMBER)
    assert main.label == "+14155550100 · Main line (SMS, MMS, voice)"
    uk = next(option for option in options if option.value == "+" + DEMO_UK_NUMBER)
    assert uk.label == "+447700900123 (SMS)"
    assert len([r for r in sandbox.requests if r.path.endswith("/Number/")]) == 2


def test_the_create_check_tells_where_to_look() -> None:
    assert "Applications page" in APPLICATION_OUTCOME_CHECK


# -- numbers typed without a country code; applications other numbers use -----------------------


@pytest.mark.parametrize("typed", ["4155550100", "(415) 555-0100", "07700 900123"])
def test_a_national_number_asks_for_the_country_code_before_any_request(
    sandbox: PlivoSandbox, client: PlivoClient, typed: str
) -> None:
    with pytest.raises(InputError) as refused:
        subscribe(client, SubscriptionRequest(typed, ENDPOINT))
    message = str(refused.value)
    assert refused.value.parameter == "phone_number"
    assert "country code" in message and typed in message
    assert "+" + "".join(ch for ch in typed if ch.isdigit()) not in message  # never typed
    assert sandbox.requests == []


@pytest.mark.parametrize("typed", [DEMO_NUMBER, "+" + DEMO_NUMBER, "+1 (415) 555-0100"])
def test_plivo_digits_and_international_numbers_subscribe(client: PlivoClient, typed: str) -> None:
    assert subscribe(client, SubscriptionRequest(typed, ENDPOINT)).phone_number == "+" + DEMO_NUMBER


def test_an_application_another_number_was_linked_to_meanwhile_is_kept(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    record = subscribe(client, request_of(DEMO_NUMBER))
    numbers.link_number(client, DEMO_UK_NUMBER, record.app_id)  # someone reuses it in the console
    outcome = unsubscribe(client, record)
    assert outcome.success, outcome.message
    assert sandbox.numbers[DEMO_NUMBER].app_id == DEMO_APP_ID  # restored as before
    assert record.app_id in sandbox.applications  # kept: the UK number still needs it
    assert sandbox.numbers[DEMO_UK_NUMBER].app_id == record.app_id
    assert f"Kept application {record.app_id}" in outcome.message
    assert f"+{DEMO_UK_NUMBER} is linked to it now" in outcome.message
    assert ("DELETE", "Application") not in steps(sandbox)


def test_an_application_is_kept_when_its_other_numbers_cannot_be_checked(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    record = subscribe(client, request_of(DEMO_NUMBER))
    sandbox.inject(Fault(method="GET", path=r"/Number/$", status=500))
    outcome = unsubscribe(client, record)
    assert not outcome.success
    assert record.app_id in sandbox.applications
    assert "could not be checked" in outcome.message
    assert sandbox.numbers[DEMO_NUMBER].app_id == DEMO_APP_ID


# -- call answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameters", "named"),
    [
        ({"call_answer": "forward", "forward_to": "555-0100"}, "forward_to"),
        ({"call_answer": "forward", "forward_to": f"+{DEMO_NUMBER}"}, "forward_to"),
        ({"call_answer": "menu", "menu_prompt": " "}, "menu_prompt"),
        ({"call_answer": "ring"}, "call_answer"),
    ],
)
def test_call_answer_settings_that_cannot_work_change_nothing(
    sandbox: PlivoSandbox, client: PlivoClient, parameters: dict[str, object], named: str
) -> None:
    with pytest.raises(InputError) as raised:
        create_subscription(client, ENDPOINT, {"phone_number": DEMO_NUMBER, **parameters})
    assert raised.value.parameter == named
    assert sandbox.requests == []


def test_a_call_answer_wires_the_calls_and_none_keeps_them_where_they_went(
    sandbox: PlivoSandbox, client: PlivoClient
) -> None:
    previous = sandbox.applications[DEMO_APP_ID]
    forward = create_subscription(
        client,
        ENDPOINT,
        {"phone_number": DEMO_NUMBER, "call_answer": "forward", "forward_to": "+44 20 7946 0030"},
    )
    assert (forward["call_answer"], forward["forward_to"]) == ("forward", "+442079460030")
    assert sandbox.applications[forward["app_id"]].answer_url == ENDPOINT
    assert delete_subscription(client, forward).success
    assert sandbox.numbers[DEMO_NUMBER].app_id == DEMO_APP_ID
    unwired = create_subscription(
        client, ENDPOINT, {"phone_number": DEMO_NUMBER, "call_answer": "none"}
    )
    app = sandbox.applications[unwired["app_id"]]
    assert (unwired["receive_calls"], app.answer_url) == (False, previous.answer_url)
    assert delete_subscription(client, unwired).success
    assert sandbox.numbers[DEMO_NUMBER].app_id == DEMO_APP_ID
