"""The integrations app's tables, one module per topic."""

from integrations.models.lti import (
    LtiAwardRule,
    LtiContext,
    LtiIdentity,
    LtiMember,
    LtiPlatform,
    LtiResourceLink,
    LtiResultCompletion,
    LtiToolKey,
)
from integrations.models.tokens import ApiToken, OAuthClient, Scope, ServiceAccount
from integrations.models.webhooks import (
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

__all__ = [
    "LtiAwardRule",
    "LtiContext",
    "LtiIdentity",
    "LtiMember",
    "LtiPlatform",
    "LtiResourceLink",
    "LtiResultCompletion",
    "LtiToolKey",
    "ApiToken",
    "OAuthClient",
    "Scope",
    "ServiceAccount",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
]
