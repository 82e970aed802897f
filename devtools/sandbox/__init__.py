"""A Plivo-compatible API server for tests, the demo and benchmarks (dev tooling, never shipped).

Start it in-process with ``PlivoSandbox().start()`` or from a shell with
``python -m devtools.sandbox``; see ``server`` for an overview.
"""

from devtools.sandbox.accounts import (
    DEMO_ACCOUNTS,
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_TRIAL_AUTH_ID,
    DEMO_TRIAL_AUTH_TOKEN,
    DEMO_TRIAL_VERIFIED_NUMBER,
    SandboxAccount,
)
from devtools.sandbox.faults import Fault
from devtools.sandbox.messages import StoredMessage, Timeline, magic_numbers_help
from devtools.sandbox.remote import RemoteSandbox
from devtools.sandbox.reqlog import RecordedRequest
from devtools.sandbox.server import PlivoSandbox

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_AUTH_ID",
    "DEMO_AUTH_TOKEN",
    "DEMO_TRIAL_AUTH_ID",
    "DEMO_TRIAL_AUTH_TOKEN",
    "DEMO_TRIAL_VERIFIED_NUMBER",
    "Fault",
    "PlivoSandbox",
    "RecordedRequest",
    "RemoteSandbox",
    "SandboxAccount",
    "StoredMessage",
    "Timeline",
    "magic_numbers_help",
]
