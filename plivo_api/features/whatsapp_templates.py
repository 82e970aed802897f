"""whatsapp_templates: the account's WhatsApp templates (read-only), so an agent picks an
approved one and fills ``template_variables`` right the first time.

One ``GET WhatsApp/Template/{waba_id}/`` per page; the WABA comes from the credential
``whatsapp_business_account_id``. Plivo documents no list filters for templates, so ``name`` (a
substring, any case) and ``status`` are applied to the page Plivo returns: a page may show fewer
rows than ``limit``, and ``next_offset`` still pages through all templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .. import params as read
from ..errors import InputError
from ..params import Choice, Limits, Params
from ..resources.connect import client_for
from ..resources.whatsapp_templates import WhatsAppTemplate, list_templates
from ..text import listed
from ..transport.credentials import Credentials
from ..transport.paging import LIMIT_RANGE, OFFSET_RANGE, Page
from . import Invocation, ToolOutput

ANY: Final = "any"
TEMPLATE_STATUSES: Final = ("APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED")
STATUS_CHOICE: Final = Choice((*TEMPLATE_STATUSES, ANY), "APPROVED")
LIMITS: Limits = {"status": STATUS_CHOICE, "limit": LIMIT_RANGE, "offset": OFFSET_RANGE}
NO_WABA: Final = (
    "No WhatsApp Business Account ID: set 'WhatsApp Business Account ID' in the Plivo SMS plugin "
    "credentials (the Plivo console shows it under Messaging > WhatsApp Business Account). If you "
    "are an assistant, tell the user."
)


@dataclass(frozen=True)
class TemplateQuery:
    waba_id: str
    name: str | None = None
    status: str = "APPROVED"
    limit: int = LIMIT_RANGE.maximum
    offset: int = 0

    def keeps(self, template: WhatsAppTemplate) -> bool:
        if self.status != ANY and template.status != self.status:
            return False
        return self.name is None or self.name.lower() in (template.name or "").lower()


def query_from_params(params: Params, credentials: Credentials) -> TemplateQuery:
    waba_id = credentials.whatsapp_business_account_id
    if not waba_id:
        raise InputError("whatsapp_business_account_id", NO_WABA)
    if not waba_id.isdigit():
        raise InputError(
            "whatsapp_business_account_id",
            "The 'WhatsApp Business Account ID' credential must be digits only, as the Plivo "
            "console shows it under Messaging > WhatsApp Business Account.",
        )
    return TemplateQuery(
        waba_id=waba_id,
        name=read.text(params, "name"),
        status=STATUS_CHOICE.read(params, "status"),
        limit=LIMIT_RANGE.read_int(params, "limit"),
        offset=OFFSET_RANGE.read_int(params, "offset"),
    )


def run(call: Invocation) -> ToolOutput:
    credentials = Credentials.from_mapping(call.credentials)
    query = query_from_params(call.parameters, credentials)
    page = list_templates(
        client_for(credentials), query.waba_id, limit=query.limit, offset=query.offset
    )
    return present(query, page)


def template_row(template: WhatsAppTemplate) -> dict[str, object]:
    return {
        "name": template.name,
        "language": template.language,
        "category": template.category,
        "template_status": template.status,
        "variables": list(template.variables),
        "template_id": template.template_id,
    }


def describe(template: WhatsAppTemplate) -> str:
    names = template.variables
    if not names:
        needs = "no variables"
    elif template.named:
        needs = "named variables " + ", ".join(names)
    else:
        needs = f"{len(names)} variable{'s' if len(names) > 1 else ''}"
    return f"{template.name} ({template.language}, {template.status}, {needs})"


def present(query: TemplateQuery, page: Page[WhatsAppTemplate]) -> ToolOutput:
    kept = [t for t in page.records if query.keeps(t)]
    rows = [template_row(t) for t in kept]
    which = "templates" if query.status == ANY else f"{query.status} templates"
    if query.name:
        which += f" named like {query.name!r}"
    if kept:
        text = f"{len(kept)} {which} of {len(page.records)} on this page: "
        text += listed([describe(t) for t in kept]) + "."
    else:
        text = f"No {which} among the {len(page.records)} templates on this page."
    if page.next_offset is not None:
        text += f" More templates from offset {page.next_offset}."
    variables: dict[str, object] = {
        "templates": rows,
        "total_count": page.total_count,
        "next_offset": page.next_offset,
    }
    return ToolOutput(text, {**variables, "api_id": page.api_id}, variables)


__all__ = ["LIMITS", "TemplateQuery", "present", "query_from_params", "run", "template_row"]
