"""Applications: the URLs Plivo calls for the calls and messages of the numbers and SIP
endpoints linked to them (https://www.plivo.com/docs/account/api/application/).

Plivo routes an inbound message to the ``message_url`` of the Application linked to the number,
and an inbound call to that Application's ``answer_url`` (then ``hangup_url`` when it ends); a
number has no URLs of its own. So "point this number at a URL" means "create an Application with
that URL and link the number to it" (:func:`plivo_api.resources.numbers.link_number`). Requests
send only the fields they mean to change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..errors import MalformedResponseError, NotFoundError
from ..transport.client import PlivoClient
from ..transport.jsonvalues import bool_of, str_of
from . import rest

APPLICATION_OUTCOME_CHECK: Final = (
    "A Plivo application may have been created: look for it on the Applications page of the "
    "Plivo console (https://console.plivo.com/voice/applications/) before trying again."
)
"""What to check when creating an Application may or may not have reached Plivo."""
HTTP_METHOD_POST: Final = "POST"
_APPLICATION_URI = re.compile(r"/Application/([^/]+)/?$")


def application_id(uri: str | None) -> str | None:
    """``/v1/Account/MA…/Application/2778…/`` → ``2778…``; a bare ID is kept as it is."""
    if not uri or not uri.strip():
        return None
    match = _APPLICATION_URI.search(uri.strip())
    if match:
        return match.group(1)
    return uri.strip() if "/" not in uri else None


@dataclass(frozen=True)
class Application:
    """A Plivo application.

    Plivo reads ``default_number_app`` in requests and shows it as ``default_app``; both are
    read here, under the request's name.
    """

    app_id: str | None
    app_name: str | None
    answer_url: str | None
    answer_method: str | None
    hangup_url: str | None
    hangup_method: str | None
    fallback_answer_url: str | None
    fallback_method: str | None
    message_url: str | None
    message_method: str | None
    default_number_app: bool | None
    default_endpoint_app: bool | None
    log_incoming_messages: bool | None
    public_uri: bool | None
    api_id: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Application:
        default_app = data.get("default_number_app", data.get("default_app"))
        return cls(
            app_id=str_of(data, "app_id"),
            app_name=str_of(data, "app_name"),
            answer_url=str_of(data, "answer_url"),
            answer_method=str_of(data, "answer_method"),
            hangup_url=str_of(data, "hangup_url"),
            hangup_method=str_of(data, "hangup_method"),
            fallback_answer_url=str_of(data, "fallback_answer_url"),
            fallback_method=str_of(data, "fallback_method"),
            message_url=str_of(data, "message_url"),
            message_method=str_of(data, "message_method"),
            default_number_app=bool_of(default_app),
            default_endpoint_app=bool_of(data.get("default_endpoint_app")),
            log_incoming_messages=bool_of(data.get("log_incoming_messages")),
            public_uri=bool_of(data.get("public_uri")),
            api_id=str_of(data, "api_id"),
        )


def application_fields(app: Application) -> dict[str, object]:
    """An application in every tool's output."""
    return {
        "app_id": app.app_id,
        "app_name": app.app_name,
        "answer_url": app.answer_url,
        "answer_method": app.answer_method,
        "hangup_url": app.hangup_url,
        "hangup_method": app.hangup_method,
        "fallback_answer_url": app.fallback_answer_url,
        "fallback_method": app.fallback_method,
        "message_url": app.message_url,
        "message_method": app.message_method,
        "default_number_app": app.default_number_app,
        "default_endpoint_app": app.default_endpoint_app,
        "log_incoming_messages": app.log_incoming_messages,
        "public_uri": app.public_uri,
    }


APPLICATIONS: Final = rest.Collection(
    path="Application",
    noun="application",
    plural="applications",
    id_key="app_id",
    parse=Application.from_json,
    fields=application_fields,
    name_of=lambda app: app.app_name,
)


@dataclass(frozen=True)
class ApplicationUrls:
    """The URLs (and their methods) an Application sends a number's traffic to; "" = none."""

    message_url: str = ""
    message_method: str = HTTP_METHOD_POST
    answer_url: str = ""
    answer_method: str = HTTP_METHOD_POST
    hangup_url: str = ""
    hangup_method: str = HTTP_METHOD_POST
    fallback_answer_url: str = ""
    fallback_method: str = HTTP_METHOD_POST

    @classmethod
    def of(cls, app: Application) -> ApplicationUrls:
        def method(value: str | None) -> str:
            return (value or HTTP_METHOD_POST).upper()

        return cls(
            message_url=app.message_url or "",
            message_method=method(app.message_method),
            answer_url=app.answer_url or "",
            answer_method=method(app.answer_method),
            hangup_url=app.hangup_url or "",
            hangup_method=method(app.hangup_method),
            fallback_answer_url=app.fallback_answer_url or "",
            fallback_method=method(app.fallback_method),
        )

    def with_message_url(self, url: str) -> ApplicationUrls:
        """These call URLs, with messages going to ``url``."""
        return ApplicationUrls(
            message_url=url,
            answer_url=self.answer_url,
            answer_method=self.answer_method,
            hangup_url=self.hangup_url,
            hangup_method=self.hangup_method,
            fallback_answer_url=self.fallback_answer_url,
            fallback_method=self.fallback_method,
        )

    def to_payload(self) -> dict[str, str]:
        """The request fields for the URLs that are set (a URL's method goes with it)."""
        pairs = (
            ("message_url", self.message_url, "message_method", self.message_method),
            ("answer_url", self.answer_url, "answer_method", self.answer_method),
            ("hangup_url", self.hangup_url, "hangup_method", self.hangup_method),
            (
                "fallback_answer_url",
                self.fallback_answer_url,
                "fallback_method",
                self.fallback_method,
            ),
        )
        payload: dict[str, str] = {}
        for url_key, url, method_key, method in pairs:
            if url:
                payload[url_key] = url
                payload[method_key] = method
        return payload


def create_application(client: PlivoClient, app_name: str, urls: ApplicationUrls) -> str:
    """The new Application's ID. Never repeated once it may have reached Plivo."""
    data = rest.create(
        client,
        "Application",
        {"app_name": app_name, **urls.to_payload()},
        check=APPLICATION_OUTCOME_CHECK,
    )
    app_id = str_of(data, "app_id")
    if app_id is None:
        raise MalformedResponseError(
            f"Plivo created an application but did not say its ID. {APPLICATION_OUTCOME_CHECK}"
        )
    return app_id


def get_application(client: PlivoClient, app_id: str) -> Application:
    return Application.from_json(rest.read_one(client, "Application", app_id))


def find_applications(client: PlivoClient, app_name: str) -> list[Application]:
    """Applications named exactly ``app_name`` (Plivo filters by name)."""
    found = rest.read_all(
        client,
        "Application",
        Application.from_json,
        what="application",
        filters={"app_name": app_name},
    )
    return [app for app in found if app.app_name == app_name]


def default_number_application(client: PlivoClient) -> Application | None:
    """The account's default application for numbers linked to none, if one is marked."""
    found = rest.read_all(client, "Application", Application.from_json, what="application")
    return next((app for app in found if app.default_number_app), None)


def delete_application(client: PlivoClient, app_id: str) -> bool:
    """Delete it; False when Plivo no longer has it (already deleted counts as done)."""
    try:
        rest.delete(client, "Application", app_id)
    except NotFoundError:
        return False
    return True


__all__ = [
    "APPLICATIONS",
    "APPLICATION_OUTCOME_CHECK",
    "Application",
    "ApplicationUrls",
    "application_fields",
    "application_id",
    "create_application",
    "default_number_application",
    "delete_application",
    "find_applications",
    "get_application",
]
