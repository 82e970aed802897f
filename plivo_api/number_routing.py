"""Where a Plivo number sends its traffic: the account's numbers and Applications.

Plivo routes an inbound message to the ``message_url`` of the Application linked to the number,
and an inbound call to that Application's ``answer_url`` (then ``hangup_url`` when it ends);
a number has no URLs of its own (https://www.plivo.com/docs/account/api/application,
https://www.plivo.com/docs/numbers/api/account-phone-number). So "point this number at a URL"
means "create an Application with that URL and link the number to it", and undoing it means
linking the number back to the Application it had before.

Only the calls the trigger's subscriptions need are here, each a thin typed wrapper over
:meth:`PlivoClient.request`: list and read the account's numbers, link a number, and create,
read, find and delete Applications. Requests send only the fields they mean to change.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .client import PlivoClient
from .errors import MalformedResponseError, NotFoundError
from .jsonvalues import bool_of, int_of, mapping_of, str_of
from .models import display_number

logger = logging.getLogger(__name__)

PAGE_LIMIT = 20
"""Plivo's largest page for ``GET /Number/`` and ``GET /Application/``."""
MAX_PAGES = 25
"""500 numbers (or applications) at most: a picker longer than that is not usable anyway, and
the bound keeps a misbehaving ``meta.next`` from looping for ever."""
NO_CONTENT = 204
APPLICATION_OUTCOME_CHECK = (
    "A Plivo application may have been created: look for it on the Applications page of the "
    "Plivo console (https://console.plivo.com/voice/applications/) before trying again."
)
"""What to check when creating an Application may or may not have reached Plivo."""
HTTP_METHOD_POST = "POST"


@dataclass(frozen=True)
class OwnedNumber:
    """A number rented by the account, with what it can do and the Application it is linked to.

    ``number`` is E.164 (``+14155550100``) for phone numbers and Plivo's own text otherwise;
    ``plivo_number`` is the form Plivo's paths use (digits, no ``+``).
    """

    number: str
    plivo_number: str
    alias: str | None
    app_id: str | None
    sms_enabled: bool
    voice_enabled: bool
    mms_enabled: bool
    number_type: str | None
    country: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OwnedNumber:
        raw = (str_of(data, "number") or "").strip()
        return cls(
            number=display_number(raw) or raw,
            plivo_number=raw.lstrip("+"),
            alias=str_of(data, "alias"),
            app_id=app_id_of(data.get("application")),
            sms_enabled=bool_of(data.get("sms_enabled")) is True,
            voice_enabled=bool_of(data.get("voice_enabled")) is True,
            mms_enabled=bool_of(data.get("mms_enabled")) is True,
            number_type=str_of(data, "number_type"),
            country=str_of(data, "country"),
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

    @property
    def handles_calls(self) -> bool:
        return bool(self.answer_url)

    def voice_only(self) -> ApplicationUrls:
        """The same call handling without the message URL."""
        return ApplicationUrls(
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

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ApplicationUrls:
        def method(key: str) -> str:
            return (str_of(data, key) or HTTP_METHOD_POST).upper()

        return cls(
            message_url=str_of(data, "message_url") or "",
            message_method=method("message_method"),
            answer_url=str_of(data, "answer_url") or "",
            answer_method=method("answer_method"),
            hangup_url=str_of(data, "hangup_url") or "",
            hangup_method=method("hangup_method"),
            fallback_answer_url=str_of(data, "fallback_answer_url") or "",
            fallback_method=method("fallback_method"),
        )


@dataclass(frozen=True)
class Application:
    app_id: str
    app_name: str
    urls: ApplicationUrls

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Application:
        return cls(
            app_id=str_of(data, "app_id") or "",
            app_name=str_of(data, "app_name") or "",
            urls=ApplicationUrls.from_json(data),
        )


def app_id_of(value: object) -> str | None:
    """The ID in Plivo's ``/v1/Account/{id}/Application/{app_id}/`` reference (or a bare ID)."""
    if not isinstance(value, str) or not value.strip():
        return None
    parts = [part for part in value.strip().split("/") if part]
    return parts[-1] if parts else None


class NumberRouting:
    """The Number and Application calls of one account, through its :class:`PlivoClient`."""

    def __init__(self, client: PlivoClient) -> None:
        self.client = client

    def list_numbers(self) -> list[OwnedNumber]:
        """Every rented number, page by page (at most :data:`MAX_PAGES` pages)."""
        numbers: list[OwnedNumber] = []
        for objects in self._pages("Number/"):
            numbers.extend(OwnedNumber.from_json(item) for item in objects)
        return numbers

    def get_number(self, number: str) -> OwnedNumber:
        digits = number.strip().lstrip("+")
        try:
            data = self.client.request("GET", self._url("Number/", digits))
        except NotFoundError as error:
            raise NotFoundError(
                f"{display_number(digits) or digits} is not a number of this Plivo account: pick "
                "one of the account's numbers (Phone Numbers page of the Plivo console).",
                status=error.status,
                api_id=error.api_id,
                plivo_error=error.plivo_error,
            ) from None
        return OwnedNumber.from_json(data)

    def link_number(self, number: OwnedNumber, app_id: str | None) -> None:
        """Link ``number`` to ``app_id``; ``None`` unlinks it (an empty ``app_id``)."""
        self.client.request(
            "POST", self._url("Number/", number.plivo_number), json_body={"app_id": app_id or ""}
        )

    def create_application(self, app_name: str, urls: ApplicationUrls) -> str:
        """The new Application's ID. Never repeated once it may have reached Plivo."""
        data = self.client.request(
            "POST",
            self.client.account_url + "Application/",
            json_body={"app_name": app_name, **urls.to_payload()},
            creates=APPLICATION_OUTCOME_CHECK,
        )
        app_id = str_of(data, "app_id")
        if app_id is None:
            raise MalformedResponseError(
                f"Plivo created an application but did not say its ID. {APPLICATION_OUTCOME_CHECK}"
            )
        return app_id

    def get_application(self, app_id: str) -> Application:
        return Application.from_json(self.client.request("GET", self._url("Application/", app_id)))

    def find_applications(self, app_name: str) -> list[Application]:
        """Applications named exactly ``app_name`` (Plivo filters by name)."""
        found: list[Application] = []
        for objects in self._pages("Application/", {"app_name": app_name}):
            found.extend(
                app
                for app in (Application.from_json(item) for item in objects)
                if app.app_name == app_name
            )
        return found

    def delete_application(self, app_id: str) -> bool:
        """Delete it; False when Plivo no longer has it (already deleted counts as done)."""
        try:
            self.client.request("DELETE", self._url("Application/", app_id))
        except NotFoundError:
            return False
        except MalformedResponseError as error:
            # A delete answers 204 with no body, which the client reads as "not the JSON
            # Plivo documents"; the status says it worked.
            if error.status != NO_CONTENT:
                raise
        return True

    def _url(self, collection: str, key: str) -> str:
        return f"{self.client.account_url}{collection}{quote(key, safe='')}/"

    def _pages(
        self, collection: str, filters: Mapping[str, str] | None = None
    ) -> list[list[Mapping[str, Any]]]:
        pages: list[list[Mapping[str, Any]]] = []
        offset = 0
        for _ in range(MAX_PAGES):
            params: dict[str, str | int] = {
                **(filters or {}),
                "limit": PAGE_LIMIT,
                "offset": offset,
            }
            data = self.client.request("GET", self.client.account_url + collection, params=params)
            raw = data.get("objects")
            objects = (
                [item for item in raw if isinstance(item, Mapping)] if isinstance(raw, list) else []
            )
            pages.append(objects)
            meta = mapping_of(data, "meta")
            total = int_of(meta.get("total_count"))
            offset += len(objects)
            if not objects or meta.get("next") is None or (total is not None and offset >= total):
                break
        else:
            logger.info("stopped listing %s after %d pages", collection.rstrip("/"), MAX_PAGES)
        return pages


__all__ = [
    "APPLICATION_OUTCOME_CHECK",
    "MAX_PAGES",
    "PAGE_LIMIT",
    "Application",
    "ApplicationUrls",
    "NumberRouting",
    "OwnedNumber",
    "app_id_of",
]
