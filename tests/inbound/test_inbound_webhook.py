"""The endpoint's settings and the URL Plivo signed, as the endpoint rebuilds it."""

from __future__ import annotations

import logging

import pytest

from devtools.daemon import StandInStorage
from devtools.sandbox.signing import signature_headers
from plivo_api.inbound.settings import EndpointSettings, app_id_of
from plivo_api.inbound.webhook import (
    Verified,
    WebhookRequest,
    check_signature,
    refuse_replay,
    signed_urls,
)

TOKEN = "MyAuthToken123"
HOOK = "0123456789abcdef0123456789abcdef"
PUBLIC = f"https://dify.example.com/e/{HOOK}/sms/inbound"
FORM = {"From": "14155552671", "To": "14155550199", "Text": "hi", "MessageUUID": "u"}


def settings(**extra: object) -> EndpointSettings:
    return EndpointSettings.from_mapping({"auth_id": "MAX", "auth_token": TOKEN, **extra})


def request(hook_url: str, headers: dict[str, str], method: str = "POST") -> WebhookRequest:
    params = {key: [value] for key, value in FORM.items()}
    return WebhookRequest(
        method=method,
        path="/sms/inbound",
        params=params if method == "POST" else {},
        headers={"Dify-Hook-Url": hook_url, "Dify-Hook-Id": HOOK, **headers},
    )


def test_settings_are_read_defensively() -> None:
    read = EndpointSettings.from_mapping(
        {
            "auth_id": " MAX ",
            "auth_token": "secret-token-value\n",
            "app": {"app_id": "a-1", "inputs": {}},
            "reply": "false",
            "status_app": {"id": "w-1"},
            "help_text": "Acme. Reply STOP to opt out.",
            "public_url": " https://dify.example.com ",
        }
    )
    assert (read.auth_id, read.auth_token, read.app_id, read.status_app_id) == (
        "MAX",
        "secret-token-value",
        "a-1",
        "w-1",
    )
    assert read.reply is False
    assert read.public_url == "https://dify.example.com"
    assert "secret-token-value" not in repr(read)
    defaults = EndpointSettings.from_mapping(None)
    assert defaults.reply is True and defaults.app_id == "" and defaults.help_text == ""


@pytest.mark.parametrize(
    ("value", "app_id"),
    [({"app_id": "a"}, "a"), ({"id": "b"}, "b"), ("c", "c"), ({}, ""), (None, ""), (3, "")],
)
def test_app_selector_values(value: object, app_id: str) -> None:
    assert app_id_of(value) == app_id


@pytest.mark.parametrize(
    "public_url",
    [
        "https://dify.example.com",
        "https://dify.example.com/",
        f"https://dify.example.com/e/{HOOK}",
        PUBLIC,
    ],
)
def test_the_public_url_may_be_the_site_the_endpoint_base_or_the_full_url(public_url: str) -> None:
    hidden = "http://10.0.0.7:5002/e/" + HOOK + "/sms/inbound"  # what Dify sees behind the proxy
    urls = signed_urls(request(hidden, {}), settings(public_url=public_url))
    assert PUBLIC in urls
    assert hidden in urls
    headers = signature_headers("POST", PUBLIC, FORM, TOKEN)
    verified = check_signature(request(hidden, headers), settings(public_url=public_url), "x")
    assert isinstance(verified, Verified)


def test_behind_a_proxy_without_public_url_the_request_is_refused_without_details(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hidden = "http://10.0.0.7:5002/e/" + HOOK + "/sms/inbound"
    headers = signature_headers("POST", PUBLIC, FORM, TOKEN)
    with caplog.at_level(logging.WARNING):
        answer = check_signature(request(hidden, headers), settings(), "inbound message")
    assert not isinstance(answer, Verified)
    assert (answer.status, answer.body) == (403, "Forbidden")
    [record] = caplog.records
    assert "signature mismatch" in record.getMessage()
    for leaked in (TOKEN, "10.0.0.7", HOOK, "4155552671", "hi"):
        assert leaked not in record.getMessage()


def test_a_get_is_checked_with_its_query() -> None:
    query = "&".join(f"{key}={value}" for key, value in FORM.items())
    signed = signature_headers("GET", PUBLIC + "?" + query, {}, TOKEN)
    incoming = WebhookRequest(
        method="GET",
        path="/sms/inbound",
        params={key: [value] for key, value in FORM.items()},
        query=query,
        headers={"Dify-Hook-Url": PUBLIC, "Dify-Hook-Id": HOOK, **signed},
    )
    assert isinstance(check_signature(incoming, settings(), "x"), Verified)
    tampered = WebhookRequest(
        method="GET",
        path="/sms/inbound",
        params={},
        query=query.replace("hi", "ho"),
        headers=incoming.headers,
    )
    assert not isinstance(check_signature(tampered, settings(), "x"), Verified)


def test_without_an_auth_token_nothing_is_accepted() -> None:
    headers = signature_headers("POST", PUBLIC, FORM, "")
    answer = check_signature(request(PUBLIC, headers), settings(auth_token=""), "x")
    assert not isinstance(answer, Verified) and answer.status == 403


def test_a_v2_signature_vouches_for_one_message_only() -> None:
    store = StandInStorage()
    every = signature_headers("POST", PUBLIC, FORM, TOKEN)
    headers = {name: value for name, value in every.items() if "-V2" in name}
    verified = check_signature(request(PUBLIC, headers), settings(), "x")
    assert isinstance(verified, Verified)
    assert refuse_replay(verified, "inbound:u", settings(), "x", store) is None
    assert refuse_replay(verified, "inbound:u", settings(), "x", store) is None  # a retry
    forged = refuse_replay(verified, "inbound:other", settings(), "x", store)
    assert forged is not None and (forged.status, forged.body) == (403, "Forbidden")


def test_a_v3_signature_needs_no_nonce_memory_its_parameters_are_signed() -> None:
    store = StandInStorage()
    headers = signature_headers("POST", PUBLIC, FORM, TOKEN)
    verified = check_signature(request(PUBLIC, headers), settings(), "x")
    assert isinstance(verified, Verified)
    assert refuse_replay(verified, "inbound:u", settings(), "x", store) is None
    assert refuse_replay(verified, "inbound:other", settings(), "x", store) is None
    assert store.calls == []  # another body would not match the V3 signature in the first place


def test_a_hook_url_naming_another_route_is_not_trusted() -> None:
    elsewhere = "https://logger.example.net/plivo/callback"
    headers = signature_headers("POST", elsewhere, FORM, TOKEN)
    answer = check_signature(request(elsewhere, headers), settings(), "x")
    assert not isinstance(answer, Verified) and answer.status == 403
