"""The API's door for OAuth 2.0 access tokens (django-oauth-toolkit).

A token from the authorization-code grant acts as the person who consented; a
client-credentials token acts as the registering organization's service
account for that client, within that organization only."""

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from integrations.ob3 import connections
from integrations.tokens.authentication import admit, bearer_token


class OAuthAuthentication(OAuth2Authentication):
    def authenticate(self, request: Request):
        # Only the Authorization header (RFC 6750 §2.1): looking for a token in
        # the body would parse it before the view chose its parsers.
        if bearer_token(request) is None:
            return None
        found = super().authenticate(request)
        if found is None:
            if bearer_token(request) is not None:
                # The last door for bearer tokens: a token no door knows is
                # refused, never taken for an anonymous call.
                raise AuthenticationFailed(
                    "The access token is unknown, expired or revoked."
                )
            return None
        user, access_token = found
        machine = user is None
        if machine:
            user = _client_user(access_token.application)
        if user is None or not user.is_active:
            raise AuthenticationFailed("This client may not act on its own.")
        admit(
            request,
            key=f"oauth-{access_token.pk}",
            name=f"OAuth client {access_token.application.name}",
            granted=set(access_token.scope.split()),
            machine=machine,
        )
        connections.record_use(access_token)  # the person's "Connected apps"
        return user, access_token


def _client_user(application):
    """The service account a client-credentials token acts as, if any."""
    client = getattr(application, "cairn_client", None)
    if client is None or client.service_account is None:
        return None
    if not client.service_account.is_active:
        return None
    return client.service_account.user
