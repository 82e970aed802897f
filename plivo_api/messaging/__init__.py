"""The rules of numbers and texts: E.164 and Plivo's digits, segments, senders, message states,
error codes, call destinations and placeholders. No requests are made here."""
