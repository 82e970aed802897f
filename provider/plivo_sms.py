"""Checks the credentials a user enters once, with one cheap read of the Plivo account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dify_plugin import ToolProvider
from dify_plugin.errors.tool import ToolProviderCredentialValidationError

from plivo_api import PlivoError
from plivo_api.credentials import verify


class PlivoSmsProvider(ToolProvider):
    def _validate_credentials(self, credentials: Mapping[str, Any]) -> None:
        try:
            verify(credentials)
        except PlivoError as error:
            # from None: the chained cause would only repeat what the message already says.
            raise ToolProviderCredentialValidationError(str(error)) from None
