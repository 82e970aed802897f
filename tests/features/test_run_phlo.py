"""run_phlo: the PHLO ID and payload checked first, the payload's phone numbers held to
send_sms's recipient rules, one POST to the PHLO runner, and what is shown."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from plivo_api.errors import InputError, NotFoundError, OutcomeUnknownError
from plivo_api.features import Invocation
from plivo_api.features.run_phlo import run
from plivo_api.toolkit.payload_numbers import is_phone_key, refused_numbers
from tests.conftest import AUTH_ID, AUTH_TOKEN

PHLO_ID = "a8a5ba6b-0000-4000-8000-00000000c0de"
PHLO_PATH = f"/v1/account/{AUTH_ID}/phlo/{PHLO_ID}"
CREDENTIALS = {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN}
US = "+14155552671"
US_SENDER = "+14155550100"
GB = "+442079460018"
US_PREMIUM = "+19005550123"
GB_PREMIUM = "+449098790000"
RUN_ANSWER = {"api_id": "run-1", "phlo_id": PHLO_ID, "message": "PHLO triggered"}
ANY_COUNTRY: frozenset[str] = frozenset()
US_ONLY = frozenset({"US"})


# -- which keys name a phone number ----------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "to",
        "from",
        "To",
        "toNumber",
        "from_number",
        "destination",
        "customer_number",
        "phone",
        "customerPhone",
        "mobile_no",
        "msisdn",
        "DST",
        "CallerID",
        "recipients",
    ],
)
def test_keys_that_name_a_phone_number(key: str) -> None:
    assert is_phone_key(key)


@pytest.mark.parametrize(
    "key",
    [
        "from_date",
        "valid_from",
        "time_to_live",
        "order_number",
        "number",
        "total",
        "tolerance",
        "destination_zip",
        "cell_count",
        "amount",
    ],
)
def test_keys_that_do_not_name_a_phone_number(key: str) -> None:
    assert not is_phone_key(key)


# -- the recipient rules on payload values ---------------------------------------------------


def refusals(payload: dict[str, Any], countries: frozenset[str] = ANY_COUNTRY) -> list[Any]:
    return [(r.path, r.value) for r in refused_numbers(payload, countries)]


def test_a_premium_rate_number_is_refused_under_any_key_and_with_any_countries() -> None:
    payload = {"to": US_PREMIUM, "note": GB_PREMIUM, "from": US_SENDER}
    assert refusals(payload) == [("to", US_PREMIUM), ("note", GB_PREMIUM)]
    [first, _] = refused_numbers(payload, ANY_COUNTRY)
    assert "premium-rate" in first.reason


def test_allowed_countries_refuse_numbers_elsewhere_at_any_depth() -> None:
    payload = {
        "from": US_SENDER,
        "contacts": [{"phone": US}, {"phone": GB}],
        "fallback": "+33 6 12 34 56 78",
    }
    refused = refused_numbers(payload, US_ONLY)
    assert [(r.path, r.value) for r in refused] == [
        ("contacts[1].phone", GB),
        ("fallback", "+33 6 12 34 56 78"),
    ]
    assert "in GB, outside the countries this tool may reach (allowed_countries: US)" in (
        refused[0].reason
    )


def test_a_phone_key_may_hold_several_numbers_and_whole_numbers() -> None:
    payload = {"to": f"{US}<{GB}", "dst": 442079460019, "recipients": [US, "+44 20 7946 0020"]}
    assert refusals(payload, US_ONLY) == [
        ("to", GB),
        ("dst", "442079460019"),
        ("recipients[1]", "+44 20 7946 0020"),
    ]


def test_a_number_without_country_code_under_a_phone_key_is_refused_with_advice() -> None:
    [refused] = refused_numbers({"to": "415 555 2671"}, ANY_COUNTRY)
    assert refused.path == "to"
    assert "country code" in refused.reason and "ask the user" in refused.reason


def test_a_sip_uri_is_refused_only_when_countries_are_limited() -> None:
    payload = {"to": "sip:alice@phone.plivo.com"}
    assert refusals(payload) == []
    assert refusals(payload, US_ONLY) == [("to", "sip:alice@phone.plivo.com")]


def test_values_that_are_not_phone_numbers_never_refuse_a_run() -> None:
    payload = {
        "from": "ACME",
        "caller_name": "Front desk",
        "order_number": "900555012345",
        "from_date": "2024-01-05",
        "amount": 19005550123,
        "zip": "94107",
        "code": "+1",
        "text": "Call +1 900 555 0123 now",  # prose: not a value written as a number
        "flag": True,
        "nothing": None,
    }
    assert refusals(payload, US_ONLY) == []


# -- run against a local PHLO runner ---------------------------------------------------------


@pytest.fixture
def plivo(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("PLIVO_PHLO_BASE_URL", server.url_for("").rstrip("/"))
    return server


def test_run_posts_the_payload_once_and_shows_the_run(plivo: HTTPServer) -> None:
    payload = {"from": US_SENDER, "to": US, "n": 2}
    plivo.expect_oneshot_request(PHLO_PATH, method="POST", json=payload).respond_with_json(
        RUN_ANSWER, status=201
    )
    output = run(
        Invocation(
            {
                "phlo_id": PHLO_ID.upper(),
                "payload": f'{{"from": "{US_SENDER}", "to": "{US}", "n": 2}}',
                "allowed_countries": "us",
            },
            CREDENTIALS,
        )
    )
    assert output.json == {
        "phlo_id": PHLO_ID,
        "phlo_run_id": "run-1",
        "message": "PHLO triggered",
        "api_id": "run-1",
    }
    assert output.variables == {"phlo_run_id": "run-1", "message": "PHLO triggered"}
    assert output.text == f"Started PHLO {PHLO_ID}, run run-1. Plivo said: PHLO triggered."
    assert len(plivo.log) == 1


def test_run_without_payload_sends_no_body(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(PHLO_PATH, method="POST").respond_with_json(
        {"api_id": "run-2"}, status=201
    )
    output = run(Invocation({"phlo_id": PHLO_ID, "payload": ""}, CREDENTIALS))
    assert output.variables == {"phlo_run_id": "run-2", "message": None}
    [(request, _)] = plivo.log
    assert request.get_data() == b""


@pytest.mark.parametrize(
    ("payload", "countries", "phrases"),
    [
        (
            {"to": US_PREMIUM},
            "",
            ["to +19005550123 (a premium-rate number", "premium-rate numbers are never reached."],
        ),
        (
            {"from": US_SENDER, "to": GB},
            "US, CA",
            ["to +442079460018 (in GB, outside", "only numbers in CA, US (allowed_countries)"],
        ),
        ({"customer": {"mobile": "4155552671"}}, "", ["customer.mobile 4155552671 (no valid"]),
    ],
)
def test_run_refuses_a_payload_number_before_any_request(
    plivo: HTTPServer, payload: dict[str, Any], countries: str, phrases: list[str]
) -> None:
    with pytest.raises(InputError) as caught:
        run(
            Invocation(
                {"phlo_id": PHLO_ID, "payload": payload, "allowed_countries": countries},
                CREDENTIALS,
            )
        )
    message = str(caught.value)
    assert caught.value.parameter == "payload"
    assert message.startswith("payload: the PHLO was not run: ")
    for phrase in phrases:
        assert phrase in message
    assert "Ask the user" in message
    assert plivo.log == []


def test_run_lists_at_most_five_refused_numbers(plivo: HTTPServer) -> None:
    payload = {"to": [f"+4420794600{n:02d}" for n in range(10, 17)]}
    with pytest.raises(InputError, match="; and 2 more\\. A PHLO can text or call"):
        run(
            Invocation(
                {"phlo_id": PHLO_ID, "payload": payload, "allowed_countries": "US"}, CREDENTIALS
            )
        )
    assert plivo.log == []


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"phlo_id": "not-a-uuid"}, "phlo_id"),
        ({"phlo_id": PHLO_ID, "payload": "to=+14155552671"}, "payload"),
        ({"phlo_id": PHLO_ID, "payload": "[1, 2]"}, "payload"),
        ({"phlo_id": PHLO_ID, "allowed_countries": "Atlantis"}, "allowed_countries"),
    ],
)
def test_bad_input_names_the_parameter_and_sends_nothing(
    plivo: HTTPServer, params: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(InputError) as caught:
        run(Invocation(params, CREDENTIALS))
    assert caught.value.parameter == parameter
    assert plivo.log == []


def test_an_unknown_phlo_says_where_its_id_is_shown(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(PHLO_PATH, method="POST").respond_with_json(
        {"api_id": "x", "error": "not found"}, status=404
    )
    with pytest.raises(NotFoundError, match=f"No PHLO {PHLO_ID} on this Plivo account"):
        run(Invocation({"phlo_id": PHLO_ID}, CREDENTIALS))


def test_a_failed_run_is_never_repeated(plivo: HTTPServer) -> None:
    plivo.expect_request(PHLO_PATH, method="POST").respond_with_json(
        {"api_id": "x", "error": "internal"}, status=500
    )
    with pytest.raises(OutcomeUnknownError, match="PHLO may or may not have run"):
        run(Invocation({"phlo_id": PHLO_ID, "payload": {"to": US}}, CREDENTIALS))
    assert len(plivo.log) == 1
