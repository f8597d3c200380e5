"""The integrations app's tables, one module per topic."""

from integrations.models.tokens import ApiToken, OAuthClient, Scope, ServiceAccount

__all__ = ["ApiToken", "OAuthClient", "Scope", "ServiceAccount"]
