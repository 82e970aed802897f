"""Read models parsed defensively, and the client's typed readers against a real local server."""

from __future__ import annotations

from decimal import Decimal

import pytest

from plivo_api.errors import MalformedResponseError, NotFoundError, RateLimitedError
from plivo_api.models import (
    FINAL_STATES,
    MessagePage,
    MessageRecord,
    NumberLookup,
    Pricing,
    display_number,
)
from tests.conftest import AUTH_ID, AUTH_TOKEN

UUID = "5f0e4a8c-0000-4000-8000-00000000000a"
MESSAGE_PATH = f"/v1/Account/{AUTH_ID}/Message/"
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
        ],
    },
    "voice": {
        "inbound": {"local": {"rate": "0.00850"}, "tollfree": {"rate": "0.02100"}},
        "outbound": {"local": {"rate": "0.01000"}, "rates": [{"prefix": ["44"], "rate": "0.01"}]},
    },
}


# -- MessageRecord ----------------------------------------------------------------------------


def test_message_record_maps_every_documented_field() -> None:
    record = MessageRecord.from_json(MDR)
    assert record.to_dict() == {
        "message_uuid": UUID,
        "state": "delivered",
        "final": True,
        "error_code": None,
        "error": None,
        "advice": None,
        "retryable": None,
        "to": "+14155550123",
        "from": "+14155550100",
        "direction": "outbound",
        "type": "sms",
        "units": 1,
        "total_amount": 0.0079,
        "total_rate": 0.0079,
        "message_time": "2026-01-05 10:00:01+00:00",
        "sent_time": "2026-01-05 10:00:02+00:00",
        "delivered_time": "2026-01-05 10:00:05+00:00",
    }


def test_message_record_survives_an_empty_object() -> None:
    record = MessageRecord.from_json({})
    data = record.to_dict()
    assert data["state"] is None
    assert data["final"] is False
    assert all(data[k] is None for k in ("to", "from", "units", "total_amount", "error_code"))


@pytest.mark.parametrize("code", ["000", "0", "", None, 0, "00"])
def test_no_error_codes_mean_no_error(code: object) -> None:
    record = MessageRecord.from_json({**MDR, "error_code": code})
    assert record.error_code is None
    assert record.error_fields()["error"] is None


@pytest.mark.parametrize("code", ["30", 30, "030", 30.0])
def test_error_code_in_any_shape_gets_the_table_advice(code: object) -> None:
    record = MessageRecord.from_json(
        {**MDR, "message_state": "undelivered", "error_code": code, "error_message": "x"}
    )
    fields = record.error_fields()
    assert fields["error_code"] == "30"
    assert "spam" in str(fields["error"])
    assert "10DLC" in str(fields["advice"])
    assert fields["retryable"] is False
    assert record.to_dict()["delivered_time"] is None  # undelivered has no delivery time


def test_unknown_error_code_keeps_plivos_text() -> None:
    record = MessageRecord.from_json(
        {**MDR, "message_state": "failed", "error_code": "777", "error_message": "odd failure"}
    )
    fields = record.error_fields()
    assert fields["error"] == "Unknown error code 777: odd failure"
    assert fields["retryable"] is None


def test_numbers_sent_as_strings_and_odd_values_are_tolerated() -> None:
    record = MessageRecord.from_json(
        {**MDR, "units": "3", "total_amount": 0.5, "total_rate": "n/a", "message_state": "SENT"}
    )
    assert record.units == 3
    assert record.total_amount == Decimal("0.5")
    assert record.total_rate is None
    assert record.state == "sent"
    assert record.final is False


def test_delivered_time_prefers_an_explicit_field() -> None:
    record = MessageRecord.from_json({**MDR, "delivery_report_time": "2026-01-05 10:00:04+00:00"})
    assert record.delivered_time == "2026-01-05 10:00:04+00:00"


def test_final_states_are_exactly_the_documented_ones() -> None:
    assert {"delivered", "undelivered", "failed", "rejected", "read"} == FINAL_STATES


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("14155550123", "+14155550123"),
        ("447700900123", "+447700900123"),
        ("12345", "12345"),  # short code
        ("ACMESMS", "ACMESMS"),  # sender ID
        ("1415555***", "1415555***"),  # redacted by log=false
        ("", None),
        (None, None),
    ],
)
def test_display_number(raw: str | None, shown: str | None) -> None:
    assert display_number(raw) == shown


def test_compact_record_has_the_list_keys() -> None:
    compact = MessageRecord.from_json(
        {**MDR, "message_state": "failed", "error_code": "900"}
    ).to_compact_dict()
    assert set(compact) == {
        "uuid",
        "state",
        "direction",
        "from",
        "to",
        "time",
        "units",
        "error_code",
        "error",
        "advice",
    }
    assert compact["error_code"] == "900"
    assert "credit" in str(compact["advice"])


# -- MessagePage ------------------------------------------------------------------------------


def page(objects: list[object], **meta: object) -> dict[str, object]:
    return {"api_id": "a", "meta": meta, "objects": objects}


def test_page_next_offset_comes_from_plivos_next_url() -> None:
    body = page(
        [MDR, MDR],
        limit=2,
        offset=4,
        total_count=9,
        next=f"/v1/Account/{AUTH_ID}/Message/?limit=2&offset=6",
    )
    parsed = MessagePage.from_json(body)
    assert (parsed.offset, parsed.limit, parsed.total_count, parsed.next_offset) == (4, 2, 9, 6)
    assert len(parsed.records) == 2


def test_page_next_offset_is_null_at_the_end() -> None:
    assert MessagePage.from_json(page([MDR], limit=20, offset=0, total_count=1)).next_offset is None
    # A "next" link on a page that already reaches total_count is not followed.
    body = page([MDR], limit=1, offset=0, total_count=1, next="/x?offset=1")
    assert MessagePage.from_json(body).next_offset is None


def test_page_next_without_offset_argument_falls_back_to_the_count() -> None:
    body = page([MDR, MDR], limit="2", offset="0", total_count="5", next="/x?limit=2")
    assert MessagePage.from_json(body).next_offset == 2


def test_page_tolerates_missing_meta_and_objects() -> None:
    parsed = MessagePage.from_json({"api_id": "a"}, requested_offset=40)
    assert parsed.records == ()
    assert parsed.total_count is None
    assert parsed.offset == 40
    assert parsed.next_offset is None


def test_page_skips_non_object_entries_but_refuses_a_non_list() -> None:
    assert len(MessagePage.from_json(page([MDR, "junk", 3])).records) == 1
    with pytest.raises(MalformedResponseError):
        MessagePage.from_json({"objects": {"a": 1}})


# -- NumberLookup and Pricing -----------------------------------------------------------------


def test_lookup_maps_nested_fields() -> None:
    assert NumberLookup.from_json(LOOKUP).to_dict() == {
        "number": "+14155550123",
        "country": {"iso2": "US", "name": "United States"},
        "carrier": {
            "name": "Example Wireless",
            "type": "mobile",
            "ported": False,
            "mcc": "310",
            "mnc": "260",
        },
        "format": {
            "e164": "+14155550123",
            "national": "(415) 555-0123",
            "international": "+1 415-555-0123",
        },
    }


@pytest.mark.parametrize(("ported", "expected"), [("yes", True), ("no", False), ("unknown", None)])
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
    assert (result.carrier_type, result.mcc, result.mnc, result.national) == (
        "fixed",
        None,
        None,
        None,
    )
    assert result.number == "+14155550123"


def test_pricing_rates_become_numbers() -> None:
    data = Pricing.from_json(PRICING).to_dict()
    assert data == {
        "country": "United Kingdom",
        "country_iso": "GB",
        "country_code": 44,
        "currency": "USD",
        "sms": {
            "outbound_rate": 0.04,
            "inbound_rate": 0.0,
            "networks": [
                {"name": "Example Wireless", "rate": 0.04},
                {"name": "Example Mobile", "rate": 0.041},
            ],
        },
        "voice": {
            "outbound": {"local": 0.01},
            "inbound": {"local": 0.0085, "tollfree": 0.021},
        },
    }


def test_pricing_without_message_or_voice_sections() -> None:
    parsed = Pricing.from_json({"country_iso": "XX", "message": None, "voice": []})
    assert parsed.sms_outbound_rate is None
    assert parsed.networks == ()
    assert parsed.to_dict()["voice"] == {"outbound": {}, "inbound": {}}
    assert "unknown" in parsed.summary()


# -- typed client readers against pytest-httpserver -------------------------------------------


def test_get_message_reads_the_uuid_path(server, make_client) -> None:
    server.expect_request(f"{MESSAGE_PATH}{UUID}/", method="GET").respond_with_json(MDR)
    assert make_client().get_message(UUID).state == "delivered"


def test_unknown_message_is_a_no_such_message_error(server, make_client) -> None:
    server.expect_request(f"{MESSAGE_PATH}{UUID}/").respond_with_json(
        {"api_id": "api-404", "error": "not found"}, status=404
    )
    with pytest.raises(NotFoundError) as caught:
        make_client().get_message(UUID)
    text = str(caught.value)
    assert text.startswith(f"No such message: Plivo has no message {UUID}")
    assert "api_id api-404" in text
    assert "HTTP 404" in text
    assert AUTH_ID not in text and AUTH_TOKEN not in text


def test_list_messages_sends_the_query_and_pages(server, make_client) -> None:
    query = {"limit": "2", "offset": "2", "message_direction": "outbound"}
    server.expect_request(MESSAGE_PATH, method="GET", query_string=query).respond_with_json(
        page([MDR, MDR], limit=2, offset=2, total_count=5, next="/x?limit=2&offset=4")
    )
    result = make_client().list_messages({"limit": 2, "offset": 2, "message_direction": "outbound"})
    assert result.next_offset == 4
    assert result.total_count == 5


def test_list_messages_rate_limit_is_reported(server, make_client) -> None:
    server.expect_request(MESSAGE_PATH).respond_with_json(
        {"error": "too many requests"}, status=429, headers={"Retry-After": "30"}
    )
    with pytest.raises(RateLimitedError, match="20 per minute"):
        make_client().list_messages({"limit": 20, "offset": 0})


def test_lookup_calls_the_lookup_host_with_type_carrier(server, make_client) -> None:
    server.expect_request(
        "/v1/Number/+14155550123", method="GET", query_string={"type": "carrier"}
    ).respond_with_json(LOOKUP)
    assert make_client().lookup_number("+14155550123").carrier_type == "mobile"


@pytest.mark.parametrize(
    "body",
    [
        {"api_id": "l-1", "error_code": 20404, "message": "Phone number is invalid"},
        {"api_id": "l-1", "code": 20404, "error": "not found"},
    ],
)
def test_lookup_404_says_not_a_valid_number(server, make_client, body) -> None:
    server.expect_request("/v1/Number/+19999999999").respond_with_json(body, status=404)
    with pytest.raises(NotFoundError, match="not a valid or known phone number") as caught:
        make_client().lookup_number("+19999999999")
    assert caught.value.api_id == "l-1"


def test_pricing_sends_country_iso_and_explains_404(server, make_client) -> None:
    server.expect_request(
        f"/v1/Account/{AUTH_ID}/Pricing/", query_string={"country_iso": "GB"}
    ).respond_with_json(PRICING)
    server.expect_request(
        f"/v1/Account/{AUTH_ID}/Pricing/", query_string={"country_iso": "ZZ"}
    ).respond_with_json({"error": "not found"}, status=404)
    client = make_client()
    assert client.get_pricing("GB").sms_outbound_rate == Decimal("0.04000")
    with pytest.raises(NotFoundError, match="no price list for country ZZ"):
        client.get_pricing("ZZ")
