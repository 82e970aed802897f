"""When a request may be repeated and how long to wait first (the client applies this policy;
tests/transport/test_client.py shows it against a real server)."""

from __future__ import annotations

import pytest

from plivo_api.transport.retry import (
    BACKOFF_CAP_SECONDS,
    DEFAULT_RETRY_POLICY,
    NO_RETRY,
    Outcome,
    RetryPolicy,
    classify_status,
    parse_retry_after,
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, None), ("", None), ("3", 3.0), (" 1.5 ", 1.5), ("-4", 0.0), ("soon", None)],
)
def test_parse_retry_after_seconds(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_parse_retry_after_http_date_in_the_future() -> None:
    value = parse_retry_after("Wed, 21 Oct 2099 07:28:00 GMT")
    assert value is not None and value > 1e8


def test_parse_retry_after_http_date_in_the_past_is_now() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (429, Outcome.RATE_LIMITED),
        (502, Outcome.GATEWAY_ERROR),
        (503, Outcome.GATEWAY_ERROR),
        (504, Outcome.GATEWAY_ERROR),
        (500, Outcome.FINAL),
        (400, Outcome.FINAL),
        (200, Outcome.FINAL),
    ],
)
def test_classify_status(status: int, outcome: Outcome) -> None:
    assert classify_status(status) is outcome


@pytest.mark.parametrize(
    ("outcome", "read", "send"),
    [
        (Outcome.NOT_SENT, True, True),
        (Outcome.RATE_LIMITED, True, True),
        (Outcome.GATEWAY_ERROR, True, False),
        (Outcome.NO_ANSWER, True, False),
        (Outcome.FINAL, False, False),
    ],
)
def test_a_send_is_repeated_only_when_plivo_provably_did_not_act(
    outcome: Outcome, read: bool, send: bool
) -> None:
    assert DEFAULT_RETRY_POLICY.may_retry(outcome, idempotent=True, attempt=1) is read
    assert DEFAULT_RETRY_POLICY.may_retry(outcome, idempotent=False, attempt=1) is send


def test_attempts_are_capped() -> None:
    assert DEFAULT_RETRY_POLICY.may_retry(Outcome.NOT_SENT, idempotent=True, attempt=2)
    assert not DEFAULT_RETRY_POLICY.may_retry(Outcome.NOT_SENT, idempotent=True, attempt=3)
    assert not NO_RETRY.may_retry(Outcome.NOT_SENT, idempotent=True, attempt=1)


@pytest.mark.parametrize("attempt", [1, 2, 3, 10])
def test_backoff_is_jittered_below_a_cap(attempt: int) -> None:
    policy = RetryPolicy()
    ceiling = min(BACKOFF_CAP_SECONDS, policy.backoff_base * 2 ** (attempt - 1))
    for _ in range(50):
        assert ceiling / 2 <= policy.delay(attempt) <= ceiling


def test_the_servers_retry_after_wins_over_backoff() -> None:
    assert RetryPolicy().delay(1, 2.0) == 2.0
    assert RetryPolicy().delay(1, -1.0) == 0.0


def test_a_long_retry_after_is_not_waited_for() -> None:
    policy = RetryPolicy(max_retry_after=5.0)
    assert not policy.retry_after_too_long(None)
    assert not policy.retry_after_too_long(5.0)
    assert policy.retry_after_too_long(5.1)
