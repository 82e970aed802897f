"""SIP endpoints: where and until when a device is registered (an answer shaped like Plivo's SDK
fixture endpointGetResponse)."""

from __future__ import annotations

from plivo_api.resources.endpoints import Endpoint, endpoint_fields

REGISTERED = {
    "alias": "callme",
    "application": "/v1/Account/MANWVLYTK4ZWU1YTY4ZT/Application/33406267401237901/",
    "endpoint_id": "32866729519064",
    "sip_contact": "sip:callme140703093224@122.172.71.207:57563;ob",
    "sip_expires": "2014-07-21 19:26:08",
    "sip_registered": "true",
    "sip_uri": "sip:callme140703093944@phone.plivo.com",
    "sip_user_agent": "Telephone 1.1.4",
    "username": "callme140703093944",
}


def test_a_registered_device_says_where_and_until_when() -> None:
    fields = endpoint_fields(Endpoint.from_json(REGISTERED))
    assert fields["sip_registered"] is True
    assert fields["sip_contact"] == "sip:callme140703093224@122.172.71.207:57563;ob"
    assert fields["sip_expires"] == "2014-07-21 19:26:08"


def test_an_unregistered_endpoint_has_null_contact_and_expiry() -> None:
    # The list fixture leaves the fields out; the sandbox, like Plivo's console, sends "".
    for gone in ({}, {"sip_contact": "", "sip_expires": ""}):
        body = {k: v for k, v in REGISTERED.items() if k not in ("sip_contact", "sip_expires")}
        fields = endpoint_fields(Endpoint.from_json({**body, **gone, "sip_registered": "false"}))
        assert (fields["sip_contact"], fields["sip_expires"]) == (None, None)
