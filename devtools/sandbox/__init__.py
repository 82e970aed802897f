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
from devtools.sandbox.callflow import (
    CallFlowRecord,
    CallScript,
    Digits,
    Silence,
    Speech,
    TranscriptEntry,
    VoicePolicy,
)
from devtools.sandbox.directory import (
    DEMO_APP_ID,
    DEMO_ENDPOINT_ID,
    DEMO_IVR_APP_ID,
    DEMO_NUMBER,
    DEMO_PHLO_ID,
    DEMO_TOLLFREE_NUMBER,
    DEMO_UK_NUMBER,
    Application,
    PhloRun,
    RentedNumber,
)
from devtools.sandbox.faults import Fault
from devtools.sandbox.messages import StoredMessage, Timeline, magic_numbers_help
from devtools.sandbox.remote import RemoteSandbox
from devtools.sandbox.reqlog import RecordedRequest
from devtools.sandbox.server import PlivoSandbox
from devtools.sandbox.voice import CallTimeline, Conference, StoredCall, magic_calls_help
from devtools.sandbox.webhooks import WebhookAttempt, WebhookPolicy, WebhookRecord

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_APP_ID",
    "DEMO_AUTH_ID",
    "DEMO_AUTH_TOKEN",
    "DEMO_ENDPOINT_ID",
    "DEMO_IVR_APP_ID",
    "DEMO_NUMBER",
    "DEMO_PHLO_ID",
    "DEMO_TOLLFREE_NUMBER",
    "DEMO_TRIAL_AUTH_ID",
    "DEMO_TRIAL_AUTH_TOKEN",
    "DEMO_TRIAL_VERIFIED_NUMBER",
    "DEMO_UK_NUMBER",
    "Application",
    "CallFlowRecord",
    "CallScript",
    "CallTimeline",
    "Conference",
    "Digits",
    "Fault",
    "PhloRun",
    "PlivoSandbox",
    "RecordedRequest",
    "RemoteSandbox",
    "RentedNumber",
    "SandboxAccount",
    "Silence",
    "Speech",
    "StoredCall",
    "StoredMessage",
    "Timeline",
    "TranscriptEntry",
    "VoicePolicy",
    "WebhookAttempt",
    "WebhookPolicy",
    "WebhookRecord",
    "magic_calls_help",
    "magic_numbers_help",
]
