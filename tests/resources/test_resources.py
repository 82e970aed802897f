"""Rented numbers, applications and SIP endpoints read from Plivo's answers, and shown."""

from __future__ import annotations

from decimal import Decimal

from plivo_api.resources.applications import Application, application_fields, application_id
from plivo_api.resources.endpoints import Endpoint, endpoint_fields
from plivo_api.resources.numbers import RentedNumber, country_of, number_fields

ACCOUNT = "/v1/Account/MANWVLYTK4ZWU1YTY4ZT"


def test_application_uri_becomes_its_id() -> None:
    assert application_id(f"{ACCOUNT}/Application/29986316244302815/") == "29986316244302815"
    assert application_id("29986316244302815") == "29986316244302815"
    assert application_id(f"{ACCOUNT}/Number/1/") is None
    assert application_id("") is None
    assert application_id(None) is None


def test_the_country_comes_from_plivos_country_or_the_region() -> None:
    assert country_of({"country": "Canada", "region": "x, UNITED STATES"}) == "Canada"
    assert country_of({"region": "California, UNITED STATES"}) == "United States"
    assert country_of({"region": "UNITED KINGDOM"}) == "United Kingdom"
    assert country_of({"region": ""}) is None
    assert country_of({}) is None


def test_rented_number() -> None:
    number = RentedNumber.from_json(
        {
            "alias": None,
            "api_id": "a",
            "application": f"{ACCOUNT}/Application/29986316244302815/",
            "monthly_rental_rate": "0.80000",
            "number": "17609915566",
            "number_type": "local",
            "sms_enabled": True,
            "voice_enabled": "false",
        }
    )
    assert number_fields(number) == {
        "number": "+17609915566",
        "alias": None,
        "type": "local",
        "country": None,
        "sms_enabled": True,
        "voice_enabled": False,
        "mms_enabled": None,
        "application": "29986316244302815",
        "monthly_rental_rate": 0.8,
        "tendlc_registration_status": None,
        "toll_free_sms_verification": None,
    }
    assert number.monthly_rental_rate == Decimal("0.80000")
    assert number.api_id == "a"


def test_application_reads_default_app_under_the_request_name() -> None:
    app = Application.from_json(
        {
            "answer_method": "POST",
            "answer_url": "http://example.com/",
            "app_id": "20468599130939380",
            "app_name": "demo",
            "default_app": True,
            "default_endpoint_app": False,
            "fallback_answer_url": "",
            "public_uri": False,
        }
    )
    fields = application_fields(app)
    assert fields["default_number_app"] is True
    assert fields["fallback_answer_url"] is None  # Plivo's "" means unset
    assert fields["log_incoming_messages"] is None
    assert list(fields) == [
        "app_id",
        "app_name",
        "answer_url",
        "answer_method",
        "hangup_url",
        "hangup_method",
        "fallback_answer_url",
        "fallback_method",
        "message_url",
        "message_method",
        "default_number_app",
        "default_endpoint_app",
        "log_incoming_messages",
        "public_uri",
    ]


def test_endpoint_never_carries_a_password() -> None:
    endpoint = Endpoint.from_json(
        {
            "alias": "callme",
            "application": f"{ACCOUNT}/Application/33406267401237901/",
            "endpoint_id": "32866729519064",
            "password": "must-not-appear",
            "sip_registered": "true",
            "sip_uri": "sip:callme140703093944@phone.plivo.com",
            "username": "callme140703093944",
        }
    )
    assert endpoint_fields(endpoint) == {
        "endpoint_id": "32866729519064",
        "username": "callme140703093944",
        "alias": "callme",
        "application": "33406267401237901",
        "sip_uri": "sip:callme140703093944@phone.plivo.com",
        "sip_registered": True,
        "sip_contact": None,
        "sip_expires": None,
    }
    assert "must-not-appear" not in repr(endpoint)
