"""Plivo's resources, one module each: the only code that talks to Plivo's API.

Every module follows one pattern, so a new resource (recordings, masking sessions, WhatsApp
templates) is one more file of the same shape:

- the resource's typed records (frozen dataclasses with a ``from_json`` that reads Plivo's answer
  once and defensively: a missing or oddly typed field becomes ``None``, never an exception);
- how a record looks in every tool's JSON output (``*_fields``), so the same thing always has
  the same keys;
- the functions that read or change the resource, each taking the
  :class:`~plivo_api.transport.client.PlivoClient` first and returning records. A function that
  creates something at Plivo names what to check when its outcome is unknown, and is never repeated.

The client carries only the transport (session, timeouts, retries, errors); features
(:mod:`plivo_api.features`) and the trigger's subscriptions decide what to ask and how to word
it. Collections with list/get/create/update/delete share :mod:`.rest`.
"""
