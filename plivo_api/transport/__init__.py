"""How a request reaches Plivo and how a failure comes back: one session per credential set,
timeouts on every request, the retry policy, error answers turned into advice, and redaction."""
