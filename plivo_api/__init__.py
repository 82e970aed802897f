"""Dify-free core of the Plivo SMS plugin: HTTP client, errors, numbers, segments, error codes,
and one feature module per tool (:mod:`plivo_api.features`).

Nothing here imports ``dify_plugin``; the provider and tools are thin adapters over this package,
which can be used and tested on its own. The package's ``__init__`` imports nothing, so that a
plugin process pays for a module only when a tool first needs it.
"""
