"""get_number: the number read like any destination, one GET with Plivo's digits, what is
shown, and a number the account does not rent."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from plivo_api.errors import InputError, NotFoundError
from plivo_api.features import Invocation
from plivo_api.features.get_number import number_from, run
from tests.conftest import AUTH_ID, AUTH_TOKEN

NUMBER_PATH = f"/v1/Account/{AUTH_ID}/Number/442079460030/"
CREDENTIALS = {"auth_id": AUTH_ID, "auth_token": AUTH_TOKEN}
APP_ID = "27784745124961230"
NUMBER = {
    "api_id": "num-1",
    "number": "442079460030",
    "alias": "London desk",
    "number_type": "local",
    "region": "London, UNITED KINGDOM",
    "sms_enabled": True,
    "voice_enabled": True,
    "mms_enabled": False,
    "application": f"/v1/Account/{AUTH_ID}/Application/{APP_ID}/",
    "monthly_rental_rate": "0.80000",
}


@pytest.mark.parametrize("raw", ["+44 20 7946 0030", "0044 (0)20 7946 0030", "442079460030"])
def test_the_number_is_read_like_a_destination(raw: str) -> None:
    assert number_from({"number": raw}) == "+442079460030"


@pytest.mark.parametrize(("raw", "phrase"), [(None, "number is required"), ("12", "too short")])
def test_a_bad_number_names_the_parameter(raw: str | None, phrase: str) -> None:
    with pytest.raises(InputError, match=phrase) as caught:
        number_from({"number": raw})
    assert caught.value.parameter == "number"


@pytest.fixture
def plivo(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("PLIVO_API_BASE_URL", server.url_for("").rstrip("/"))
    return server


def test_run_reads_the_number_once_and_shows_it(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(NUMBER_PATH, method="GET").respond_with_json(NUMBER)
    output = run(Invocation({"number": "+44 20 7946 0030"}, CREDENTIALS))
    data = output.json
    assert (data["number"], data["alias"], data["type"]) == (
        "+442079460030",
        "London desk",
        "local",
    )
    assert (data["country"], data["application"]) == ("United Kingdom", APP_ID)
    assert (data["monthly_rental_rate"], data["api_id"]) == (0.8, "num-1")
    assert output.variables == {
        "number": "+442079460030",
        "application": APP_ID,
        "sms_enabled": True,
        "voice_enabled": True,
    }
    assert output.text == (
        f"+442079460030 (London desk), local, United Kingdom: SMS, VOICE enabled; linked to "
        f"application {APP_ID}."
    )
    assert len(plivo.log) == 1


def test_a_number_without_services_or_application(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(NUMBER_PATH, method="GET").respond_with_json(
        {**NUMBER, "alias": None, "sms_enabled": False, "voice_enabled": False, "application": ""}
    )
    output = run(Invocation({"number": "+442079460030"}, CREDENTIALS))
    assert output.variables["application"] is None
    assert output.text.endswith(": no services enabled; not linked to an application.")


def test_a_number_the_account_does_not_rent(plivo: HTTPServer) -> None:
    plivo.expect_oneshot_request(NUMBER_PATH, method="GET").respond_with_json(
        {"api_id": "num-2", "error": "not found"}, status=404
    )
    with pytest.raises(NotFoundError, match=r"\+442079460030 is not a number this Plivo account"):
        run(Invocation({"number": "+442079460030"}, CREDENTIALS))


def test_a_bad_number_sends_nothing(plivo: HTTPServer) -> None:
    with pytest.raises(InputError):
        run(Invocation({"number": "four one five"}, CREDENTIALS))
    assert plivo.log == []
