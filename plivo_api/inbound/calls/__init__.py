"""The phone assistant: a caller talks, Plivo turns the speech into text, a Dify chat app
answers, Plivo speaks the answer, until the caller hangs up or asks for a person.

The endpoint is the number's answer URL; every step of a call is one signed webhook, answered
with call XML. Modules, one job each:

- :mod:`.handlers`: the three routes (``/voice/inbound``, ``/voice/turn``, ``/voice/hangup``),
  signature first;
- :mod:`.turns`: one turn: what the caller said (a question, a request for a person, silence) and
  the answer, run once however often Plivo retries it;
- :mod:`.budget`: the app run inside a time budget safely below Plivo's wait;
- :mod:`.record`: the call's conversation and transcript in plugin storage;
- :mod:`.documents`: the XML documents a call gets; :mod:`.phrases`: the fixed sentences, among
  them what is spoken when things fail.
"""
