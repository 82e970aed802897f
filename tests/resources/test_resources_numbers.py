"""Rented numbers: 10DLC and toll-free verification, and how get_number and list_numbers word a
US number whose texts carriers block or filter (answers shaped like Plivo's SDK fixtures)."""

from __future__ import annotations

import pytest

from plivo_api.features import get_number, list_numbers
from plivo_api.resources.numbers import RentedNumber
from plivo_api.transport.paging import Page

ACCOUNT = "/v1/Account/MANWVLYTK4ZWU1YTY4ZT"
LOCAL = {
    "api_id": "88625e5e-1c92-11e4-80aa-12313f048015",
    "alias": None,
    "application": f"{ACCOUNT}/Application/29986316244302815/",
    "country": "United States",
    "mms_enabled": False,
    "monthly_rental_rate": "0.80000",
    "number": "17609915566",
    "number_type": "local",
    "region": "California, UNITED STATES",
    "sms_enabled": True,
    "tendlc_campaign_id": None,
    "tendlc_registration_status": "UNREGISTERED",
    "toll_free_sms_verification": None,
    "voice_enabled": True,
}
TOLL_FREE = {
    **LOCAL,
    "number": "18445550142",
    "number_type": "tollfree",
    "tendlc_registration_status": None,
    "toll_free_sms_verification": "verified",
}


def test_registration_fields_are_read() -> None:
    local = RentedNumber.from_json(LOCAL)
    assert (local.tendlc_registration_status, local.toll_free_sms_verification) == (
        "UNREGISTERED",
        None,
    )
    toll_free = RentedNumber.from_json(TOLL_FREE)
    assert toll_free.toll_free_sms_verification == "verified"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({}, "not registered for 10DLC (UNREGISTERED)"),
        ({"tendlc_registration_status": "PROCESSING"}, "not registered for 10DLC (PROCESSING)"),
        ({"tendlc_registration_status": "REGISTERED"}, None),
        ({"tendlc_registration_status": None}, None),  # Plivo did not say: no claim
        (
            {"tendlc_registration_status": None, "toll_free_sms_verification": "unverified"},
            "not verified for toll-free SMS (unverified)",
        ),
        ({"tendlc_registration_status": None, "toll_free_sms_verification": "verified"}, None),
        ({"sms_enabled": False}, None),  # no texts to block
        ({"country": "Canada", "region": "Ontario, CANADA"}, None),  # 10DLC is US only
    ],
)
def test_sms_blocked_reason(changes: dict[str, object], reason: str | None) -> None:
    assert RentedNumber.from_json({**LOCAL, **changes}).sms_blocked_reason == reason


def test_get_number_does_not_call_an_unregistered_us_number_simply_sms_enabled() -> None:
    output = get_number.present(RentedNumber.from_json(LOCAL), "+17609915566")
    assert output.text == (
        "+17609915566, local, United States: VOICE enabled; SMS enabled but not registered for "
        "10DLC (UNREGISTERED), so US carriers block or filter its texts; linked to application "
        "29986316244302815."
    )
    assert output.json["tendlc_registration_status"] == "UNREGISTERED"


def test_get_number_of_a_registered_number_reads_as_before() -> None:
    registered = {**LOCAL, "tendlc_registration_status": "REGISTERED"}
    output = get_number.present(RentedNumber.from_json(registered), "+17609915566")
    assert output.text == (
        "+17609915566, local, United States: SMS, VOICE enabled; linked to application "
        "29986316244302815."
    )


def test_an_unregistered_number_with_only_sms_says_so() -> None:
    only_sms = {**LOCAL, "voice_enabled": False}
    text = get_number.present(RentedNumber.from_json(only_sms), "+17609915566").text
    assert ": SMS enabled but not registered for 10DLC" in text
    assert "no services" not in text


def test_list_numbers_names_the_numbers_carriers_block() -> None:
    rows = (RentedNumber.from_json(LOCAL), RentedNumber.from_json(TOLL_FREE))
    page = Page(records=rows, total_count=2, next_offset=None, offset=0, api_id="a")
    output = list_numbers.present(list_numbers.NumberQuery(), page)
    assert "US carriers block or filter texts from +17609915566:" in output.text
    assert "+18445550142:" not in output.text
    assert [row["toll_free_sms_verification"] for row in output.json["numbers"]] == [
        None,
        "verified",
    ]
