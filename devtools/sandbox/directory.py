"""The account's configuration: rented numbers, applications, SIP endpoints and PHLOs.

An application holds the answer, hangup and message URLs; a rented number is linked to at most
one application, whose ``message_url`` receives the number's inbound messages and whose
``answer_url`` answers its inbound calls
(https://www.plivo.com/docs/messaging/api/message/handling-incoming,
https://www.plivo.com/docs/account/api/application). Deleting an application unlinks its numbers
and, unless told otherwise, deletes its endpoints.

The demo account starts with a few numbers (one linked to the demo application), two
applications, one SIP endpoint and one PHLO (``DEMO_*`` below); ``reset()`` restores them.
Endpoint passwords are kept to check nothing but are never part of any answer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from devtools.sandbox.accounts import DEMO_AUTH_ID, SandboxAccount

APP_ID_DIGITS = 17
ENDPOINT_ID_DIGITS = 14
SIP_DOMAIN = "phone.plivo.com"
APP_SIP_DOMAIN = "app.plivo.com"

DEMO_APP_ID = "27784745124961230"
DEMO_IVR_APP_ID = "30518447912277614"
DEMO_NUMBER = "14155550100"
DEMO_TOLLFREE_NUMBER = "18445550142"
DEMO_UK_NUMBER = "447700900123"
DEMO_ENDPOINT_ID = "52093718460261"
DEMO_PHLO_ID = "0d5a6c2e-6a3f-4e8e-9d2b-5f1c3b7a9e10"


def _digits(count: int) -> str:
    return str(10 ** (count - 1) + secrets.randbelow(9 * 10 ** (count - 1)))


def application_uri(account: str, app_id: str | None) -> str | None:
    return None if app_id is None else f"/v1/Account/{account}/Application/{app_id}/"


@dataclass(frozen=True)
class Application:
    app_id: str
    account: str
    app_name: str
    answer_url: str = ""
    answer_method: str = "POST"
    hangup_url: str = ""
    hangup_method: str = "POST"
    fallback_answer_url: str = ""
    fallback_method: str = "POST"
    message_url: str = ""
    message_method: str = "POST"
    default_app: bool = False
    default_endpoint_app: bool = False
    log_incoming_messages: bool = True
    public_uri: bool = False
    enabled: bool = True

    def to_json(self, api_id: str | None) -> dict[str, object]:
        """The object of ``GET /Application/{app_id}/``; list objects carry no ``api_id``."""
        record: dict[str, object] = {
            "answer_method": self.answer_method,
            "answer_url": self.answer_url,
            "api_id": api_id,
            "app_id": self.app_id,
            "app_name": self.app_name,
            "default_app": self.default_app,
            "default_endpoint_app": self.default_endpoint_app,
            "enabled": self.enabled,
            "fallback_answer_url": self.fallback_answer_url,
            "fallback_method": self.fallback_method,
            "hangup_method": self.hangup_method,
            "hangup_url": self.hangup_url,
            "log_incoming_messages": self.log_incoming_messages,
            "message_method": self.message_method,
            "message_url": self.message_url,
            "public_uri": self.public_uri,
            "resource_uri": application_uri(self.account, self.app_id),
            "sip_uri": f"sip:{self.app_id}@{APP_SIP_DOMAIN}",
            "sub_account": None,
        }
        if api_id is None:
            del record["api_id"]
        return record


NUMBER_TYPES = ("local", "mobile", "fixed", "national", "tollfree")
SERVICES = ("voice", "sms", "mms")


@dataclass(frozen=True)
class RentedNumber:
    number: str
    account: str
    number_type: str
    country: str
    region: str
    city: str
    sms_enabled: bool
    voice_enabled: bool
    mms_enabled: bool
    alias: str | None = None
    app_id: str | None = None
    monthly_rental_rate: str = "0.50000"
    sms_rate: str = "0.00000"
    voice_rate: str = "0.00850"
    mms_rate: str = "0.00000"
    added_on: str = "2025-01-15"
    renewal_date: str = "2026-02-15"
    cnam_lookup: str = "disabled"
    # A new US local number is not registered for 10DLC; toll-free numbers carry a toll-free
    # verification status instead, and numbers elsewhere neither.
    tendlc_registration_status: str | None = "UNREGISTERED"
    toll_free_sms_verification: str | None = None

    def offers(self, service: str) -> bool:
        return {"voice": self.voice_enabled, "sms": self.sms_enabled, "mms": self.mms_enabled}[
            service
        ]

    def to_json(self, api_id: str | None) -> dict[str, object]:
        """The object of ``GET /Number/{number}/``; list objects carry no ``api_id``."""
        record: dict[str, object] = {
            "active": True,
            "added_on": self.added_on,
            "alias": self.alias,
            "api_id": api_id,
            "application": application_uri(self.account, self.app_id),
            "carrier": "Plivo",
            "city": self.city,
            "cnam_lookup": self.cnam_lookup,
            "compliance_application_id": None,
            "compliance_status": None,
            "country": self.country,
            "mms_enabled": self.mms_enabled,
            "mms_rate": self.mms_rate,
            "monthly_rental_rate": self.monthly_rental_rate,
            "number": self.number,
            "number_type": self.number_type,
            "region": self.region,
            "renewal_date": self.renewal_date,
            "resource_uri": f"/v1/Account/{self.account}/Number/{self.number}/",
            "sms_enabled": self.sms_enabled,
            "sms_rate": self.sms_rate,
            "sub_account": None,
            "tendlc_campaign_id": None,
            "tendlc_registration_status": self.tendlc_registration_status,
            "toll_free_sms_verification": self.toll_free_sms_verification,
            "voice_enabled": self.voice_enabled,
            "voice_rate": self.voice_rate,
        }
        if api_id is None:
            del record["api_id"]
        return record


@dataclass(frozen=True)
class Endpoint:
    """A SIP endpoint. ``password`` never leaves the sandbox: ``to_json`` has no such field."""

    endpoint_id: str
    account: str
    username: str
    password: str
    alias: str
    app_id: str | None = None
    # Where a registered device is (its own SIP address) and until when (UTC); "" = none.
    sip_contact: str = ""
    sip_expires: str = ""

    def to_json(self, api_id: str | None) -> dict[str, object]:
        record: dict[str, object] = {
            "alias": self.alias,
            "api_id": api_id,
            "application": application_uri(self.account, self.app_id),
            "endpoint_id": self.endpoint_id,
            "resource_uri": f"/v1/Account/{self.account}/Endpoint/{self.endpoint_id}/",
            "sip_contact": self.sip_contact,
            "sip_expires": self.sip_expires,
            "sip_registered": "true" if self.sip_contact else "false",
            "sip_uri": f"sip:{self.username}@{SIP_DOMAIN}",
            "sip_user_agent": "",
            "sub_account": None,
            "username": self.username,
        }
        if api_id is None:
            del record["api_id"]
        return record


@dataclass(frozen=True)
class Phlo:
    phlo_id: str
    account: str
    name: str
    created: float

    def to_json(self) -> dict[str, object]:
        created = dt.datetime.fromtimestamp(self.created, dt.UTC).replace(microsecond=0)
        return {
            "created_on": created.isoformat(sep=" "),
            "name": self.name,
            "phlo_id": self.phlo_id,
        }


@dataclass(frozen=True)
class PhloRun:
    """One ``POST .../phlo/{phlo_id}``; Plivo's ``api_id`` of the answer is the run's ID."""

    run_id: str
    phlo_id: str
    account: str
    payload: dict[str, object]
    time: float


def _demo_seed(account: str) -> tuple[list[Application], list[RentedNumber], list[Endpoint]]:
    apps = [
        Application(
            DEMO_APP_ID,
            account,
            "demo-sms-bot",
            answer_url="https://example.com/plivo/answer",
            hangup_url="https://example.com/plivo/hangup",
            message_url="https://example.com/plivo/inbound",
            default_app=True,
        ),
        Application(
            DEMO_IVR_APP_ID,
            account,
            "demo-ivr",
            answer_url="https://example.com/plivo/ivr",
            answer_method="GET",
        ),
    ]
    numbers = [
        RentedNumber(
            DEMO_NUMBER,
            account,
            "local",
            "United States",
            "California, UNITED STATES",
            "San Francisco",
            sms_enabled=True,
            voice_enabled=True,
            mms_enabled=True,
            alias="Main line",
            app_id=DEMO_APP_ID,
            monthly_rental_rate="0.50000",
        ),
        RentedNumber(
            DEMO_TOLLFREE_NUMBER,
            account,
            "tollfree",
            "United States",
            "UNITED STATES",
            "",
            sms_enabled=True,
            voice_enabled=True,
            mms_enabled=False,
            alias="Support",
            monthly_rental_rate="1.00000",
            voice_rate="0.02100",
            tendlc_registration_status=None,
            toll_free_sms_verification="verified",
        ),
        RentedNumber(
            DEMO_UK_NUMBER,
            account,
            "mobile",
            "United Kingdom",
            "UNITED KINGDOM",
            "",
            sms_enabled=True,
            voice_enabled=False,
            mms_enabled=False,
            monthly_rental_rate="1.20000",
            voice_rate="0.00000",
            tendlc_registration_status=None,
        ),
    ]
    endpoints = [
        Endpoint(
            DEMO_ENDPOINT_ID,
            account,
            "demoagent250115090000",
            "not-a-secret",
            "Agent",
            sip_contact="sip:demoagent250115090000@203.0.113.10:5060;ob",
            sip_expires="2031-01-15 09:00:00",
        )
    ]
    return apps, numbers, endpoints


class Directory:
    """Applications, numbers, endpoints, PHLOs and PHLO runs, for every account, under one lock."""

    def __init__(self, accounts: Iterable[SandboxAccount]) -> None:
        self._lock = threading.RLock()
        self._account_ids = [account.auth_id for account in accounts]
        self.apps: dict[str, Application] = {}
        self.numbers: dict[str, RentedNumber] = {}
        self.endpoints: dict[str, Endpoint] = {}
        self.phlos: dict[str, Phlo] = {}
        self.phlo_runs: list[PhloRun] = []
        self.reset()

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def reset(self) -> None:
        """Back to the demo seed (for the demo account, when it is one of the accounts)."""
        with self._lock:
            self.apps.clear()
            self.numbers.clear()
            self.endpoints.clear()
            self.phlos.clear()
            self.phlo_runs.clear()
            if DEMO_AUTH_ID in self._account_ids:
                apps, numbers, endpoints = _demo_seed(DEMO_AUTH_ID)
                self.apps.update({app.app_id: app for app in apps})
                self.numbers.update({number.number: number for number in numbers})
                self.endpoints.update({e.endpoint_id: e for e in endpoints})
                self.phlos[DEMO_PHLO_ID] = Phlo(
                    DEMO_PHLO_ID, DEMO_AUTH_ID, "demo-outbound-sms", time.time()
                )

    # Applications ---------------------------------------------------------------------------

    def app(self, account: str, app_id: str) -> Application | None:
        with self._lock:
            app = self.apps.get(app_id)
        return app if app is not None and app.account == account else None

    def account_apps(self, account: str) -> list[Application]:
        with self._lock:
            return [app for app in self.apps.values() if app.account == account]

    def new_app_id(self) -> str:
        with self._lock:
            while (app_id := _digits(APP_ID_DIGITS)) in self.apps:
                continue
            return app_id

    def save_app(self, app: Application) -> None:
        """Store an application; only one per account may be the default number app."""
        with self._lock:
            if app.default_app:
                for other in self.account_apps(app.account):
                    if other.app_id != app.app_id and other.default_app:
                        self.apps[other.app_id] = dataclasses.replace(other, default_app=False)
            if app.default_endpoint_app:
                for other in self.account_apps(app.account):
                    if other.app_id != app.app_id and other.default_endpoint_app:
                        self.apps[other.app_id] = dataclasses.replace(
                            other, default_endpoint_app=False
                        )
            self.apps[app.app_id] = app

    def delete_app(self, app: Application, *, cascade: bool, new_endpoint_app: str | None) -> None:
        with self._lock:
            del self.apps[app.app_id]
            for number in list(self.numbers.values()):
                if number.app_id == app.app_id:
                    self.numbers[number.number] = dataclasses.replace(number, app_id=None)
            for endpoint in list(self.endpoints.values()):
                if endpoint.app_id != app.app_id:
                    continue
                if cascade and new_endpoint_app is None:
                    del self.endpoints[endpoint.endpoint_id]
                else:
                    self.endpoints[endpoint.endpoint_id] = dataclasses.replace(
                        endpoint, app_id=new_endpoint_app
                    )

    # Numbers --------------------------------------------------------------------------------

    def number(self, account: str, number: str) -> RentedNumber | None:
        with self._lock:
            rented = self.numbers.get(number)
        return rented if rented is not None and rented.account == account else None

    def owner_of(self, number: str) -> RentedNumber | None:
        with self._lock:
            return self.numbers.get(number)

    def account_numbers(self, account: str) -> list[RentedNumber]:
        with self._lock:
            return [n for n in self.numbers.values() if n.account == account]

    def save_number(self, number: RentedNumber) -> None:
        with self._lock:
            self.numbers[number.number] = number

    def delete_number(self, number: RentedNumber) -> None:
        with self._lock:
            self.numbers.pop(number.number, None)

    # Endpoints ------------------------------------------------------------------------------

    def endpoint(self, account: str, endpoint_id: str) -> Endpoint | None:
        with self._lock:
            endpoint = self.endpoints.get(endpoint_id)
        return endpoint if endpoint is not None and endpoint.account == account else None

    def account_endpoints(self, account: str) -> list[Endpoint]:
        with self._lock:
            return [e for e in self.endpoints.values() if e.account == account]

    def new_endpoint(
        self, account: str, username: str, password: str, alias: str, app_id: str | None
    ) -> Endpoint:
        """Plivo appends a creation timestamp (yymmddHHMMSS) to the requested username."""
        stamp = dt.datetime.now(dt.UTC).strftime("%y%m%d%H%M%S")
        with self._lock:
            taken = {e.username for e in self.endpoints.values()}
            full, suffix = f"{username}{stamp}", 0
            while full in taken:
                suffix += 1
                full = f"{username}{stamp}{suffix}"
            while (endpoint_id := _digits(ENDPOINT_ID_DIGITS)) in self.endpoints:
                continue
            endpoint = Endpoint(endpoint_id, account, full, password, alias, app_id)
            self.endpoints[endpoint_id] = endpoint
            return endpoint

    def save_endpoint(self, endpoint: Endpoint) -> None:
        with self._lock:
            self.endpoints[endpoint.endpoint_id] = endpoint

    def delete_endpoint(self, endpoint: Endpoint) -> None:
        with self._lock:
            self.endpoints.pop(endpoint.endpoint_id, None)

    # PHLOs ----------------------------------------------------------------------------------

    def phlo(self, account: str, phlo_id: str) -> Phlo | None:
        with self._lock:
            phlo = self.phlos.get(phlo_id)
        return phlo if phlo is not None and phlo.account == account else None

    def add_phlo(self, phlo: Phlo) -> None:
        with self._lock:
            self.phlos[phlo.phlo_id] = phlo

    def record_run(self, run: PhloRun) -> None:
        with self._lock:
            self.phlo_runs.append(run)

    def runs(self) -> list[PhloRun]:
        with self._lock:
            return list(self.phlo_runs)
