"""The one bridge from a Dify tool to its feature module in ``plivo_api.features``.

Every tool class is the same three lines and calls :func:`run_feature` with its own name. The
feature modules are not imported when the plugin starts: Dify's daemon waits for the process's
first heartbeat, and phonenumbers and the feature code (about 0.1 s of imports) would only delay
it. ``main.py`` runs :func:`load_features` in the background once that heartbeat is out, so a
tool's first call finds its code loaded; a call that comes sooner imports its module itself.
Errors are not caught here: an exception fails the Dify node (so its fail branch runs), and every
``PlivoError`` already carries a sentence that says what to do.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import threading
import time
from collections.abc import Callable, Generator, Mapping
from typing import Any, cast

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

from plivo_api.features import Invocation, ToolOutput

Feature = Callable[[Invocation], ToolOutput]

FEATURES_PACKAGE = "plivo_api.features"

logger = logging.getLogger(__name__)


def load_features() -> None:
    """Import every feature module, one at a time, yielding to other work between modules.

    Under the SDK's gevent patching this runs as a greenlet, and an import never yields inside a
    module: a call that arrives meanwhile waits for the module being imported, then imports its
    own (Python's per-module import locks are greenlet-aware there, so two importers of one
    module take turns). A module that fails to import is logged and skipped; the tool's own call
    raises the same error, where Dify shows it.
    """
    package = importlib.import_module(FEATURES_PACKAGE)
    for module in pkgutil.iter_modules(package.__path__):
        try:
            importlib.import_module(f"{FEATURES_PACKAGE}.{module.name}")
        except Exception:
            logger.exception("Feature %s failed to load; its tool will fail", module.name)
        time.sleep(0.001)  # lets a request that came meanwhile in (gevent polls input on a wait)


def load_features_after_first_heartbeat(
    writer: Any, load: Callable[[], None] = load_features
) -> None:
    """Run ``load`` in the background once the SDK's first heartbeat has been written.

    The SDK writes heartbeats from a loop that calls its writer's ``heartbeat()``, which returns
    once the line is written and flushed; only then does the load start, so it never delays the
    moment Dify's daemon considers the plugin ready. Under the SDK's gevent patching the thread is
    a greenlet. The serverless runtime has no heartbeat writer: there, each tool's code loads on
    its first call.
    """
    if writer is None:
        return
    heartbeat = writer.heartbeat

    def heartbeat_then_load() -> None:
        heartbeat()
        writer.heartbeat = heartbeat  # later heartbeats are the SDK's own again
        threading.Thread(target=load, name="load-features", daemon=True).start()

    writer.heartbeat = heartbeat_then_load


def run_feature(
    tool: Tool, name: str, parameters: Mapping[str, Any]
) -> Generator[ToolInvokeMessage, None, None]:
    module = importlib.import_module(f"{FEATURES_PACKAGE}.{name}")
    run = cast(Feature, module.run)
    output = run(
        Invocation(
            parameters=parameters,
            credentials=tool.runtime.credentials or {},
            storage=getattr(tool.session, "storage", None),
        )
    )
    yield tool.create_text_message(output.text)
    yield tool.create_json_message(dict(output.json))
    for variable, value in output.variables.items():
        yield tool.create_variable_message(variable, value)
