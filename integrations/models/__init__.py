"""The integrations app's tables, one module per topic."""

from integrations.models.lti import (
    LtiAwardRule,
    LtiContext,
    LtiGradebookColumn,
    LtiIdentity,
    LtiMember,
    LtiPlatform,
    LtiPostedScore,
    LtiResourceLink,
    LtiResultCompletion,
    LtiSync,
    LtiToolKey,
)
from integrations.models.ob3 import (
    AppAuthorization,
    HostRegistration,
    PushedCredential,
)
from integrations.models.oid4vci import CredentialOffer
from integrations.models.tokens import ApiToken, OAuthClient, Scope, ServiceAccount
from integrations.models.vcapi import IssuedCredential
from integrations.models.webhooks import (
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

__all__ = [
    "IssuedCredential",
    "LtiAwardRule",
    "LtiContext",
    "LtiGradebookColumn",
    "LtiIdentity",
    "LtiMember",
    "LtiPlatform",
    "LtiPostedScore",
    "LtiResourceLink",
    "LtiResultCompletion",
    "LtiSync",
    "LtiToolKey",
    "ApiToken",
    "AppAuthorization",
    "HostRegistration",
    "PushedCredential",
    "CredentialOffer",
    "OAuthClient",
    "Scope",
    "ServiceAccount",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
]
