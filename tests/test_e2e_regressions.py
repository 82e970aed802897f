"""End to end through the stand-in daemon against the Plivo sandbox: a send Plivo accepted but
that queued nothing fails the node, and core log records reach the daemon."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from devtools.daemon import StandInDaemon
    from devtools.sandbox import PlivoSandbox

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("body", "error_type", "phrase"),
    [
        (
            {"message_uuid": [], "invalid_number": ["14155552671"]},
            "InvalidRequestError",
            "refused every destination as invalid: +14155552671",
        ),
        ({"message_uuid": []}, "OutcomeUnknownError", "returned no message UUIDs"),
    ],
)
def test_a_202_that_queued_nothing_fails_the_node(
    plugin: StandInDaemon,
    sandbox: PlivoSandbox,
    demo_credentials: dict[str, str],
    body: dict[str, object],
    error_type: str,
    phrase: str,
) -> None:
    from devtools.sandbox import Fault

    sandbox.inject(Fault(method="POST", path="/Message/$", status=202, body=body))
    result = plugin.invoke_tool(
        "send_sms", {"to": "+14155552671", "message": "Hi"}, demo_credentials
    )
    assert result.error is not None
    assert result.error["error_type"] == error_type
    assert phrase in result.error["message"]
    assert result.messages == []


def test_core_log_records_reach_the_daemon_as_log_events(
    plugin: StandInDaemon, sandbox: PlivoSandbox, demo_credentials: dict[str, str]
) -> None:
    from devtools.sandbox import Fault

    sandbox.inject(Fault(method="GET", path="/Message/", status=500, body={"error": "x"}, times=20))
    before = len(plugin.logs)
    result = plugin.invoke_tool(
        "send_sms", {"to": "+14155552671", "message": "Hi", "wait_seconds": 1}, demo_credentials
    )
    assert result.ok, result.error
    new = [entry["message"] for entry in plugin.logs[before:]]
    assert any("polling message" in line and "server error" in line for line in new), new
