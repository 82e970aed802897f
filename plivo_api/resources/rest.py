"""The requests every Plivo collection shares: a page of a list, every page, one record, and
create, update and delete by ID.

Paths are built by :meth:`PlivoClient.resource_url`, which percent-encodes each segment whole,
so no ID given by a user or an agent can add a path level. A 404 is raised as
:class:`~plivo_api.errors.NotFoundError` for the caller to word for its resource.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..transport.client import PlivoClient
from ..transport.paging import PAGE_SIZE_MAX, Page, parse_page

logger = logging.getLogger(__name__)

MAX_PAGES: Final = 25
"""500 records at most when reading every page: a picker longer than that is not usable anyway,
and the bound keeps a misbehaving ``meta.next`` from looping for ever."""


@dataclass(frozen=True)
class Collection[T]:
    """One of Plivo's collections (``Application/``, ``Endpoint/``) and how its records look."""

    path: str  # the path segment: "Application"
    noun: str  # "application"
    plural: str  # the JSON key of a list in the tools' output: "applications"
    id_key: str  # the ID's parameter and JSON key: "app_id"
    parse: Callable[[Mapping[str, Any]], T]
    fields: Callable[[T], dict[str, object]]  # a record in the tools' output
    name_of: Callable[[T], str | None]

    @property
    def item_key(self) -> str:
        """The JSON key of one record: "application"."""
        return self.noun.replace(" ", "_")


def read_page[T](
    client: PlivoClient,
    path: str,
    parse: Callable[[Mapping[str, Any]], T],
    *,
    what: str,
    limit: int = PAGE_SIZE_MAX,
    offset: int = 0,
    filters: Mapping[str, str | int] | None = None,
) -> Page[T]:
    """``GET {path}/?limit=&offset=`` with only the filters given."""
    query: dict[str, str | int] = {**(filters or {}), "limit": limit, "offset": offset}
    data = client.request("GET", client.resource_url(path), params=query)
    return parse_page(data, parse, requested_offset=offset, what=what)


def read_all[T](
    client: PlivoClient,
    path: str,
    parse: Callable[[Mapping[str, Any]], T],
    *,
    what: str,
    filters: Mapping[str, str] | None = None,
) -> list[T]:
    """Every record, page by page (at most :data:`MAX_PAGES` pages)."""
    records: list[T] = []
    offset: int | None = 0
    for _ in range(MAX_PAGES):
        if offset is None:
            return records
        page = read_page(client, path, parse, what=what, offset=offset, filters=filters)
        records.extend(page.records)
        offset = page.next_offset
    if offset is not None:
        logger.info("stopped listing %s after %d pages", what, MAX_PAGES)
    return records


def read_one(client: PlivoClient, *segments: str) -> dict[str, Any]:
    """``GET {segments}/``: Plivo's answer, for the caller's record type."""
    return client.request("GET", client.resource_url(*segments))


def create(
    client: PlivoClient, path: str, body: Mapping[str, object], *, check: str
) -> dict[str, Any]:
    """``POST {path}/``, never repeated once it may have reached Plivo; ``check`` says what to
    look at before creating again when the outcome is unknown."""
    return client.request("POST", client.resource_url(path), json_body=body, creates=check)


def update(
    client: PlivoClient, path: str, record_id: str, body: Mapping[str, object]
) -> dict[str, Any]:
    """``POST {path}/{id}/`` with only the fields in ``body`` (Plivo keeps the others)."""
    return client.request("POST", client.resource_url(path, record_id), json_body=body)


def delete(client: PlivoClient, path: str, record_id: str) -> dict[str, Any]:
    """``DELETE {path}/{id}/``; Plivo's 204 is an empty object."""
    return client.request("DELETE", client.resource_url(path, record_id))


__all__ = [
    "MAX_PAGES",
    "Collection",
    "create",
    "delete",
    "read_all",
    "read_one",
    "read_page",
    "update",
]
