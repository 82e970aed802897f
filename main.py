"""Entry point: Dify's daemon runs ``python -m main`` with the plugin root as working directory."""

import logging
import types

import yaml
from dify_plugin import DifyPluginEnv, Plugin
from dify_plugin.config.logger_format import plugin_logger_handler
from dify_plugin.core.utils import yaml_loader

from tools._feature import load_features_after_first_heartbeat

# The core logs through "plivo_api" (never numbers, texts or credentials); the SDK's handler
# turns records into log events on the protocol channel, which Dify's daemon writes to its log.
core_logger = logging.getLogger("plivo_api")
core_logger.setLevel(logging.INFO)
core_logger.addHandler(plugin_logger_handler)

# Dify's daemon waits for the first heartbeat, which comes after the SDK has parsed every tool
# and endpoint declaration with PyYAML's pure-Python loader (about 0.13 s for this plugin's 20+
# files). libyaml's loader reads the same documents into the same values (a test compares both
# on every declaration) about four times faster, so the SDK's YAML reader is pointed at it.
if yaml.__with_libyaml__:
    yaml_loader.yaml = types.SimpleNamespace(
        safe_load=lambda stream: yaml.load(stream, Loader=yaml.CSafeLoader),
        YAMLError=yaml.YAMLError,
    )


plugin = Plugin(DifyPluginEnv(MAX_REQUEST_TIMEOUT=120))
# Dify's daemon routes requests once the first heartbeat is out; the tools' code loads right after.
load_features_after_first_heartbeat(plugin.default_writer)

if __name__ == "__main__":
    plugin.run()
