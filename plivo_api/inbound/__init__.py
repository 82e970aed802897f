"""Two-way SMS: Plivo's inbound-message and delivery-report webhooks answered by a Dify app.

Dify-free like the rest of :mod:`plivo_api`: the endpoint adapters in ``endpoints/`` turn a
werkzeug request into a :class:`~.webhook.WebhookRequest` and hand over the session's storage and
app invocation as :class:`~.services.Services`. Modules, one job each:

- :mod:`.webhook`: the request, its signature check, the answers Plivo gets;
- :mod:`.messages`: an inbound SMS/MMS from signature to reply; :mod:`.reports`: a delivery report;
- :mod:`.leases`: exactly-once handling under Plivo's retries; :mod:`.conversations`: one Dify
  conversation per (Plivo number, sender, app); :mod:`.guards`: no loops, a reply rate limit;
- :mod:`.apps`: invoking the app and reading its answer; :mod:`.replies`: splitting and sending;
- :mod:`.settings`: the endpoint's settings; :mod:`.services`: what a handling needs from Dify
  and Plivo. The opt-out list, shared with send_sms, is :mod:`plivo_api.inbound.optouts`.
"""
