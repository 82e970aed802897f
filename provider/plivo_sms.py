"""Checks the credentials a user enters once, with one cheap read of the Plivo account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dify_plugin import ToolProvider
from dify_plugin.errors.tool import ToolProviderCredentialValidationError

from plivo_api import PlivoClient, PlivoError
from plivo_api.credentials import Credentials
from plivo_api.sender import parse_sender


class PlivoSmsProvider(ToolProvider):
    def _validate_credentials(self, credentials: Mapping[str, Any]) -> None:
        try:
            creds = Credentials.from_mapping(credentials)
            if creds.default_sender:
                parse_sender(creds.default_sender, parameter="default_sender")
            PlivoClient(creds.auth_id, creds.auth_token).get_account()
        except PlivoError as error:
            # from None: the chained cause would only repeat what the message already says.
            raise ToolProviderCredentialValidationError(str(error)) from None
