"""The integrations app's tables, one module per topic."""

from integrations.models.tokens import ApiToken, OAuthClient, Scope, ServiceAccount
from integrations.models.vcapi import IssuedCredential
from integrations.models.webhooks import (
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

__all__ = [
    "IssuedCredential",
    "ApiToken",
    "OAuthClient",
    "Scope",
    "ServiceAccount",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
]
