"""Delivery reports: Plivo's status callback runs a workflow, once per change of state.

Plivo calls the ``url`` given on a send once per change of the message's state (queued, sent,
delivered, undelivered, failed), each retried like any webhook
(https://www.plivo.com/docs/messaging/api/message/message-status-callbacks). The report is
verified like an inbound message, then the optional status app runs with the inputs
``message_uuid``, ``state``, ``error_code``, ``error`` (the code explained; both ``None`` when
there is no error), ``to``, ``from`` and ``type`` (``sms``, ``mms`` or ``whatsapp``), at most once
per (MessageUUID, state). WhatsApp messages report ``read`` too, after ``delivered``. The names are
the outputs glossary's, as everywhere in both plugins: ``status`` would mean an HTTP status.
Plivo always gets 200 once the report is handled, even when the app fails: a retry would only
fail the same way.
"""

from __future__ import annotations

import logging
from typing import Final

from ..messaging.sender import UUID_PATTERN
from ..messaging.states import MESSAGE_STATES
from ..webhooks.kvstore import StorageError, StorageScope
from ..webhooks.payloads import DeliveryReport
from .apps import AppFailedError, run_app
from .leases import Acquired, Busy, LeaseBook
from .services import Services, log_id
from .settings import EndpointSettings
from .webhook import (
    Verified,
    WebhookAnswer,
    WebhookRequest,
    accepted,
    check_signature,
    refuse_replay,
    retry_later,
)

logger = logging.getLogger(__name__)

KNOWN_STATUSES: Final = frozenset(MESSAGE_STATES)
OUTCOME_RAN: Final = "status app ran"
OUTCOME_NO_STATUS_APP: Final = "no status app configured"
OUTCOME_APP_FAILED: Final = "status app failed"


def handle_status(
    request: WebhookRequest, settings: EndpointSettings, services: Services
) -> WebhookAnswer:
    verified = check_signature(request, settings, "delivery report")
    if not isinstance(verified, Verified):
        return verified
    report = DeliveryReport.from_params(request.fields())
    uuid = log_id(report.message_uuid)
    status = report.status if report.status in KNOWN_STATUSES else "(unknown status)"
    if not UUID_PATTERN.fullmatch(report.message_uuid) or not report.status:
        logger.warning("delivery report %s: not a complete Plivo report; ignored", uuid)
        return accepted()
    if not settings.status_app_id:
        logger.info("delivery report %s %s: %s", uuid, status, OUTCOME_NO_STATUS_APP)
        return accepted()
    if not settings.auth_id:
        logger.warning("delivery report %s: the endpoint has no Auth ID; try again later", uuid)
        return retry_later()
    subject = f"status:{report.message_uuid.lower()}:{report.status}"
    replayed = refuse_replay(verified, subject, settings, "delivery report", services.store)
    if replayed is not None:
        return replayed
    leases = LeaseBook(
        services.store, StorageScope.for_account(settings.auth_id), clock=services.clock
    )
    try:
        decision = leases.acquire(f"status:{report.message_uuid.lower()}:{report.status}")
    except StorageError:
        logger.warning("delivery report %s: plugin storage failed; Plivo will retry", uuid)
        return retry_later()
    if isinstance(decision, Busy):
        logger.info("delivery report %s %s: already being handled", uuid, status)
        return retry_later()
    if not isinstance(decision, Acquired):
        logger.info("delivery report %s %s: duplicate", uuid, status)
        return accepted()
    inputs = {
        "message_uuid": report.message_uuid,
        "state": report.status,
        "error_code": report.error_code,
        "error": report.error,
        "to": report.to_number or None,
        "from": report.from_number or None,
        "type": report.message_type,
    }
    try:
        run_app(
            services.apps,
            settings.status_app_id,
            query=f"Message {report.message_uuid} is {report.status}",
            inputs=inputs,
            conversation_id=None,
        )
        outcome = OUTCOME_RAN
    except AppFailedError as failure:
        logger.warning("delivery report %s %s: %s", uuid, status, failure)
        outcome = OUTCOME_APP_FAILED
    try:
        leases.finish(decision.lease, outcome)
    except StorageError:
        logger.warning("delivery report %s: the outcome could not be stored", uuid)
    logger.info("delivery report %s %s: %s", uuid, status, outcome)
    return accepted()


__all__ = [
    "KNOWN_STATUSES",
    "OUTCOME_APP_FAILED",
    "OUTCOME_NO_STATUS_APP",
    "OUTCOME_RAN",
    "handle_status",
]
