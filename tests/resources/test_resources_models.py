"""Plivo's answers parsed once and defensively into typed values (no presentation here)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from plivo_api.errors import OutcomeUnknownError
from plivo_api.messaging.digits import display_number
from plivo_api.resources.account import Account
from plivo_api.resources.lookup import NumberLookup
from plivo_api.resources.messages import MessageRecord, SendResult
from plivo_api.resources.pricing import PrefixRate, Pricing, Rate

UUID = "5f0e4a8c-0000-4000-8000-00000000000a"
MDR = {
    "api_id": "api-6",
    "error_code": "000",
    "error_message": "",
    "from_number": "14155550100",
    "message_direction": "outbound",
    "message_state": "delivered",
    "message_time": "2026-01-05 10:00:01+00:00",
    "message_sent_time": "2026-01-05 10:00:02+00:00",
    "message_updated_time": "2026-01-05 10:00:05+00:00",
    "message_type": "sms",
    "message_uuid": UUID,
    "to_number": "14155550123",
    "total_amount": "0.00790",
    "total_rate": "0.00790",
    "units": 1,
    "destination_country_iso2": "US",
}
LOOKUP = {
    "api_id": "api-10",
    "phone_number": "+14155550123",
    "country": {"name": "United States", "iso2": "US", "iso3": "USA"},
    "format": {
        "e164": "+14155550123",
        "national": "(415) 555-0123",
        "international": "+1 415-555-0123",
        "rfc3966": "tel:+1-415-555-0123",
    },
    "carrier": {
        "mobile_country_code": "310",
        "mobile_network_code": "260",
        "name": "Example Wireless",
        "type": "mobile",
        "ported": "no",
    },
}
PRICING = {
    "api_id": "api-11",
    "country": "United Kingdom",
    "country_code": 44,
    "country_iso": "GB",
    "message": {
        "inbound": {"rate": "0.00000"},
        "outbound": {"rate": "0.04000"},
        "outbound_networks_list": [
            {"group_name": "Example Wireless", "rate": "0.04000"},
            {"group_name": "Example Mobile", "rate": "0.04100"},
            {"rate": "0.5"},  # no name: not a network anyone can pick
            "junk",
        ],
    },
    "voice": {
        "inbound": {"local": {"rate": "0.00850"}, "tollfree": {"rate": "0.02100"}},
        "outbound": {"local": {"rate": "0.01000"}, "rates": [{"prefix": ["44"], "rate": "0.01"}]},
    },
}


# -- MessageRecord ----------------------------------------------------------------------------


def test_message_record_maps_every_documented_field() -> None:
    assert MessageRecord.from_json(MDR) == MessageRecord(
        message_uuid=UUID,
        state="delivered",
        direction="outbound",
        message_type="sms",
        from_number="+14155550100",
        to_number="+14155550123",
        error_code=None,
        error_text=None,
        units=1,
        total_amount=Decimal("0.00790"),
        total_rate=Decimal("0.00790"),
        message_time="2026-01-05 10:00:01+00:00",
        sent_time="2026-01-05 10:00:02+00:00",
        delivered_time="2026-01-05 10:00:05+00:00",  # a delivered message's last update
        api_id="api-6",
    )


def test_message_record_survives_an_empty_object() -> None:
    record = MessageRecord.from_json({})
    assert record.state is None
    assert record.final is False
    assert (record.to_number, record.units, record.total_amount, record.error_code) == (
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize("code", ["000", "0", "", None, 0, "00"])
def test_no_error_codes_mean_no_error(code: object) -> None:
    assert MessageRecord.from_json({**MDR, "error_code": code}).error_code is None


@pytest.mark.parametrize("code", ["30", 30, "030", 30.0])
def test_an_error_code_in_any_shape_is_normalised(code: object) -> None:
    record = MessageRecord.from_json(
        {**MDR, "message_state": "undelivered", "error_code": code, "error_message": "spam"}
    )
    assert record.error_code == "30"
    assert record.error_text == "spam"
    assert record.delivered_time is None  # an undelivered message has no delivery time


def test_numbers_sent_as_strings_and_odd_values_are_tolerated() -> None:
    record = MessageRecord.from_json(
        {**MDR, "units": "3", "total_amount": 0.5, "total_rate": "n/a", "message_state": " SENT "}
    )
    assert record.units == 3
    assert record.total_amount == Decimal("0.5")
    assert record.total_rate is None
    assert record.state == "sent"
    assert record.final is False


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-inf", "sNaN"])
def test_non_finite_numbers_from_plivo_are_treated_as_absent(value: str) -> None:
    record = MessageRecord.from_json({"message_uuid": "u", "units": value, "total_rate": value})
    assert record.units is None
    assert record.total_rate is None


def test_delivered_time_prefers_an_explicit_field() -> None:
    record = MessageRecord.from_json({**MDR, "delivery_report_time": "2026-01-05 10:00:04+00:00"})
    assert record.delivered_time == "2026-01-05 10:00:04+00:00"


@pytest.mark.parametrize(
    ("state", "final"),
    [("delivered", True), ("received", True), ("read", True), ("sent", False), ("queued", False)],
)
def test_a_record_knows_whether_its_state_is_final(state: str, final: bool) -> None:
    assert MessageRecord.from_json({**MDR, "message_state": state}).final is final


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("14155550123", "+14155550123"),
        ("447700900123", "+447700900123"),
        (" 14155550123 ", "+14155550123"),
        ("12345", "12345"),  # short code
        ("ACMESMS", "ACMESMS"),  # sender ID
        ("1415555***", "1415555***"),  # redacted by log=false
        ("1234567890123456", "1234567890123456"),  # longer than any E.164 number
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_display_number_adds_plus_only_to_real_numbers(raw: str | None, shown: str | None) -> None:
    assert display_number(raw) == shown


# -- SendResult -------------------------------------------------------------------------------


def test_send_result_lists_every_uuid_and_refused_number() -> None:
    result = SendResult.from_json(
        {"api_id": "api-2", "message_uuid": ["u-1", "u-2"], "invalid_number": ["12345"]}
    )
    assert result == SendResult("api-2", ("u-1", "u-2"), ("12345",))


def test_send_result_accepts_single_values_and_plivos_separator() -> None:
    result = SendResult.from_json({"message_uuid": "u-1", "invalid_number": "123<456"})
    assert (result.message_uuids, result.invalid_numbers) == (("u-1",), ("123", "456"))


@pytest.mark.parametrize(
    "body",
    [
        {"api_id": "a"},
        {"api_id": "a", "message_uuid": {"x": 1}},
        {"message_uuid": ["u"], "invalid_number": {"x": 1}},
    ],
)
def test_a_202_without_a_uuid_list_is_outcome_unknown(body: dict[str, object]) -> None:
    with pytest.raises(OutcomeUnknownError, match="check list_messages"):
        SendResult.from_json(body)


# -- Account ----------------------------------------------------------------------------------


def test_account_fields_and_trial_flag() -> None:
    account = Account.from_json(
        {
            "account_type": "developer",
            "api_id": "api-1",
            "auto_recharge": "false",
            "billing_mode": "prepaid",
            "cash_credits": "12.50000",
            "name": "Example Co",
            "timezone": "America/Los_Angeles",
        }
    )
    assert account == Account(
        name="Example Co",
        account_type="developer",
        balance=Decimal("12.50000"),
        auto_recharge=False,
        billing_mode="prepaid",
        timezone="America/Los_Angeles",
        api_id="api-1",
    )
    assert account.is_trial
    assert not Account.from_json({"account_type": "standard"}).is_trial


# -- NumberLookup and Pricing -----------------------------------------------------------------


def test_lookup_maps_nested_fields() -> None:
    assert NumberLookup.from_json(LOOKUP) == NumberLookup(
        number="+14155550123",
        country_iso="US",
        country="United States",
        carrier="Example Wireless",
        line_type="mobile",
        ported=False,
        mcc="310",
        mnc="260",
        national_format="(415) 555-0123",
        international_format="+1 415-555-0123",
        api_id="api-10",
    )


@pytest.mark.parametrize(
    ("ported", "expected"),
    [("yes", True), ("no", False), ("YES", True), ("unknown", None), ("true", True), ("", None)],
)
def test_lookup_ported(ported: str, expected: bool | None) -> None:
    body = {**LOOKUP, "carrier": {**LOOKUP["carrier"], "ported": ported}}  # type: ignore[dict-item]
    assert NumberLookup.from_json(body).ported is expected


def test_lookup_fixed_line_without_mcc_and_broken_sections() -> None:
    body = {
        **LOOKUP,
        "carrier": {"type": "fixed", "mobile_country_code": "", "mobile_network_code": ""},
        "format": "not an object",
    }
    result = NumberLookup.from_json(body)
    assert (result.line_type, result.mcc, result.mnc, result.national_format) == (
        "fixed",
        None,
        None,
        None,
    )
    assert result.number == "+14155550123"


def test_lookup_number_falls_back_to_the_e164_format() -> None:
    body = {key: value for key, value in LOOKUP.items() if key != "phone_number"}
    assert NumberLookup.from_json(body).number == "+14155550123"


def test_pricing_rates_stay_exact_decimals() -> None:
    assert Pricing.from_json(PRICING) == Pricing(
        country="United Kingdom",
        country_iso="GB",
        country_code=44,
        sms_outbound_rate=Decimal("0.04000"),
        sms_inbound_rate=Decimal("0.00000"),
        sms_networks=(
            Rate("Example Wireless", Decimal("0.04000")),
            Rate("Example Mobile", Decimal("0.04100")),
        ),
        voice_outbound=(Rate("local", Decimal("0.01000")),),
        voice_inbound=(Rate("local", Decimal("0.00850")), Rate("tollfree", Decimal("0.02100"))),
        api_id="api-11",
        voice_outbound_prefixes=(PrefixRate(("44",), Decimal("0.01")),),
    )


def test_pricing_without_message_or_voice_sections() -> None:
    parsed = Pricing.from_json({"country_iso": "XX", "message": None, "voice": []})
    assert parsed.sms_outbound_rate is None
    assert parsed.sms_networks == ()
    assert (parsed.voice_outbound, parsed.voice_inbound) == ((), ())
