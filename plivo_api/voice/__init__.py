"""Calls that the plugin's own endpoint serves: speak, play or ask, with no XML hosting.

Plivo has no way to pass a call's XML inline: it fetches it from the call's answer URL. A
``make_call`` in a speaking mode therefore points the answer URL at this plugin's endpoint and
carries the call's instructions in that URL, signed by the plugin; the endpoint turns them into
Plivo XML when Plivo asks, keeps the callee's answer and the call's end in plugin storage, and the
tool reads them back while it waits. One module per job:

- ``instructions``: what a call says or asks, signed into (or, when long, referenced from) the
  URLs Plivo is given, and the Plivo XML built from it;
- ``answers``: the callee's answer and the call's end, one storage record each per call;
- ``routes``: the endpoint's ``/voice/answer``, ``/voice/input`` and ``/voice/event``, each
  checking Plivo's signature first and the instructions' signature second.

This folder sits above ``webhooks/``, ``resources/``, ``inbound/`` (it uses the endpoint's
settings and signature check) and ``toolkit/`` (its clock), and below ``features/``.
"""
