"""How rented numbers, applications and SIP endpoints look in every tool's JSON output.

One function per resource, used by every tool that shows one (a list row and a single record
are the same object), so the same thing always has the same key. Every key is in the README's
Outputs glossary.
"""

from __future__ import annotations

from .jsonvalues import as_number
from .resources import Application, Endpoint, RentedNumber


def number_fields(number: RentedNumber) -> dict[str, object]:
    """A rented number; ``application`` is the linked application's ID (null: none)."""
    return {
        "number": number.number,
        "alias": number.alias,
        "type": number.number_type,
        "country": number.country,
        "sms_enabled": number.sms_enabled,
        "voice_enabled": number.voice_enabled,
        "mms_enabled": number.mms_enabled,
        "application": number.application,
        "monthly_rental_rate": as_number(number.monthly_rental_rate),
    }


def application_fields(app: Application) -> dict[str, object]:
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


def endpoint_fields(endpoint: Endpoint) -> dict[str, object]:
    """A SIP endpoint, never with its password (Plivo does not return it either)."""
    return {
        "endpoint_id": endpoint.endpoint_id,
        "username": endpoint.username,
        "alias": endpoint.alias,
        "application": endpoint.application,
        "sip_uri": endpoint.sip_uri,
        "sip_registered": endpoint.sip_registered,
    }


__all__ = ["application_fields", "endpoint_fields", "number_fields"]
