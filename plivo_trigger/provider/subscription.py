"""Dify adapter for automatic subscriptions: creating, removing and listing live in
``plivo_api.trigger.subscriptions``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dify_plugin.entities import I18nObject, ParameterOption
from dify_plugin.entities.provider_config import CredentialType
from dify_plugin.entities.trigger import Subscription, UnsubscribeResult
from dify_plugin.errors.trigger import SubscriptionError, TriggerProviderCredentialValidationError
from dify_plugin.interfaces.trigger import TriggerSubscriptionConstructor

NEVER_EXPIRES = -1
"""A Plivo application does not expire, so Dify never needs to refresh the subscription."""


class PlivoSubscriptionConstructor(TriggerSubscriptionConstructor):
    def _validate_api_key(self, credentials: Mapping[str, Any]) -> None:
        from plivo_api.errors import PlivoError
        from plivo_api.resources.connect import verify

        try:
            verify(credentials)
        except PlivoError as error:
            # from None: the chained cause would only repeat what the message already says.
            raise TriggerProviderCredentialValidationError(str(error)) from None

    def _create_subscription(
        self,
        endpoint: str,
        parameters: Mapping[str, Any],
        credentials: Mapping[str, Any],
        credential_type: CredentialType,
    ) -> Subscription:
        from plivo_api.errors import PlivoError
        from plivo_api.resources.connect import client_from
        from plivo_api.trigger.subscriptions import create_subscription

        try:
            properties = create_subscription(client_from(credentials), endpoint, parameters)
        except PlivoError as error:
            code = getattr(error, "code", None) or "INVALID_PARAMETERS"
            raise SubscriptionError(str(error), error_code=code) from None
        return Subscription(
            expires_at=NEVER_EXPIRES,
            endpoint=endpoint,
            parameters=parameters,
            properties=properties,
        )

    def _delete_subscription(
        self,
        subscription: Subscription,
        credentials: Mapping[str, Any],
        credential_type: CredentialType,
    ) -> UnsubscribeResult:
        from plivo_api.errors import PlivoError
        from plivo_api.resources.connect import client_from
        from plivo_api.trigger.subscriptions import delete_subscription

        try:
            outcome = delete_subscription(client_from(credentials), subscription.properties or {})
        except PlivoError as error:
            return UnsubscribeResult(success=False, message=str(error))
        return UnsubscribeResult(success=outcome.success, message=outcome.message)

    def _refresh_subscription(
        self,
        subscription: Subscription,
        credentials: Mapping[str, Any],
        credential_type: CredentialType,
    ) -> Subscription:
        return Subscription(
            expires_at=NEVER_EXPIRES,
            endpoint=subscription.endpoint,
            parameters=subscription.parameters,
            properties=subscription.properties,
        )

    def _fetch_parameter_options(
        self,
        parameter: str,
        credentials: Mapping[str, Any],
        credential_type: CredentialType,
    ) -> list[ParameterOption]:
        from plivo_api.resources.connect import client_from
        from plivo_api.trigger.subscriptions import PARAM_PHONE_NUMBER, number_options

        if parameter != PARAM_PHONE_NUMBER:
            return []
        options = number_options(client_from(credentials))
        return [
            ParameterOption(
                value=option.value,
                label=I18nObject(
                    en_US=option.label, zh_Hans=option.label, ja_JP=option.label, pt_BR=option.label
                ),
            )
            for option in options
        ]
