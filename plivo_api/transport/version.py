"""The plugin's identity as Plivo sees it (User-Agent). Kept equal to manifest.yaml by a test."""

PLUGIN_NAME = "plivo_sms"
PLUGIN_VERSION = "0.1.0"
USER_AGENT = f"dify-{PLUGIN_NAME}/{PLUGIN_VERSION}"
