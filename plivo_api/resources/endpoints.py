"""SIP endpoints: a username and password a softphone or SIP device registers with at
``phone.plivo.com`` (https://www.plivo.com/docs/voice/api/endpoint/). Plivo never returns the
password, and neither does anything here. While a device is registered, Plivo says where it is
(``sip_contact``: the device's own SIP address) and until when (``sip_expires``, UTC)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..transport.jsonvalues import bool_of, str_of
from . import rest
from .applications import application_id


@dataclass(frozen=True)
class Endpoint:
    endpoint_id: str | None
    username: str | None
    alias: str | None
    application: str | None
    sip_uri: str | None
    sip_registered: bool | None
    api_id: str | None = None
    sip_contact: str | None = None
    sip_expires: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Endpoint:
        return cls(
            endpoint_id=str_of(data, "endpoint_id"),
            username=str_of(data, "username"),
            alias=str_of(data, "alias"),
            application=application_id(str_of(data, "application")),
            sip_uri=str_of(data, "sip_uri"),
            sip_registered=bool_of(data.get("sip_registered")),
            api_id=str_of(data, "api_id"),
            sip_contact=str_of(data, "sip_contact"),
            sip_expires=str_of(data, "sip_expires"),
        )


def endpoint_fields(endpoint: Endpoint) -> dict[str, object]:
    """A SIP endpoint in every tool's output, never with its password."""
    return {
        "endpoint_id": endpoint.endpoint_id,
        "username": endpoint.username,
        "alias": endpoint.alias,
        "application": endpoint.application,
        "sip_uri": endpoint.sip_uri,
        "sip_registered": endpoint.sip_registered,
        "sip_contact": endpoint.sip_contact,
        "sip_expires": endpoint.sip_expires,
    }


ENDPOINTS: Final = rest.Collection(
    path="Endpoint",
    noun="endpoint",
    plural="endpoints",
    id_key="endpoint_id",
    parse=Endpoint.from_json,
    fields=endpoint_fields,
    name_of=lambda endpoint: endpoint.username,
)


__all__ = ["ENDPOINTS", "Endpoint", "endpoint_fields"]
