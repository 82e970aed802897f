"""Tiny plugins that exercise the stand-in daemon without depending on the product plugin.

``write_probe_plugin`` writes a tool + endpoint plugin whose endpoint reports the request it saw,
keeps a chat conversation per sender in storage and invokes apps; its tool uses storage.
``write_trigger_plugin`` writes a trigger plugin (a trigger cannot share a plugin with tools,
langgenius/dify-plugin-daemon ``pkg/entities/plugin_entities/plugin_declaration.go``) whose
dispatch deduplicates through storage. Both run under ``StandInDaemon(plugin_root=...)``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

PROBE_PROVIDER = "probe"
PROBE_TOOL = "probe_storage"
TRIGGER_PROVIDER = "probe_trigger"
TRIGGER_EVENT = "message_received"
TRIGGER_GOOD_API_KEY = "good-key"

_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>'
)

_MAIN = """
from dify_plugin import DifyPluginEnv, Plugin

plugin = Plugin(DifyPluginEnv(MAX_REQUEST_TIMEOUT=120))

if __name__ == "__main__":
    plugin.run()
"""


def _manifest(name: str, plugins: str, permission: str) -> str:
    return f"""
version: 0.0.1
type: plugin
author: standin
name: {name}
label:
  en_US: {name}
description:
  en_US: A throwaway plugin that exercises the stand-in daemon.
icon: icon.svg
created_at: "2026-01-01T00:00:00Z"
resource:
  memory: 268435456
  permission:
{textwrap.indent(textwrap.dedent(permission).strip(), "    ")}
plugins:
{textwrap.indent(textwrap.dedent(plugins).strip(), "  ")}
meta:
  version: 0.0.1
  arch: [amd64, arm64]
  runner:
    language: python
    version: "3.12"
    entrypoint: main
"""


_PROBE_PROVIDER_YAML = f"""
identity:
  author: standin
  name: {PROBE_PROVIDER}
  label:
    en_US: Probe
  description:
    en_US: Probe tools.
  icon: icon.svg
tools:
  - tools/{PROBE_TOOL}.yaml
extra:
  python:
    source: provider/probe.py
"""

_PROBE_PROVIDER_PY = """
from dify_plugin import ToolProvider


class ProbeProvider(ToolProvider):
    def _validate_credentials(self, credentials):
        return None
"""

_PROBE_TOOL_YAML = f"""
identity:
  name: {PROBE_TOOL}
  author: standin
  label:
    en_US: Probe storage
description:
  human:
    en_US: Runs one storage operation.
  llm: Runs one storage operation.
parameters:
  - name: op
    type: string
    required: true
    form: llm
    label:
      en_US: Operation
    human_description:
      en_US: set, get, exist or del
    llm_description: set, get, exist or del
  - name: key
    type: string
    required: true
    form: llm
    label:
      en_US: Key
    human_description:
      en_US: Storage key
    llm_description: Storage key
  - name: value
    type: string
    required: false
    form: llm
    label:
      en_US: Value
    human_description:
      en_US: Value to set
    llm_description: Value to set
extra:
  python:
    source: tools/{PROBE_TOOL}.py
"""

# Storage calls from a tool (an opt-out lookup, say): every outcome, errors included, as JSON.
_PROBE_TOOL_PY = """
from dify_plugin import Tool


class ProbeStorage(Tool):
    def _invoke(self, tool_parameters):
        storage = self.session.storage
        op, key = tool_parameters["op"], tool_parameters["key"]
        try:
            if op == "set":
                storage.set(key, (tool_parameters.get("value") or "").encode())
                outcome = {"ok": True}
            elif op == "get":
                outcome = {"ok": True, "value": storage.get(key).decode()}
            elif op == "exist":
                outcome = {"ok": True, "exist": storage.exist(key)}
            else:
                storage.delete(key)
                outcome = {"ok": True}
        except Exception as error:
            outcome = {"ok": False, "error": str(error)}
        yield self.create_json_message(outcome)
"""

_PROBE_GROUP_YAML = """
settings:
  - name: app
    type: app-selector
    required: false
    label:
      en_US: App
  - name: token
    type: secret-input
    required: false
    label:
      en_US: Token
endpoints:
  - endpoints/probe_post.yaml
  - endpoints/probe_get.yaml
  - endpoints/stream.yaml
"""


def _endpoint_yaml(path: str, method: str, source: str) -> str:
    return f"""
path: "{path}"
method: "{method}"
extra:
  python:
    source: "{source}"
"""


# One endpoint, several behaviours chosen by the "op" field, so a single plugin start serves
# every endpoint test: echo what arrived, chat with a conversation kept per sender, run a
# workflow, touch storage, or fire a storage call after the response (never answered).
_PROBE_ENDPOINT_PY = """
import json
import threading
import time

from werkzeug import Response

from dify_plugin import Endpoint


def _json(value, status=200):
    return Response(json.dumps(value), status=status, content_type="application/json")


class ProbeEndpoint(Endpoint):
    def _invoke(self, r, values, settings):
        fields = r.form if r.method == "POST" else r.args
        op = fields.get("op", "echo")
        if op == "echo":
            return _json({
                "method": r.method,
                "path": r.path,
                "full_path": r.full_path,
                "url": r.url,
                "headers": [[k, v] for k, v in r.headers.items()],
                "args": [[k, v] for k, v in r.args.items(multi=True)],
                "form": [[k, v] for k, v in r.form.items(multi=True)],
                "body": r.get_data().decode("latin-1"),
                "values": dict(values),
                "settings": dict(settings),
            })
        if op == "chat":
            return _json(self._chat(fields, settings))
        if op == "workflow":
            result = self.session.app.workflow.invoke(
                app_id=settings["app"]["app_id"],
                inputs={"text": fields.get("Text", "")},
                response_mode="blocking",
            )
            return _json(result)
        if op == "app_error":
            try:
                answer = self.session.app.chat.invoke(
                    app_id=fields["app_id"], query=fields.get("Text", ""), inputs={},
                    response_mode=fields.get("mode", "blocking"),
                )
                if not isinstance(answer, dict):
                    list(answer)  # a streaming invocation is sent when iterated
            except Exception as error:
                return _json({"error": str(error)}, status=502)
            return _json({"error": None})
        if op == "storage":
            return _json(self._storage(fields))
        if op == "late":
            session = self.session

            def later():
                time.sleep(float(fields.get("after", "0.3")))
                session.storage.set("late", b"1")

            threading.Thread(target=later, daemon=True).start()
            return _json({"started": True})
        return _json({"unknown": op}, status=400)

    def _chat(self, fields, settings):
        storage = self.session.storage
        key = "conv:" + fields.get("From", "")
        stored = storage.get(key).decode() if storage.exist(key) else None
        retried = False
        try:
            result = self._ask(settings, fields, stored)
        except Exception as error:
            if stored is None:
                raise
            storage.delete(key)
            retried, first_error = True, str(error)
            result = self._ask(settings, fields, None)
        storage.set(key, result["conversation_id"].encode())
        return {
            "answer": result["answer"],
            "conversation_id": result["conversation_id"],
            "used": stored,
            "retried": retried,
            "first_error": first_error if retried else None,
            "keys": sorted(result),
        }

    def _ask(self, settings, fields, conversation_id):
        return self.session.app.chat.invoke(
            app_id=settings["app"]["app_id"],
            query=fields.get("Text", ""),
            inputs={"from_number": fields.get("From", "")},
            response_mode="blocking",
            conversation_id=conversation_id,
        )

    def _storage(self, fields):
        storage, key = self.session.storage, fields.get("key", "")
        steps = {}
        for step in fields.get("steps", "set,get,exist,del,exist").split(","):
            try:
                if step == "set":
                    storage.set(key, fields.get("value", "").encode())
                    steps[step] = "ok"
                elif step == "get":
                    steps[step] = storage.get(key).decode()
                elif step == "exist":
                    steps[step] = storage.exist(key)
                elif step == "del":
                    storage.delete(key)
                    steps[step] = "ok"
            except Exception as error:
                steps[step] = "error: " + str(error)
        return steps
"""

_STREAM_ENDPOINT_PY = """
import time

from werkzeug import Response

from dify_plugin import Endpoint


class StreamEndpoint(Endpoint):
    def _invoke(self, r, values, settings):
        pause = float(r.args.get("pause", "0.2"))

        def body():
            yield "first;"
            time.sleep(pause)
            yield b"second;"
            time.sleep(pause)
            yield "third"

        headers = {"X-Probe": "stream"}
        return Response(body(), status=201, headers=headers, content_type="text/plain")
"""


def write_probe_plugin(
    root: Path,
    *,
    storage_size: int = 4096,
    app_permission: bool = True,
    storage_permission: bool = True,
) -> Path:
    """Write the tool + endpoint probe plugin into ``root`` (created) and return ``root``."""
    permission = f"""
    endpoint:
      enabled: true
    app:
      enabled: {str(app_permission).lower()}
    storage:
      enabled: {str(storage_permission).lower()}
      size: {storage_size}
    """
    files = {
        "manifest.yaml": _manifest(
            "standin_probe",
            "tools:\n  - provider/probe.yaml\nendpoints:\n  - group/probe.yaml",
            permission,
        ),
        "main.py": _MAIN,
        "_assets/icon.svg": _ICON,
        "provider/probe.yaml": _PROBE_PROVIDER_YAML,
        "provider/probe.py": _PROBE_PROVIDER_PY,
        f"tools/{PROBE_TOOL}.yaml": _PROBE_TOOL_YAML,
        f"tools/{PROBE_TOOL}.py": _PROBE_TOOL_PY,
        "group/probe.yaml": _PROBE_GROUP_YAML,
        "endpoints/probe_post.yaml": _endpoint_yaml("/probe/<kind>", "POST", "endpoints/probe.py"),
        "endpoints/probe_get.yaml": _endpoint_yaml("/probe/<kind>", "GET", "endpoints/probe.py"),
        "endpoints/stream.yaml": _endpoint_yaml("/stream", "GET", "endpoints/stream.py"),
        "endpoints/probe.py": _PROBE_ENDPOINT_PY,
        "endpoints/stream.py": _STREAM_ENDPOINT_PY,
    }
    return _write(root, files)


_TRIGGER_PROVIDER_YAML = f"""
identity:
  author: standin
  name: {TRIGGER_PROVIDER}
  label:
    en_US: Probe trigger
  description:
    en_US: Fires on a posted message.
  icon: icon.svg
subscription_schema:
  - name: secret
    type: secret-input
    required: false
    label:
      en_US: Secret
subscription_constructor:
  parameters:
    - name: number
      type: string
      required: true
      label:
        en_US: Number
  credentials_schema:
    api_key:
      type: secret-input
      required: true
      label:
        en_US: API key
events:
  - events/{TRIGGER_EVENT}.yaml
extra:
  python:
    source: provider/trigger.py
"""

# Dispatch checks a shared secret, skips a message it has seen (storage) and answers XML.
_TRIGGER_PY = f"""
import time

from werkzeug import Response

from dify_plugin.entities import I18nObject, ParameterOption
from dify_plugin.entities.trigger import EventDispatch, Subscription, UnsubscribeResult
from dify_plugin.errors.trigger import (
    TriggerProviderCredentialValidationError,
    TriggerValidationError,
)
from dify_plugin.interfaces.trigger import Trigger, TriggerSubscriptionConstructor


class ProbeTrigger(Trigger):
    def _dispatch_event(self, subscription, request):
        secret = subscription.properties.get("secret")
        if secret and request.headers.get("X-Probe-Secret") != secret:
            raise TriggerValidationError("bad secret")
        form = request.form
        key = "seen:" + form.get("MessageUUID", "")
        storage = self.runtime.session.storage
        events = []
        if not storage.exist(key):
            storage.set(key, b"1")
            events = ["{TRIGGER_EVENT}"]
        return EventDispatch(
            user_id=form.get("From", ""),
            events=events,
            response=Response("<Response></Response>", status=200, mimetype="application/xml"),
            payload={{
                "text": form.get("Text", ""),
                "endpoint": subscription.endpoint,
                "path": request.path,
                "host": request.headers.get("Host"),
                "credential_type": self.runtime.credential_type.value,
            }},
        )


class ProbeConstructor(TriggerSubscriptionConstructor):
    def _validate_api_key(self, credentials):
        if credentials.get("api_key") != "{TRIGGER_GOOD_API_KEY}":
            raise TriggerProviderCredentialValidationError("the API key was refused")

    def _create_subscription(self, endpoint, parameters, credentials, credential_type):
        return Subscription(
            expires_at=int(time.time()) + 3600,
            endpoint=endpoint,
            parameters=parameters,
            properties={{"number": parameters["number"], "external_id": "ext-1"}},
        )

    def _delete_subscription(self, subscription, credentials, credential_type):
        return UnsubscribeResult(
            success=True, message="removed " + subscription.properties["external_id"]
        )

    def _fetch_parameter_options(self, parameter, credentials, credential_type):
        if credentials.get("api_key") != "{TRIGGER_GOOD_API_KEY}":
            raise ValueError("the API key was refused")
        return [
            ParameterOption(value=number, label=I18nObject(en_US=parameter + " " + number))
            for number in ("+14155550100", "+14155550101")
        ]

    def _refresh_subscription(self, subscription, credentials, credential_type):
        return Subscription(
            expires_at=subscription.expires_at + 3600,
            endpoint=subscription.endpoint,
            parameters=subscription.parameters,
            properties=subscription.properties,
        )
"""

_EVENT_YAML = f"""
identity:
  name: {TRIGGER_EVENT}
  author: standin
  label:
    en_US: Message received
description:
  en_US: A message arrived.
parameters:
  - name: contains
    type: string
    required: false
    label:
      en_US: Contains
output_schema:
  type: object
  properties:
    text:
      type: string
    sender:
      type: string
extra:
  python:
    source: events/{TRIGGER_EVENT}.py
"""

_EVENT_PY = """
from dify_plugin.entities.trigger import Variables
from dify_plugin.errors.trigger import EventIgnoreError
from dify_plugin.interfaces.trigger import Event


class MessageReceived(Event):
    def _on_event(self, request, parameters, payload):
        text = payload.get("text", "")
        wanted = parameters.get("contains")
        if wanted and wanted not in text:
            raise EventIgnoreError()
        return Variables(variables={"text": text, "sender": request.form.get("From", "")})
"""


def write_trigger_plugin(root: Path, *, storage_size: int = 4096) -> Path:
    """Write the trigger probe plugin into ``root`` (created) and return ``root``."""
    permission = f"""
    storage:
      enabled: true
      size: {storage_size}
    """
    files = {
        "manifest.yaml": _manifest(
            "standin_trigger", "triggers:\n  - provider/trigger.yaml", permission
        ),
        "main.py": _MAIN,
        "_assets/icon.svg": _ICON,
        "provider/trigger.yaml": _TRIGGER_PROVIDER_YAML,
        "provider/trigger.py": _TRIGGER_PY,
        f"events/{TRIGGER_EVENT}.yaml": _EVENT_YAML,
        f"events/{TRIGGER_EVENT}.py": _EVENT_PY,
    }
    return _write(root, files)


def _write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root
