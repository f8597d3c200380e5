"""The API's door for Cairn's own tokens: `Authorization: Bearer cairn_…`.

Each call is checked against the scope its endpoint needs, counted against the
token's limit per minute, recorded as the token's last use, and names the
token in every audit entry it causes."""

from django.conf import settings
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.request import Request

from accounts import ratelimit
from accounts.audit import acting_via
from integrations.tokens import scopes, selectors, services


def bearer_token(request: Request) -> str | None:
    """The bearer token the request carries, if any."""
    parts = get_authorization_header(request).split()
    if not parts or parts[0].lower() != b"bearer":
        return None
    if len(parts) != 2:
        raise AuthenticationFailed(
            "Send the token as “Authorization: Bearer <token>”, with no spaces in it."
        )
    try:
        return parts[1].decode()
    except UnicodeDecodeError:
        raise AuthenticationFailed("The token is not valid text.") from None


def admit(
    request: Request, *, key: str, name: str, granted: set[str], machine: bool
) -> None:
    """What every token door does once it knows the token: check the scope,
    count the call, and name the token for the audit trail."""
    scopes.check_scope(request, granted, machine=machine)
    limit = settings.CAIRN_TOKEN_REQUESTS_PER_MINUTE
    if ratelimit.exceeded(request, "api-token", limit, key=key):
        raise Throttled(
            wait=ratelimit.WINDOW_SECONDS,
            detail=f"This token made more than {limit} calls this minute.",
        )
    acting_via.set(name)


class TokenAuthentication(BaseAuthentication):
    """Personal access tokens and service-account tokens."""

    def authenticate(self, request: Request):
        raw = bearer_token(request)
        if raw is None or not raw.startswith((services.PERSONAL, services.SERVICE)):
            return None  # not ours: an OAuth access token, or no token
        token = selectors.usable_token(raw)
        if token is None:
            raise AuthenticationFailed("The token is unknown, expired or revoked.")
        admit(
            request,
            key=f"token-{token.pk}",
            name=f"token {token.name} ({token.prefix}…)",
            granted=set(token.scopes),
            machine=token.service_account_id is not None,
        )
        services.record_use(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
