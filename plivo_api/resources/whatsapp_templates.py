"""WhatsApp templates of a WhatsApp Business Account: ``GET WhatsApp/Template/{waba_id}/``
(https://plivo.com/docs/messaging/api/whatsapp-templates), paged like every Plivo list.

A template's body text holds its placeholders, ``{{1}}, {{2}}…`` or named ones such as
``{{first_name}}``; :attr:`WhatsAppTemplate.variables` lists them so a caller can fill
``template_variables`` right the first time. Plivo's list answer is read as ``objects`` (every
Plivo list's key) or, failing that, ``templates`` or ``data``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..errors import NotFoundError
from ..transport.client import PlivoClient, reworded_not_found
from ..transport.jsonvalues import str_of
from ..transport.paging import PAGE_SIZE_MAX, Page, parse_page

LIST_KEYS: Final = ("objects", "templates", "data")
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


@dataclass(frozen=True)
class WhatsAppTemplate:
    name: str | None
    language: str | None
    category: str | None
    status: str | None
    body: str | None
    template_id: str | None = None
    rejected_reason: str | None = None

    @property
    def variables(self) -> tuple[str, ...]:
        """The body's placeholders in order of first appearance: ``("1", "2")`` or names."""
        return tuple(dict.fromkeys(_PLACEHOLDER.findall(self.body or "")))

    @property
    def named(self) -> bool:
        return any(not name.isdigit() for name in self.variables)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WhatsAppTemplate:
        body = None
        components = data.get("components")
        if isinstance(components, list):
            for component in components:
                if isinstance(component, Mapping) and str(component.get("type", "")).upper() == (
                    "BODY"
                ):
                    body = str_of(component, "text")
        status = str_of(data, "status")
        category = str_of(data, "category")
        return cls(
            name=str_of(data, "name"),
            language=str_of(data, "language"),
            category=category.upper() if category else None,
            status=status.upper() if status else None,
            body=body,
            template_id=str_of(data, "template_id") or str_of(data, "id"),
            rejected_reason=str_of(data, "rejected_reason") or None,
        )


def list_templates(
    client: PlivoClient, waba_id: str, *, limit: int = PAGE_SIZE_MAX, offset: int = 0
) -> Page[WhatsAppTemplate]:
    """One page of the WABA's templates."""
    url = client.resource_url("WhatsApp", "Template", waba_id)
    try:
        data = client.request("GET", url, params={"limit": limit, "offset": offset})
    except NotFoundError as error:
        raise reworded_not_found(
            error,
            f"Plivo knows no WhatsApp Business Account {waba_id} on this account. Check the "
            "'WhatsApp Business Account ID' credential: the console shows it under Messaging > "
            "WhatsApp Business Account.",
        ) from None
    if "objects" not in data:
        listed = next((data[key] for key in LIST_KEYS if key in data), None)
        data = {**data, "objects": listed}
    return parse_page(data, WhatsAppTemplate.from_json, requested_offset=offset, what="template")


__all__ = ["WhatsAppTemplate", "list_templates"]
