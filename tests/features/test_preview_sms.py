"""preview_sms: what a send would do, computed locally with send_sms's own reading of the input;
the optional cost estimate is the only request, and its failures are notes, not errors."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from plivo_api.errors import InputError
from plivo_api.features import Invocation, ToolOutput
from plivo_api.features.preview_sms import (
    NOTE_ESTIMATES_OFF,
    NOTE_NO_VALID_RECIPIENTS,
    NOTE_NOTHING_TO_PRICE,
    present,
    preview_from_params,
    run,
    with_cost_estimate,
)
from plivo_api.features.send_sms import plan
from tests.conftest import AUTH_ID, AUTH_TOKEN

PRICING_PATH = f"/v1/Account/{AUTH_ID}/Pricing/"
CREDENTIALS = {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN}
US_1, US_2, GB_1 = "+14155552671", "+12025550143", "+447400123456"
EURO = "\u20ac"
GRINNING = "\U0001f600"
ZHE = "\u0436"
RIGHT_QUOTE = "\u2019"


def preview(**params: object) -> ToolOutput:
    return present(preview_from_params(params))


# -- the analysis as shown --------------------------------------------------------------------


def test_present_shows_encoding_segments_and_limits() -> None:
    output = preview(message="a" * 150 + RIGHT_QUOTE, to=f"{US_1}, 123")
    assert output.json == {
        "encoding": "UCS-2",
        "segments": 3,
        "characters": 151,
        "character_limit": 737,
        "over_limit": False,
        "code_units": 151,
        "max_code_units_per_segment": 67,
        "non_gsm_characters": [
            {"char": RIGHT_QUOTE, "codepoint": "U+2019", "positions": [151], "count": 1}
        ],
        "gsm_alternative": {"text": "a" * 150 + "'", "segments": 1},
        "recipients": [US_1],
        "invalid_recipients": [{"input": "123", "reason": "too short"}],
        "invalid_count": 1,
        "cost_estimate": None,
        "cost_note": NOTE_ESTIMATES_OFF,
        "warnings": [],
    }
    assert output.variables == {
        "segments": 3,
        "encoding": "UCS-2",
        "over_limit": False,
        "estimated_cost": None,
        "warnings": [],
    }
    assert output.text == (
        f"3 segments (UCS-2: {RIGHT_QUOTE} at position 151), 151 characters; replacing "
        "look-alike characters gives GSM-7 in 1 segment; 1 valid recipient, 1 invalid: 123 "
        "(too short)."
    )


def test_a_plain_text_without_recipients() -> None:
    output = preview(message="Hello")
    assert output.text == "GSM-7, 1 segment, 5 characters."
    assert output.json["gsm_alternative"] is None
    assert output.json["non_gsm_characters"] == []
    assert output.json["recipients"] == []


def test_recipients_are_read_as_send_sms_reads_them() -> None:
    assert preview(message="Hi", to=f'["{US_1}", "{GB_1}"]').json["recipients"] == [US_1, GB_1]
    output = preview(message="Hi", to="Mobile: (415) 555-2671", default_country="US")
    assert (output.json["recipients"], output.json["invalid_count"]) == ([US_1], 0)
    output = preview(message="Hi", to=f"{US_1} and {GB_1} or {{{{#1.phone#}}}}")
    assert output.json["recipients"] == [US_1, GB_1]
    invalid = output.json["invalid_recipients"]
    assert isinstance(invalid, list)
    [entry] = invalid
    assert entry["reason"].startswith("unresolved workflow variable")


@pytest.mark.parametrize("message", ["", "   ", None])
def test_an_empty_message_is_refused(message: object) -> None:
    with pytest.raises(InputError, match="message is empty") as caught:
        preview_from_params({"message": message})
    assert caught.value.parameter == "message"


def test_an_unresolved_variable_in_message_is_refused_naming_it() -> None:
    with pytest.raises(InputError, match=r"\{\{#1711\.code#\}\}") as caught:
        preview_from_params({"message": "Code {{#1711.code#}}"})
    assert caught.value.parameter == "message"


# -- one length rule for preview and send -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "over"),
    [
        (EURO * 801, False),
        ("a" * 1600, False),
        ("a" * 1601, True),
        (ZHE * 737, False),
        (ZHE * 738, True),
        (GRINNING * 368 + ZHE, False),
        (GRINNING * 369, True),
        (GRINNING * 400, True),
        (EURO * 1601, True),
    ],
)
def test_preview_shows_over_limit_exactly_when_send_refuses(text: str, over: bool) -> None:
    output = preview(message=text)
    assert output.json["over_limit"] is over
    assert output.variables["over_limit"] is over
    assert ("over Plivo's limit" in output.text) is over
    params = {"message": text, "to": US_1, "from_number": "+14155550100"}
    if over:
        with pytest.raises(InputError) as caught:
            plan(params, None)
        assert caught.value.parameter == "message"
    else:
        assert plan(params, None).text == text


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("a" * 1601, "1601 characters; over Plivo's limit of 1600 characters for GSM-7"),
        (
            GRINNING * 400,
            "400 characters (800 counting each emoji twice); over Plivo's limit of 737 "
            "characters for UCS-2",
        ),
    ],
)
def test_preview_and_send_say_the_same_about_the_length(text: str, sentence: str) -> None:
    assert sentence in preview(message=text).text
    with pytest.raises(InputError) as caught:
        plan({"message": text, "to": US_1, "from_number": "+14155550100"}, None)
    assert sentence in str(caught.value)


# -- the cost estimate against a local Plivo --------------------------------------------------


@pytest.fixture
def plivo(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("PLIVO_API_BASE_URL", server.url_for("").rstrip("/"))
    return server


def pricing_body(iso: str, outbound: str) -> dict[str, object]:
    return {"api_id": f"api-{iso}", "country_iso": iso, "message": {"outbound": {"rate": outbound}}}


def test_without_estimate_cost_no_request_is_made(plivo: HTTPServer) -> None:
    output = run(Invocation({"message": "hi", "to": US_1}, CREDENTIALS))
    assert output.json["cost_estimate"] is None
    assert output.json["cost_note"] == NOTE_ESTIMATES_OFF  # why there is none, in the JSON
    assert output.text == "GSM-7, 1 segment, 2 characters; 1 valid recipient."  # nobody asked
    assert output.variables["estimated_cost"] is None
    assert plivo.log == []


def test_the_estimate_prices_each_country_once(plivo: HTTPServer) -> None:
    for iso, rate in (("US", "0.00550"), ("GB", "0.04000")):
        plivo.expect_ordered_request(
            PRICING_PATH, query_string={"country_iso": iso}
        ).respond_with_json(pricing_body(iso, rate))
    output = run(
        Invocation(
            {"message": "x" * 161, "to": f"{US_1}, {GB_1}, {US_2}", "estimate_cost": "true"},
            CREDENTIALS,
        )
    )
    assert len(plivo.log) == 2
    assert output.json["cost_note"] is None
    assert output.json["cost_estimate"] == {
        "currency": "USD",
        "total": pytest.approx(0.0055 * 2 * 2 + 0.04 * 2),
        "countries": [
            {
                "country_iso": "US",
                "recipient_count": 2,
                "units": 4,
                "rate": 0.0055,
                "cost": 0.022,
                "api_id": "api-US",
            },
            {
                "country_iso": "GB",
                "recipient_count": 1,
                "units": 2,
                "rate": 0.04,
                "cost": 0.08,
                "api_id": "api-GB",
            },
        ],
    }
    assert output.variables["estimated_cost"] == pytest.approx(0.102)
    assert output.text.endswith("Estimated cost 0.10200 USD (US 4 × 0.00550, GB 2 × 0.04000).")


def test_an_estimate_without_credentials_is_a_note() -> None:
    output = present(with_cost_estimate(preview_from_params({"message": "hi", "to": US_1}), {}))
    assert output.json["cost_estimate"] is None
    assert "needs the plugin's Plivo credentials" in str(output.json["cost_note"])
    assert "Auth ID is empty" in output.text


def test_an_estimate_with_rejected_credentials_is_a_note(plivo: HTTPServer) -> None:
    plivo.expect_request(PRICING_PATH).respond_with_json(
        {"error": "authentication_failed"}, status=401
    )
    output = run(Invocation({"message": "hi", "to": US_1, "estimate_cost": True}, CREDENTIALS))
    note = str(output.json["cost_note"])
    assert output.json["cost_estimate"] is None
    assert note.startswith("No cost estimate: cost estimate unavailable: Plivo rejected")
    assert AUTH_TOKEN not in note


def test_an_estimate_with_an_unpriced_country_is_partial(plivo: HTTPServer) -> None:
    plivo.expect_request(PRICING_PATH, query_string={"country_iso": "US"}).respond_with_json(
        pricing_body("US", "0.00550")
    )
    plivo.expect_request(PRICING_PATH, query_string={"country_iso": "GB"}).respond_with_json(
        {"error": "not found"}, status=404
    )
    output = run(
        Invocation({"message": "hi", "to": f"{US_1},{GB_1}", "estimate_cost": 1}, CREDENTIALS)
    )
    estimate = output.json["cost_estimate"]
    assert isinstance(estimate, dict)
    assert estimate["total"] is None
    assert estimate["countries"][0]["cost"] == 0.0055
    assert estimate["countries"][1] == {
        "country_iso": "GB",
        "recipient_count": 1,
        "units": 1,
        "rate": None,
        "cost": None,
        "api_id": None,
    }
    assert output.json["cost_note"] == "Cost estimate incomplete: Plivo has no price for GB"
    assert output.variables["estimated_cost"] is None
    assert output.text.endswith("Cost estimate incomplete: Plivo has no price for GB.")


def test_an_estimate_without_valid_recipients_is_a_note(plivo: HTTPServer) -> None:
    output = run(Invocation({"message": "hi", "to": "123", "estimate_cost": True}, CREDENTIALS))
    assert output.json["cost_note"] == NOTE_NO_VALID_RECIPIENTS
    assert output.text.endswith(f"{NOTE_NO_VALID_RECIPIENTS}.")
    assert plivo.log == []


def test_an_estimate_without_numbers_or_country_says_what_to_give(plivo: HTTPServer) -> None:
    output = run(Invocation({"message": "hi", "estimate_cost": True}, CREDENTIALS))
    assert output.json["cost_note"] == NOTE_NOTHING_TO_PRICE
    assert "estimate_country" in NOTE_NOTHING_TO_PRICE
    assert plivo.log == []


# -- an estimate for a country and a recipient count -------------------------------------------


def test_a_country_and_a_count_are_priced_with_one_request(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(
        PRICING_PATH, query_string={"country_iso": "BR"}
    ).respond_with_json(pricing_body("BR", "0.04500"))
    params = {
        "message": "x" * 161,
        "estimate_country": "br",
        "recipient_count": 500,
        "estimate_cost": True,
    }
    output = run(Invocation(params, CREDENTIALS))
    assert output.json["cost_estimate"] == {
        "currency": "USD",
        "total": 45.0,
        "countries": [
            {
                "country_iso": "BR",
                "recipient_count": 500,
                "units": 1000,
                "rate": 0.045,
                "cost": 45.0,
                "api_id": "api-BR",
            }
        ],
    }
    assert output.json["cost_note"] is None
    assert output.variables["estimated_cost"] == 45.0
    assert output.text == (
        "GSM-7, 2 segments, 161 characters; priced for 500 recipients in BR. "
        "Estimated cost 45.00000 USD (BR 1000 × 0.04500)."
    )


def test_a_country_without_a_count_is_priced_per_recipient(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(PRICING_PATH).respond_with_json(pricing_body("GB", "0.04000"))
    output = run(
        Invocation({"message": "hi", "estimate_country": "UK", "estimate_cost": 1}, CREDENTIALS)
    )
    assert "priced for 1 recipient in GB" in output.text
    assert output.variables["estimated_cost"] == 0.04


def test_a_country_estimate_when_estimates_are_off_says_why_and_asks_nothing(
    plivo: HTTPServer,
) -> None:
    params = {"message": "hi", "estimate_country": "US", "recipient_count": 20}
    output = run(Invocation(params, CREDENTIALS))
    assert output.json["cost_estimate"] is None
    assert output.json["cost_note"] == NOTE_ESTIMATES_OFF
    assert output.text.endswith(f"{NOTE_ESTIMATES_OFF}.")
    assert "the user can turn them on" in output.text
    assert plivo.log == []


@pytest.mark.parametrize(
    ("params", "parameter", "words"),
    [
        ({"recipient_count": 5}, "estimate_country", "recipient_count needs estimate_country"),
        ({"estimate_country": "Brazil"}, "estimate_country", "is not a known country"),
        ({"estimate_country": "US", "recipient_count": 0}, "recipient_count", "recipient_count"),
        ({"to": US_1, "recipient_count": 5}, "recipient_count", "Leave out recipient_count or to"),
        ({"to": US_1, "estimate_country": "US"}, "estimate_country", "numbers are not known"),
    ],
)
def test_estimate_parameters_that_cannot_be_used_are_refused(
    params: dict[str, object], parameter: str, words: str
) -> None:
    with pytest.raises(InputError, match=words) as caught:
        preview_from_params({"message": "hi", **params})
    assert caught.value.parameter == parameter


# -- warnings: what send_sms would refuse about the text ---------------------------------------


def test_a_placeholder_is_a_warning_naming_it() -> None:
    output = preview(message="Hi {{name}}, your order ships [Date]")
    warning = (
        "The text contains the placeholders {{name}} and [Date], which would reach the recipient "
        "as written, so send_sms would refuse it: replace them with the real values, or ask the "
        "user for them."
    )
    assert output.json["warnings"] == [warning]
    assert output.variables["warnings"] == [warning]
    assert output.text.endswith(f"characters. Warning: {warning}")
    with pytest.raises(InputError, match="placeholders"):
        plan({"message": "Hi {{name}}, your order ships [Date]", "to": US_1}, "+14155550100")


@pytest.mark.parametrize("message", ["See [1] <3", "[Acme] Code 1234", "Go <https://e.com/a>"])
def test_ordinary_brackets_are_no_warning(message: str) -> None:
    output = preview(message=message)
    assert output.json["warnings"] == []
    assert "Warning" not in output.text
