"""Entry point: Dify's daemon runs ``python -m main`` with the plugin root as working directory."""

import logging

from dify_plugin import DifyPluginEnv, Plugin
from dify_plugin.config.logger_format import plugin_logger_handler

# The core logs through "plivo_api" (never numbers, texts or credentials); the SDK's handler
# turns records into log events on the protocol channel, which Dify's daemon writes to its log.
core_logger = logging.getLogger("plivo_api")
core_logger.setLevel(logging.INFO)
core_logger.addHandler(plugin_logger_handler)

plugin = Plugin(DifyPluginEnv(MAX_REQUEST_TIMEOUT=120))

if __name__ == "__main__":
    plugin.run()
