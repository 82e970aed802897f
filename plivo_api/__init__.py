"""Dify-free core of the Plivo plugins (Plivo SMS and Plivo Trigger).

Each folder answers one question; a folder imports only from the folders listed above it:

- ``errors``, ``text``, ``params``: the one error hierarchy, quoting input back, reading the
  values Dify hands over (tool parameters, settings, webhook fields).
- ``transport/``: how a request reaches Plivo and how a failure comes back (client, session
  per credential set, timeouts, retries, error answers, redaction).
- ``messaging/``: the rules of numbers and texts (E.164, Plivo's digits, segments, senders,
  states, error codes, call destinations, placeholders).
- ``resources/``: Plivo's resources, one module each, the only code that calls Plivo's API
  (and ``connect``, where credentials become a client).
- ``webhooks/``: what Plivo sends us and how we know it is Plivo: the front door (``door``),
  signatures, payloads, XML answers and plugin storage.
- ``inbound/``: the two-way endpoint (texts and WhatsApp answered by an app; ``inbound/calls``:
  the phone assistant). ``trigger/``: the Plivo Trigger plugin's events,
  filters, dispatch and subscriptions.
- ``toolkit/``: what several tools share (presentation, recipient rules, polling, pricing,
  permissions, JSON parameters, the list/get/create/update/delete operations).
- ``voice/``: calls the plugin's own endpoint serves (speak, play or ask with no XML hosting):
  signed instructions, the callee's answer, the endpoint's ``/voice/answer|input|event``.
- ``features/``: one module per tool.

Nothing here imports ``dify_plugin``: the provider, tools, endpoints and trigger events are thin
adapters over this package, which can be used and tested on its own. The package's
``__init__`` imports nothing, so a plugin process pays for a module only when it needs it.
"""
