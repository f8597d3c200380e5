"""Two of allauth's provider views, held to a stricter line (docs/decisions/0013):

- OpenID Connect: the ID token's signature is always checked against the
  provider's published keys, also when it came straight from the token
  endpoint (allauth skips that check then, as OIDC Core §3.1.3.7 allows).
- SAML: a response whose request this browser never made, or made and used
  already (a replay), gets a clear page instead of a bare 403.

Mounted ahead of allauth.urls at the same paths."""

from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.openid_connect.views import (
    OpenIDConnectOAuth2Adapter,
)
from allauth.socialaccount.providers.saml import views as saml_views
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from accounts.models import IdentityProvider
from accounts.sso import errors, services
from accounts.sso.adapter import refused_response


class SignatureCheckingOIDCAdapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        view = OAuth2CallbackView.adapter_view(
            SignatureCheckingOIDCAdapter(request, provider_id)
        )
        return view(request)
    except SocialApp.DoesNotExist as missing:
        raise Http404 from missing


oidc_callback.login_not_required = True


def saml_finish_acs(request: HttpRequest, organization_slug: str) -> HttpResponse:
    try:
        return saml_views.finish_acs(request, organization_slug=organization_slug)
    except PermissionDenied:
        provider = (
            IdentityProvider.objects.select_related("organization")
            .filter(slug=organization_slug)
            .first()
        )
        services.refuse_sign_in(provider, reason="replayed", message="")
        return refused_response(request, provider, errors.REFUSALS["replayed"])


saml_finish_acs.login_not_required = True
