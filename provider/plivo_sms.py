"""Checks the credentials a user enters once, with one cheap read of the Plivo account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dify_plugin import ToolProvider
from dify_plugin.errors.tool import ToolProviderCredentialValidationError


class PlivoSmsProvider(ToolProvider):
    def _validate_credentials(self, credentials: Mapping[str, Any]) -> None:
        # Imported here, not at start-up: the plugin is ready before the core is loaded.
        from plivo_api.errors import PlivoError
        from plivo_api.resources.connect import verify

        try:
            verify(credentials)
        except PlivoError as error:
            # from None: the chained cause would only repeat what the message already says.
            raise ToolProviderCredentialValidationError(str(error)) from None
