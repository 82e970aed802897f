"""One tool per account resource, with an ``operation``: list, get, create, update or delete.

Reading is always allowed; the three changing operations need the builder's ``allow_changes``
setting (:mod:`plivo_api.toolkit.permissions`). An update sends only the fields given: Plivo's SDK
fills in defaults for the fields left out (``answer_method='POST'``, ``default_number_app=False``,
...), which silently resets what the caller never meant to touch.

The requests are :mod:`plivo_api.resources.rest`'s and the records those of the resource's
module; this module is the tools' side: the ``operation`` parameter, the permission check, the
sentence and the shape of the output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, cast

from .. import params as read
from ..errors import InputError, NotFoundError
from ..params import Choice, Params
from ..resources import rest
from ..resources.rest import Collection
from ..text import shorten
from ..transport.client import PlivoClient, reworded_not_found
from ..transport.jsonvalues import str_of
from ..transport.paging import page_summary
from .permissions import require_enabled

Operation = Literal["list", "get", "create", "update", "delete"]
OPERATIONS: Final = ("list", "get", "create", "update", "delete")
OPERATION_CHOICE: Final = Choice(OPERATIONS, "list", case_insensitive=True)
CHANGING: Final = frozenset({"create", "update", "delete"})
ALLOW_CHANGES: Final = "allow_changes"
ALLOW_CHANGES_LABEL: Final = "Allow changes"
HTTP_METHODS: Final = ("GET", "POST")


def read_operation(params: Params) -> Operation:
    return cast(Operation, OPERATION_CHOICE.read(params, "operation"))


def require_changes_allowed(params: Params, action: str) -> None:
    """Refuse ``action`` unless the builder switched on ``allow_changes``."""
    enabled = read.boolean(params, ALLOW_CHANGES, default=False)
    require_enabled(enabled, ALLOW_CHANGES, ALLOW_CHANGES_LABEL, action)


def optional_flag(params: Params, name: str) -> bool | None:
    """A boolean that is only sent when given: absent or empty is ``None``, not ``False``."""
    value = params.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return read.boolean(params, name, default=False)


def optional_method(params: Params, name: str) -> str | None:
    """``GET`` or ``POST`` (any case) when given."""
    value = read.text(params, name)
    if value is None:
        return None
    method = value.upper()
    if method not in HTTP_METHODS:
        raise InputError(name, f"{name}: {shorten(value, 40)!r} is not GET or POST.")
    return method


@dataclass(frozen=True)
class OperationResult:
    """What an operation did: its sentence, its JSON and the declared variables."""

    text: str
    data: dict[str, object]
    variables: dict[str, object]


def _result(
    operation: Operation,
    kind: Collection[Any],
    text: str,
    data: Mapping[str, object],
    *,
    resource_id: str | None = None,
    total_count: int | None = None,
) -> OperationResult:
    return OperationResult(
        text,
        {"operation": operation, **data},
        {"operation": operation, kind.id_key: resource_id, "total_count": total_count},
    )


def _shown(value: object) -> str:
    """A field value in a sentence: booleans as JSON writes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _not_found(kind: Collection[Any], error: NotFoundError, resource_id: str) -> NotFoundError:
    return reworded_not_found(
        error,
        f"No {kind.noun} {resource_id} on this Plivo account: check {kind.id_key} (operation "
        f"list shows the account's {kind.plural}).",
    )


def list_resources[T](
    client: PlivoClient,
    kind: Collection[T],
    *,
    limit: int,
    offset: int,
    filters: Mapping[str, str] | None = None,
) -> OperationResult:
    page = rest.read_page(
        client, kind.path, kind.parse, what=kind.noun, limit=limit, offset=offset, filters=filters
    )
    names = [
        f"{kind.name_of(r) or '(no name)'} ({kind.fields(r)[kind.id_key]})" for r in page.records
    ]
    text = page_summary(kind.plural, page, offset, names)
    payload = {
        kind.plural: [kind.fields(record) for record in page.records],
        "total_count": page.total_count,
        "next_offset": page.next_offset,
        "api_id": page.api_id,
    }
    return _result("list", kind, text, payload, total_count=page.total_count)


def get_resource[T](client: PlivoClient, kind: Collection[T], resource_id: str) -> OperationResult:
    try:
        data = rest.read_one(client, kind.path, resource_id)
    except NotFoundError as error:
        raise _not_found(kind, error, resource_id) from None
    record = kind.parse(data)
    fields = kind.fields(record)
    shown = ", ".join(
        f"{key} {_shown(value)}"
        for key, value in fields.items()
        if value not in (None, "") and key != kind.id_key
    )
    text = f"{kind.noun.capitalize()} {resource_id}: {shown}."
    payload = {kind.item_key: fields, "api_id": str_of(data, "api_id")}
    return _result("get", kind, text, payload, resource_id=resource_id)


def create_resource[T](
    client: PlivoClient, kind: Collection[T], body: Mapping[str, object], *, check: str
) -> tuple[OperationResult, Mapping[str, Any]]:
    """``POST {path}/``, never repeated once it may have reached Plivo (``check`` says what
    to look at before creating again); also returns Plivo's answer for extra fields."""
    data = rest.create(client, kind.path, body, check=check)
    resource_id = str_of(data, kind.id_key)
    text = f"Created {kind.noun} {resource_id or '(Plivo returned no ID)'}."
    payload = {kind.id_key: resource_id, "created": True, "api_id": str_of(data, "api_id")}
    return _result("create", kind, text, payload, resource_id=resource_id), data


def update_resource[T](
    client: PlivoClient, kind: Collection[T], resource_id: str, body: Mapping[str, object]
) -> OperationResult:
    """``POST {path}/{id}/`` with only the fields given."""
    if not body:
        raise InputError(
            "operation",
            f"update: no field to change was given; pass at least one of the {kind.noun}'s "
            "fields. Nothing was sent.",
        )
    try:
        data = rest.update(client, kind.path, resource_id, body)
    except NotFoundError as error:
        raise _not_found(kind, error, resource_id) from None
    text = f"Updated {kind.noun} {resource_id}: {', '.join(sorted(body))}."
    payload = {kind.id_key: resource_id, "updated": True, "api_id": str_of(data, "api_id")}
    return _result("update", kind, text, payload, resource_id=resource_id)


def delete_resource[T](
    client: PlivoClient, kind: Collection[T], resource_id: str
) -> OperationResult:
    try:
        data = rest.delete(client, kind.path, resource_id)
    except NotFoundError as error:
        raise _not_found(kind, error, resource_id) from None
    text = f"Deleted {kind.noun} {resource_id}."
    payload = {kind.id_key: resource_id, "deleted": True, "api_id": str_of(data, "api_id")}
    return _result("delete", kind, text, payload, resource_id=resource_id)


__all__ = [
    "ALLOW_CHANGES",
    "ALLOW_CHANGES_LABEL",
    "CHANGING",
    "HTTP_METHODS",
    "OPERATIONS",
    "OPERATION_CHOICE",
    "Operation",
    "OperationResult",
    "create_resource",
    "delete_resource",
    "get_resource",
    "list_resources",
    "optional_flag",
    "optional_method",
    "read_operation",
    "require_changes_allowed",
    "update_resource",
]
