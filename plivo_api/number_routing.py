"""Where a Plivo number sends its traffic: the account's numbers and Applications.

Plivo routes an inbound message to the ``message_url`` of the Application linked to the number,
and an inbound call to that Application's ``answer_url`` (then ``hangup_url`` when it ends);
a number has no URLs of its own (https://www.plivo.com/docs/account/api/application,
https://www.plivo.com/docs/numbers/api/account-phone-number). So "point this number at a URL"
means "create an Application with that URL and link the number to it", and undoing it means
linking the number back to the Application it had before.

Only the calls the trigger's subscriptions need are here, each a thin wrapper over
:meth:`PlivoClient.request` returning the shared records of :mod:`plivo_api.resources`: list and
read the account's numbers, link a number, and create, read, find and delete Applications.
Requests send only the fields they mean to change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from .client import PlivoClient
from .errors import MalformedResponseError, NotFoundError
from .jsonvalues import str_of
from .models import display_number
from .paging import PAGE_SIZE_MAX, parse_page
from .resources import Application, RentedNumber

logger = logging.getLogger(__name__)

MAX_PAGES: Final = 25
"""500 numbers (or applications) at most: a picker longer than that is not usable anyway, and
the bound keeps a misbehaving ``meta.next`` from looping for ever."""
APPLICATION_OUTCOME_CHECK: Final = (
    "A Plivo application may have been created: look for it on the Applications page of the "
    "Plivo console (https://console.plivo.com/voice/applications/) before trying again."
)
"""What to check when creating an Application may or may not have reached Plivo."""
HTTP_METHOD_POST: Final = "POST"


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


def plivo_digits(number: str) -> str:
    """``+14155550100`` → ``14155550100``, the form Plivo's ``Number/{number}/`` paths use."""
    return number.strip().lstrip("+")


class NumberRouting:
    """The Number and Application calls of one account, through its :class:`PlivoClient`."""

    def __init__(self, client: PlivoClient) -> None:
        self.client = client

    def list_numbers(self) -> list[RentedNumber]:
        """Every rented number, page by page (at most :data:`MAX_PAGES` pages)."""
        return self._all("Number", RentedNumber.from_json, "number")

    def get_number(self, number: str) -> RentedNumber:
        digits = plivo_digits(number)
        try:
            data = self.client.request("GET", self.client.resource_url("Number", digits))
        except NotFoundError as error:
            raise NotFoundError(
                f"{display_number(digits) or digits} is not a number of this Plivo account: pick "
                "one of the account's numbers (Phone Numbers page of the Plivo console).",
                status=error.status,
                api_id=error.api_id,
                plivo_error=error.plivo_error,
            ) from None
        return RentedNumber.from_json(data)

    def link_number(self, number: str, app_id: str | None) -> None:
        """Link ``number`` to ``app_id``; ``None`` unlinks it (an empty ``app_id``)."""
        self.client.request(
            "POST",
            self.client.resource_url("Number", plivo_digits(number)),
            json_body={"app_id": app_id or ""},
        )

    def create_application(self, app_name: str, urls: ApplicationUrls) -> str:
        """The new Application's ID. Never repeated once it may have reached Plivo."""
        data = self.client.request(
            "POST",
            self.client.resource_url("Application"),
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
        data = self.client.request("GET", self.client.resource_url("Application", app_id))
        return Application.from_json(data)

    def find_applications(self, app_name: str) -> list[Application]:
        """Applications named exactly ``app_name`` (Plivo filters by name)."""
        found = self._all("Application", Application.from_json, "application", app_name=app_name)
        return [app for app in found if app.app_name == app_name]

    def default_number_application(self) -> Application | None:
        """The account's default application for numbers linked to none, if one is marked."""
        found = self._all("Application", Application.from_json, "application")
        return next((app for app in found if app.default_number_app), None)

    def delete_application(self, app_id: str) -> bool:
        """Delete it; False when Plivo no longer has it (already deleted counts as done)."""
        try:
            self.client.request("DELETE", self.client.resource_url("Application", app_id))
        except NotFoundError:
            return False
        return True

    def _all[T](
        self, collection: str, parse: Callable[[Mapping[str, Any]], T], what: str, **filters: str
    ) -> list[T]:
        records: list[T] = []
        offset: int | None = 0
        for _ in range(MAX_PAGES):
            if offset is None:
                return records
            params: dict[str, str | int] = {**filters, "limit": PAGE_SIZE_MAX, "offset": offset}
            data = self.client.request("GET", self.client.resource_url(collection), params=params)
            page = parse_page(data, parse, requested_offset=offset, what=what)
            records.extend(page.records)
            offset = page.next_offset
        if offset is not None:
            logger.info("stopped listing %s after %d pages", what, MAX_PAGES)
        return records


__all__ = [
    "APPLICATION_OUTCOME_CHECK",
    "MAX_PAGES",
    "ApplicationUrls",
    "NumberRouting",
    "plivo_digits",
]
