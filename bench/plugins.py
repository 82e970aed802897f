"""The two comparison plugins, written into a temporary directory at run time.

* ``bare``: the smallest plugin ``dify_plugin`` will start (manifest, provider, one trivial tool,
  ``main.py``, ``_assets/icon.svg``). Its start-up time and memory are the floor any plugin pays.
* ``sdk``: a plugin that sends the way Dify's official ``plivo_sms`` plugin does: a new
  ``plivo.RestClient(auth_id, auth_token)`` for every invocation, then
  ``client.messages.create(src=..., dst=..., text=...)``. Written here from that description, not
  copied. Two test-only lines point it at the sandbox: ``main.py`` patches the SDK's module
  constant ``PLIVO_API_BASE_URI`` (read again on every request), and the tool sets the new
  session's ``verify`` to the sandbox certificate, because the SDK sends with ``Session.send``,
  which ignores ``REQUESTS_CA_BUNDLE``.

Both run under the same interpreter and stand-in daemon as this plugin.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from devtools.daemon import PLUGIN_ROOT

BARE_PROVIDER = "bench_bare"
SDK_PROVIDER = "bench_sdk"
SDK_TOOL = "send_sms"
SDK_BASE_URL_ENV = "BENCH_SDK_API_BASE_URL"  # origin of the sandbox, e.g. https://127.0.0.1:4443
SDK_CA_BUNDLE_ENV = "BENCH_SDK_CA_BUNDLE"

_MANIFEST = """\
version: 0.0.1
type: plugin
author: bench
name: {name}
label:
  en_US: {name}
description:
  en_US: Benchmark comparison plugin.
icon: icon.svg
created_at: "2026-01-01T00:00:00Z"
resource:
  memory: 268435456
plugins:
  tools:
    - provider/{name}.yaml
meta:
  version: 0.0.1
  arch:
    - amd64
    - arm64
  runner:
    language: python
    version: "3.12"
    entrypoint: main
"""

_PROVIDER_YAML = """\
identity:
  author: bench
  name: {name}
  label:
    en_US: {name}
  description:
    en_US: Benchmark comparison provider.
  icon: icon.svg
{credentials}tools:
  - tools/{tool}.yaml
extra:
  python:
    source: provider/{name}.py
"""

_CREDENTIALS_YAML = """\
credentials_for_provider:
  auth_id:
    type: secret-input
    required: true
    label:
      en_US: Auth ID
  auth_token:
    type: secret-input
    required: true
    label:
      en_US: Auth Token
"""

_PROVIDER_PY = """\
from dify_plugin import ToolProvider


class BenchProvider(ToolProvider):
    def _validate_credentials(self, credentials):
        return None
"""

_TOOL_YAML = """\
identity:
  name: {tool}
  author: bench
  label:
    en_US: {tool}
description:
  human:
    en_US: Benchmark tool.
  llm: Benchmark tool.
parameters:
{parameters}extra:
  python:
    source: tools/{tool}.py
"""

_PARAMETER_YAML = """\
  - name: {name}
    type: string
    required: true
    form: llm
    label:
      en_US: {name}
    human_description:
      en_US: {name}
"""

_BARE_TOOL_PY = """\
from dify_plugin import Tool


class EchoTool(Tool):
    def _invoke(self, tool_parameters):
        yield self.create_text_message(str(tool_parameters.get("text", "")))
"""

_SDK_TOOL_PY = f"""\
import os

import plivo
from dify_plugin import Tool


class SendSmsTool(Tool):
    def _invoke(self, tool_parameters):
        client = plivo.RestClient(
            auth_id=self.runtime.credentials["auth_id"],
            auth_token=self.runtime.credentials["auth_token"],
        )
        client.session.verify = os.environ.get("{SDK_CA_BUNDLE_ENV}") or True  # bench only
        response = client.messages.create(
            src=tool_parameters["from_number"].strip(),
            dst=tool_parameters["to_number"].strip(),
            text=tool_parameters["message"].strip(),
        )
        uuid = response.message_uuid[0] if response.message_uuid else "unknown"
        yield self.create_text_message(f"SMS sent. Message UUID: {{uuid}}")
        yield self.create_json_message({{"status": "success", "message_uuid": uuid}})
"""

_MAIN_PY = """\
from dify_plugin import DifyPluginEnv, Plugin

plugin = Plugin(DifyPluginEnv(MAX_REQUEST_TIMEOUT=120))

if __name__ == "__main__":
    plugin.run()
"""

_SDK_MAIN_PY = f"""\
import os

from dify_plugin import DifyPluginEnv, Plugin

_base = os.environ.get("{SDK_BASE_URL_ENV}")
if _base:  # bench only: send to the sandbox instead of api.plivo.com
    import plivo.rest.client

    plivo.rest.client.PLIVO_API_BASE_URI = _base.rstrip("/") + "/v1/Account"

plugin = Plugin(DifyPluginEnv(MAX_REQUEST_TIMEOUT=120))

if __name__ == "__main__":
    plugin.run()
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "_assets").mkdir(exist_ok=True)
    shutil.copyfile(PLUGIN_ROOT / "_assets" / "icon.svg", root / "_assets" / "icon.svg")
    return root


def write_bare_plugin(root: Path) -> Path:
    """A plugin with one tool that echoes its ``text`` parameter and imports nothing else."""
    name, tool = BARE_PROVIDER, "echo"
    return _write(
        root,
        {
            "manifest.yaml": _MANIFEST.format(name=name),
            f"provider/{name}.yaml": _PROVIDER_YAML.format(name=name, credentials="", tool=tool),
            f"provider/{name}.py": _PROVIDER_PY,
            f"tools/{tool}.yaml": _TOOL_YAML.format(
                tool=tool, parameters=_PARAMETER_YAML.format(name="text")
            ),
            f"tools/{tool}.py": _BARE_TOOL_PY,
            "main.py": _MAIN_PY,
        },
    )


def write_sdk_plugin(root: Path) -> Path:
    """The official plugin's send path on Plivo's SDK, with the same three parameters."""
    name, tool = SDK_PROVIDER, SDK_TOOL
    parameters = "".join(
        _PARAMETER_YAML.format(name=p) for p in ("to_number", "from_number", "message")
    )
    return _write(
        root,
        {
            "manifest.yaml": _MANIFEST.format(name=name),
            f"provider/{name}.yaml": _PROVIDER_YAML.format(
                name=name, credentials=_CREDENTIALS_YAML, tool=tool
            ),
            f"provider/{name}.py": _PROVIDER_PY,
            f"tools/{tool}.yaml": _TOOL_YAML.format(tool=tool, parameters=parameters),
            f"tools/{tool}.py": _SDK_TOOL_PY,
            "main.py": _SDK_MAIN_PY,
        },
    )
