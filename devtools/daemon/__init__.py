"""A stand-in for Dify's plugin daemon: runs ``python -m main`` and speaks its stdio protocol.

It drives everything a local install exercises: tool calls and credential checks, endpoint
requests (raw HTTP in, streamed HTTP out), the trigger actions, and the backwards invocations
a plugin makes while it works (storage and app invocations are answered, anything else is
refused). It also measures time-to-ready and peak RSS and keeps non-protocol stdout.

Used by the end-to-end tests, the demo and the benchmarks::

    with StandInDaemon(plugin_root) as daemon:
        daemon.apps["app-1"] = StandInApp(kind="chat", answer=lambda call: "hi")
        result = daemon.invoke_endpoint("POST", "/sms", form={"Text": "hello"}, settings={...})
        assert result.status == 200 and daemon.app_calls[0].query == "hello"
"""

from devtools.daemon.apps import (
    APP_NOT_FOUND,
    CONVERSATION_NOT_EXISTS,
    MISSING_QUERY,
    RUN_FAILED,
    AppCall,
    AppError,
    AppRunFailed,
    StandInApp,
)
from devtools.daemon.backwards import BackwardsCall
from devtools.daemon.core import (
    DEFAULT_BASE_URL,
    DEFAULT_ENDPOINT_ID,
    DEFAULT_HOOK_ID,
    PLUGIN_ROOT,
    READY_TIMEOUT_SECONDS,
    SESSION_TIMEOUT_SECONDS,
    StandInDaemon,
)
from devtools.daemon.httpwire import HttpResponse
from devtools.daemon.results import (
    DaemonError,
    EndpointResult,
    SessionResult,
    SubscriptionResult,
    TriggerDispatchResult,
    TriggerEventResult,
)
from devtools.daemon.storage import StandInStorage, StorageCall, StorageError

__all__ = [
    "APP_NOT_FOUND",
    "CONVERSATION_NOT_EXISTS",
    "DEFAULT_BASE_URL",
    "DEFAULT_ENDPOINT_ID",
    "DEFAULT_HOOK_ID",
    "MISSING_QUERY",
    "PLUGIN_ROOT",
    "READY_TIMEOUT_SECONDS",
    "RUN_FAILED",
    "SESSION_TIMEOUT_SECONDS",
    "AppCall",
    "AppError",
    "AppRunFailed",
    "BackwardsCall",
    "DaemonError",
    "EndpointResult",
    "HttpResponse",
    "SessionResult",
    "StandInApp",
    "StandInDaemon",
    "StandInStorage",
    "StorageCall",
    "StorageError",
    "SubscriptionResult",
    "TriggerDispatchResult",
    "TriggerEventResult",
]
