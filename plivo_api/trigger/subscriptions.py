"""Point a Plivo number at a webhook URL, and put it back exactly as it was.

A subscription gets an Application of its own, named after the number and the endpoint, whose
``message_url`` is the endpoint, and (when calls should start workflows too) whose answer and
hangup URLs are the endpoint as well. The number is then linked to it. The number's previous
Application is remembered, so removing the subscription links the number back to it and deletes
the created one. Touching the number's existing Application instead would change every other
number linked to it (https://www.plivo.com/docs/messaging/api/message/handling-incoming).

When calls should not start workflows, the new Application copies the previous one's call URLs:
linking a number to another Application moves its calls too, and the number's callers must keep
getting what they got before.

Subscribing either completes or leaves the account as it was: a failure after the Application was
created deletes it again, after putting the number's link back when Plivo may have changed it.
Only when that clean-up fails too does the error name what is left, so the user can remove it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from .. import params as read
from ..errors import (
    AuthenticationError,
    InputError,
    InvalidRequestError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    PlivoError,
    RateLimitedError,
)
from ..messaging.digits import display_number, to_plivo
from ..messaging.numbers import InvalidNumberError, normalize_number
from ..params import http_url
from ..resources import applications, numbers
from ..resources.applications import Application, ApplicationUrls
from ..resources.numbers import RentedNumber
from ..text import shorten
from ..transport.client import PlivoClient
from .call_answers import CallAnswer

logger = logging.getLogger(__name__)

APP_NAME_PREFIX: Final = "dify-trigger"
ENDPOINT_TAG_CHARS: Final = 10
"""Hex characters of the endpoint's hash in the Application name: tells two subscriptions of one
number apart without writing the endpoint URL into the Plivo console."""

MAX_NUMBERS_NAMED: Final = 5
"""A kept Application's other numbers named in the unsubscribe message; more are counted."""

PROPERTY_PHONE_NUMBER: Final = "phone_number"
PROPERTY_APP_ID: Final = "app_id"
PROPERTY_APP_NAME: Final = "app_name"
PROPERTY_PREVIOUS_APP_ID: Final = "previous_app_id"
PROPERTY_RECEIVE_CALLS: Final = "receive_calls"
PARAM_PHONE_NUMBER: Final = "phone_number"
PARAM_RECEIVE_CALLS: Final = "receive_calls"
PARAM_CALL_GREETING: Final = "call_greeting"

CODE_NUMBER: Final = "PLIVO_NUMBER_UNUSABLE"
CODE_PLIVO: Final = "PLIVO_REQUEST_FAILED"
CODE_LEFTOVER: Final = "PLIVO_ROLLBACK_INCOMPLETE"

# Errors after which Plivo provably did not apply the request: it answered with a refusal.
# (A transport error may come after Plivo applied it: the client says "connection broke" for a
# request that was sent and never answered.)
_DEFINITE_REFUSALS = (
    AuthenticationError,
    PermissionDeniedError,
    NotFoundError,
    InvalidRequestError,
    RateLimitedError,
)


@dataclass(frozen=True)
class _Number:
    """The parts of a rented number a subscription needs, with Plivo's gaps filled in: a field
    Plivo left out counts as "no" (no application, no SMS)."""

    number: str
    app_id: str | None
    sms_enabled: bool
    voice_enabled: bool

    @classmethod
    def of(cls, rented: RentedNumber, asked: str) -> _Number:
        return cls(
            number=rented.number or display_number(to_plivo(asked)) or asked.strip(),
            app_id=rented.application,
            sms_enabled=rented.sms_enabled is True,
            voice_enabled=rented.voice_enabled is True,
        )

    @property
    def digits(self) -> str:
        return to_plivo(self.number)


@dataclass(frozen=True)
class _Cleanup:
    """How undoing a half-done subscription ended: ``complete`` when nothing is left behind."""

    sentence: str
    complete: bool


class SubscriptionFailedError(PlivoError):
    """Subscribing did not complete; the message says what happened and what is left, if any.

    ``code`` is a stable word for the kind of failure (``CODE_*``).
    """

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class SubscriptionRequest:
    """What the user chose: the number (E.164 or Plivo's digits), where Plivo should call, and
    whether calls start workflows too."""

    phone_number: str
    endpoint: str
    receive_calls: bool = True


@dataclass(frozen=True)
class SubscriptionRecord:
    """What a created subscription must remember to be undone (no credential in here)."""

    phone_number: str
    app_id: str
    app_name: str
    previous_app_id: str | None
    receive_calls: bool

    def to_properties(self) -> dict[str, Any]:
        return {
            PROPERTY_PHONE_NUMBER: self.phone_number,
            PROPERTY_APP_ID: self.app_id,
            PROPERTY_APP_NAME: self.app_name,
            PROPERTY_PREVIOUS_APP_ID: self.previous_app_id or "",
            PROPERTY_RECEIVE_CALLS: self.receive_calls,
        }

    @classmethod
    def from_properties(cls, properties: Mapping[str, Any]) -> SubscriptionRecord | None:
        """The record of a subscription this module created; ``None`` for any other (a manual
        subscription has nothing at Plivo to undo)."""
        number = properties.get(PROPERTY_PHONE_NUMBER)
        app_id = properties.get(PROPERTY_APP_ID)
        if not isinstance(number, str) or not number or not isinstance(app_id, str) or not app_id:
            return None
        previous = properties.get(PROPERTY_PREVIOUS_APP_ID)
        name = properties.get(PROPERTY_APP_NAME)
        return cls(
            phone_number=number,
            app_id=app_id,
            app_name=name if isinstance(name, str) else "",
            previous_app_id=previous if isinstance(previous, str) and previous else None,
            receive_calls=properties.get(PROPERTY_RECEIVE_CALLS) is True,
        )


@dataclass(frozen=True)
class UnsubscribeOutcome:
    """``success`` is False only when something at Plivo could not be undone; ``message`` says
    what was done, and what is left to do by hand."""

    success: bool
    message: str


def application_name(number: str, endpoint: str) -> str:
    """``dify-trigger-14155550100-1a2b3c4d5e``: recognisable in the console, unique per endpoint,
    and the same on a second try (so an Application whose creation timed out can be found)."""
    tag = hashlib.sha256(endpoint.encode("utf-8")).hexdigest()[:ENDPOINT_TAG_CHARS]
    return f"{APP_NAME_PREFIX}-{to_plivo(number)}-{tag}"


def plan_urls(
    endpoint: str, *, voice_enabled: bool, receive_calls: bool, previous: Application | None
) -> ApplicationUrls:
    """The new Application's URLs: messages always go to the endpoint; calls go there when they
    should start workflows (and the number takes calls), else wherever they went before."""
    if receive_calls and voice_enabled:
        return ApplicationUrls(message_url=endpoint, answer_url=endpoint, hangup_url=endpoint)
    kept = ApplicationUrls.of(previous) if previous is not None else ApplicationUrls()
    return kept.with_message_url(endpoint)


def subscribe(client: PlivoClient, request: SubscriptionRequest) -> SubscriptionRecord:
    """Create the Application and link the number; on failure leave the account as it was.

    Raises :class:`InputError` for a bad number or endpoint (nothing sent) and
    :class:`SubscriptionFailedError` for anything Plivo refused or did not answer.
    """
    endpoint = http_url(request.endpoint.strip(), "endpoint")
    if not request.phone_number.strip():
        raise InputError(
            "phone_number", "phone_number is required: pick one of your Plivo numbers."
        )
    _refuse_national_number(request.phone_number)
    try:
        number = _read_number(client, request.phone_number)
    except PlivoError as error:
        raise SubscriptionFailedError(
            f"Could not read {request.phone_number.strip()} from Plivo: {error} "
            "Nothing was changed.",
            code=CODE_NUMBER if isinstance(error, NotFoundError) else CODE_PLIVO,
        ) from None
    if not number.sms_enabled and not number.voice_enabled:
        raise SubscriptionFailedError(
            f"{number.number} can neither receive messages nor calls at Plivo; pick another "
            "number. Nothing was changed.",
            code=CODE_NUMBER,
        )
    receive_calls = request.receive_calls and number.voice_enabled
    current = _current_application(client, number)
    if current is not None and (current.app_name or "").startswith(APP_NAME_PREFIX):
        raise SubscriptionFailedError(
            f"{number.number} already starts workflows through another subscription (Plivo "
            f"application {current.app_name}). Delete that subscription first, or add this "
            "workflow to it. Nothing was changed.",
            code=CODE_NUMBER,
        )
    previous = current if not receive_calls else None
    if previous is None and not receive_calls and number.voice_enabled:
        # A number linked to no application takes its calls from the account's default one.
        previous = _default_application(client, number)
    name = application_name(number.number, endpoint)
    urls = plan_urls(
        endpoint, voice_enabled=number.voice_enabled, receive_calls=receive_calls, previous=previous
    )
    try:
        app_id = applications.create_application(client, name, urls)
    except OutcomeUnknownError as error:
        cleanup = _remove_by_name(client, name)
        raise SubscriptionFailedError(
            f"Creating the Plivo application for {number.number} did not complete: {error} "
            f"{cleanup.sentence}",
            code=CODE_PLIVO if cleanup.complete else CODE_LEFTOVER,
        ) from None
    except PlivoError as error:
        raise SubscriptionFailedError(
            f"Plivo did not create the application for {number.number}: {error} "
            "Nothing was changed.",
            code=CODE_PLIVO,
        ) from None
    try:
        numbers.link_number(client, number.number, app_id)
    except PlivoError as error:
        cleanup = _roll_back_link(client, number, app_id, maybe_linked=not _definite(error))
        raise SubscriptionFailedError(
            f"Linking {number.number} to its new Plivo application failed: {error} "
            f"{cleanup.sentence}",
            code=CODE_PLIVO if cleanup.complete else CODE_LEFTOVER,
        ) from None
    logger.info("linked a number to a new trigger application (calls: %s)", receive_calls)
    return SubscriptionRecord(
        phone_number=number.number,
        app_id=app_id,
        app_name=name,
        previous_app_id=number.app_id,
        receive_calls=receive_calls,
    )


def unsubscribe(client: PlivoClient, record: SubscriptionRecord) -> UnsubscribeOutcome:
    """Link the number back to its previous Application and delete the created one.

    Never raises for Plivo's answers. A number that was moved to another Application since is
    left alone (someone chose that); a number that is gone needs nothing. When the number cannot
    be read or re-linked, the created Application is kept: deleting it would leave the number
    with no Application at all, which is worse than one pointing at a removed endpoint. For the
    same reason it is kept when other numbers were linked to it meanwhile (or when that cannot
    be checked), and the message names them.
    """
    notes: list[str] = []
    try:
        number = _read_number(client, record.phone_number)
    except NotFoundError:
        notes.append(f"{record.phone_number} is no longer on the account, so nothing to restore.")
    except PlivoError as error:
        return UnsubscribeOutcome(
            False,
            f"Could not read {record.phone_number} from Plivo ({error}), so it may still be "
            f"linked to application {record.app_id}. In the Plivo console, "
            f"{_relink_words(record.phone_number, record.previous_app_id)} and delete "
            f"application {record.app_id}.",
        )
    else:
        if number.app_id == record.app_id:
            restored = _restore_link(client, number, record)
            if restored is None:
                return UnsubscribeOutcome(
                    False,
                    f"Plivo did not put {number.number} back as it was; it still points at "
                    f"application {record.app_id}. In the Plivo console, "
                    f"{_relink_words(number.number, record.previous_app_id)}, then delete "
                    "that application.",
                )
            notes.append(restored)
        else:
            notes.append(
                f"{number.number} was moved to {_app_words(number.app_id)} meanwhile; left as "
                "it is."
            )
    kept = _kept_for_other_numbers(client, record)
    if kept is not None:
        notes.append(kept.sentence)
        return UnsubscribeOutcome(kept.complete, " ".join(notes))
    try:
        deleted = applications.delete_application(client, record.app_id)
    except PlivoError as error:
        notes.append(
            f"Deleting application {record.app_id} failed ({error}): delete it in the Plivo "
            "console."
        )
        return UnsubscribeOutcome(False, " ".join(notes))
    notes.append(
        f"Deleted application {record.app_id}."
        if deleted
        else f"Application {record.app_id} was already deleted."
    )
    return UnsubscribeOutcome(True, " ".join(notes))


@dataclass(frozen=True)
class NumberOption:
    """One entry of the number picker: the value stored (E.164) and what the user reads."""

    value: str
    label: str


def number_options(client: PlivoClient) -> list[NumberOption]:
    """The numbers a subscription can use (those that take messages or calls), with their alias
    and what they can do: ``+14155550100 · Main line (SMS, MMS, voice)``."""
    options: list[NumberOption] = []
    for rented in numbers.all_numbers(client):
        abilities = [
            name
            for name, enabled in (
                ("SMS", rented.sms_enabled),
                ("MMS", rented.mms_enabled),
                ("voice", rented.voice_enabled),
            )
            if enabled is True
        ]
        if rented.number is None or not (rented.sms_enabled or rented.voice_enabled):
            continue
        alias = f" · {rented.alias}" if rented.alias else ""
        options.append(
            NumberOption(rented.number, f"{rented.number}{alias} ({', '.join(abilities)})")
        )
    return options


def create_subscription(
    client: PlivoClient, endpoint: str, parameters: Mapping[str, object]
) -> dict[str, Any]:
    """The constructor's work: read its parameters, subscribe, and return the subscription's
    properties (what unsubscribing needs, and what callers hear; never a credential).

    Raises :class:`InputError` for a parameter that cannot work, before anything is sent. The
    number's calls are sent to the endpoint only when ``call_answer`` is not ``none``.
    """
    phone_number = read.text(parameters, PARAM_PHONE_NUMBER, required=True) or ""
    calls = CallAnswer.from_parameters(parameters, own_number=phone_number)
    record = subscribe(
        client,
        SubscriptionRequest(
            phone_number=phone_number, endpoint=endpoint, receive_calls=calls.receives_calls
        ),
    )
    return {**record.to_properties(), **calls.to_properties()}


def delete_subscription(client: PlivoClient, properties: Mapping[str, Any]) -> UnsubscribeOutcome:
    """Undo what :func:`create_subscription` did; a subscription it did not make needs nothing."""
    record = SubscriptionRecord.from_properties(properties)
    if record is None:
        return UnsubscribeOutcome(True, "Nothing to undo at Plivo for this subscription.")
    return unsubscribe(client, record)


def _refuse_national_number(phone_number: str) -> None:
    """A number typed without ``+`` that is no number with a country code (``4155550100``) is
    national: asking for the country code beats naming a number the user never typed
    (``+4155550100``). Plivo's digits (``14155550100``) and E.164 pass unchanged."""
    written = phone_number.strip()
    if written.startswith("+"):
        return
    try:
        normalize_number(written)
    except InvalidNumberError:
        raise InputError(
            PARAM_PHONE_NUMBER,
            f"{PARAM_PHONE_NUMBER}: {shorten(written)!r} has no country code. Write the number "
            "with + and its country code (+1 for the US and Canada: +14155550100), or pick it "
            "from the list of your Plivo numbers.",
        ) from None


def _read_number(client: PlivoClient, phone_number: str) -> _Number:
    try:
        rented = numbers.get_number(client, phone_number)
    except NotFoundError as error:
        digits = to_plivo(phone_number)
        raise NotFoundError(
            f"{display_number(digits) or digits} is not a number of this Plivo account: pick "
            "one of the account's numbers (Phone Numbers page of the Plivo console).",
            status=error.status,
            api_id=error.api_id,
            plivo_error=error.plivo_error,
        ) from None
    return _Number.of(rented, phone_number)


def _current_application(client: PlivoClient, number: _Number) -> Application | None:
    """The number's Application now: to keep its call URLs, and to see whose it is."""
    if number.app_id is None:
        return None
    try:
        return applications.get_application(client, number.app_id)
    except PlivoError as error:
        raise SubscriptionFailedError(
            f"Could not read the application {number.number} uses now ({error}). Nothing was "
            "changed.",
            code=CODE_PLIVO,
        ) from None


def _default_application(client: PlivoClient, number: _Number) -> Application | None:
    try:
        return applications.default_number_application(client)
    except PlivoError as error:
        raise SubscriptionFailedError(
            f"Could not read the account's default application, which answers {number.number}'s "
            f"calls now ({error}). Nothing was changed.",
            code=CODE_PLIVO,
        ) from None


def _definite(error: PlivoError) -> bool:
    return isinstance(error, _DEFINITE_REFUSALS)


def _roll_back_link(
    client: PlivoClient, number: _Number, app_id: str, *, maybe_linked: bool
) -> _Cleanup:
    """Undo a half-done link: the number back to its old Application (when Plivo may have moved
    it), then the new Application deleted."""
    if maybe_linked:
        try:
            numbers.link_number(client, number.number, number.app_id)
        except PlivoError as error:
            return _Cleanup(
                f"Putting the number back failed too ({error}): it may still point at the new "
                f"application {app_id}. In the Plivo console, "
                f"{_relink_words(number.number, number.app_id)} and delete application {app_id}.",
                complete=False,
            )
    try:
        applications.delete_application(client, app_id)
    except PlivoError as error:
        return _Cleanup(
            f"{number.number} is linked as before, but application {app_id} is still there "
            f"({error}): delete it in the Plivo console.",
            complete=False,
        )
    return _Cleanup(
        "Nothing was changed: the application created for it was deleted again.", complete=True
    )


def _remove_by_name(client: PlivoClient, name: str) -> _Cleanup:
    """After a create whose outcome is unknown: delete whatever Plivo did create."""
    try:
        for app in applications.find_applications(client, name):
            if app.app_id:
                applications.delete_application(client, app.app_id)
    except PlivoError as error:
        return _Cleanup(
            f"Checking for it failed ({error}): an application named {name} may exist; delete "
            "it in the Plivo console. The number was not changed.",
            complete=False,
        )
    return _Cleanup("Nothing was changed.", complete=True)


def _restore_link(client: PlivoClient, number: _Number, record: SubscriptionRecord) -> str | None:
    """The sentence saying where the number points now, or ``None`` when Plivo refused."""
    previous = record.previous_app_id
    try:
        numbers.link_number(client, number.number, previous)
    except (InvalidRequestError, NotFoundError):
        if previous is None:
            return None
        # The previous application was deleted meanwhile: the number is left with none.
        try:
            numbers.link_number(client, number.number, None)
        except PlivoError:
            return None
        return (
            f"{number.number}'s previous application {previous} no longer exists, so the number "
            "was unlinked."
        )
    except PlivoError:
        return None
    if previous is None:
        return f"{number.number} is unlinked again, as it was before."
    return f"{number.number} is linked to application {previous} again."


def _kept_for_other_numbers(client: PlivoClient, record: SubscriptionRecord) -> _Cleanup | None:
    """Why the created Application must stay, or ``None`` when no other number uses it.

    Someone may have linked more numbers to it in the console since it was created; deleting it
    would leave those numbers without an Application (no messages, no calls).
    """
    ours = to_plivo(record.phone_number)
    try:
        others = [
            rented.number
            for rented in numbers.all_numbers(client)
            if rented.application == record.app_id
            and rented.number is not None
            and to_plivo(rented.number) != ours
        ]
    except PlivoError as error:
        return _Cleanup(
            f"Kept application {record.app_id}: whether other numbers use it could not be checked "
            f"({error}). In the Plivo console, delete it once no number is linked to it.",
            complete=False,
        )
    if not others:
        return None
    named = ", ".join(others[:MAX_NUMBERS_NAMED])
    if len(others) > MAX_NUMBERS_NAMED:
        named += f" and {len(others) - MAX_NUMBERS_NAMED} more"
    verb = "is" if len(others) == 1 else "are"
    return _Cleanup(
        f"Kept application {record.app_id}: {named} {verb} linked to it now (linked after this "
        "subscription was made), and deleting it would leave them without messages and calls. "
        "In the Plivo console, link them to another application, then delete this one.",
        complete=True,
    )


def _app_words(app_id: str | None) -> str:
    return f"application {app_id}" if app_id else "no application"


def _relink_words(number: str, app_id: str | None) -> str:
    """The console step that puts a number back: link it to ``app_id``, or unlink it."""
    return f"link {number} to application {app_id}" if app_id else f"unlink {number}"


__all__ = [
    "APP_NAME_PREFIX",
    "CODE_LEFTOVER",
    "CODE_NUMBER",
    "CODE_PLIVO",
    "NumberOption",
    "SubscriptionFailedError",
    "SubscriptionRecord",
    "SubscriptionRequest",
    "UnsubscribeOutcome",
    "application_name",
    "create_subscription",
    "delete_subscription",
    "number_options",
    "plan_urls",
    "subscribe",
    "unsubscribe",
]
