"""Dify adapter for incoming Plivo webhooks: the answer and the event come from
``plivo_api.trigger.dispatch``."""

from __future__ import annotations

from dify_plugin.entities.trigger import EventDispatch, Subscription
from dify_plugin.interfaces.trigger import Trigger
from werkzeug import Request, Response

# The SDK looks for the subscription constructor in this provider module.
from .subscription import PlivoSubscriptionConstructor

__all__ = ["PlivoSubscriptionConstructor", "PlivoTrigger"]


class PlivoTrigger(Trigger):
    def _dispatch_event(self, subscription: Subscription, request: Request) -> EventDispatch:
        # Imported here, not at start-up: the plugin is ready before the core is loaded.
        from plivo_api.trigger.dispatch import (
            CallAnswer,
            WebhookRequest,
            answer_webhook,
            auth_token_of,
        )

        properties = subscription.properties or {}
        answer = answer_webhook(
            WebhookRequest(
                method=request.method,
                endpoint=subscription.endpoint,
                query=request.query_string.decode("utf-8", "replace"),
                params=request.form,
                headers=request.headers,
            ),
            auth_token=auth_token_of(self.runtime.credentials, properties),
            store=self.runtime.session.storage,
            call_answer=CallAnswer.from_properties(properties),
        )
        return EventDispatch(
            user_id=answer.user_id,
            events=answer.events,
            payload=answer.payload,
            response=Response(answer.body, status=answer.status, content_type=answer.content_type),
        )
