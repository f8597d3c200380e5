"""allauth's view of Cairn's identity providers: each active IdentityProvider
is a SocialApp built on the fly (nothing copied into allauth's table), and each
sign-in provisions, links or refuses through accounts.sso.services."""

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.base.constants import AuthError, AuthProcess
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import IdentityProvider
from accounts.sso import errors, mapping, selectors, services

ALLAUTH_PROVIDER = {
    IdentityProvider.Protocol.OIDC: "openid_connect",
    IdentityProvider.Protocol.SAML: "saml",
}


def social_app_for(provider: IdentityProvider) -> SocialApp:
    """The SocialApp allauth needs, from the organization's provider."""
    common = {
        "provider_id": provider.slug,
        "name": provider.name,
        "provider": ALLAUTH_PROVIDER[provider.protocol],
    }
    if provider.protocol == IdentityProvider.Protocol.OIDC:
        return SocialApp(
            **common,
            client_id=provider.client_id,
            secret=provider.open_client_secret(),
            settings={"server_url": provider.discovery_url, "fetch_userinfo": True},
        )
    idp = {"entity_id": provider.entity_id}
    if provider.metadata_url:
        idp["metadata_url"] = provider.metadata_url
    else:
        idp["sso_url"] = provider.sso_url
        idp["x509cert"] = provider.x509_certificate
    named = {
        "email": provider.email_attribute,
        "email_verified": provider.email_verified_attribute,
        "first_name": provider.given_name_attribute,
        "last_name": provider.family_name_attribute,
    }
    defaults = {
        "email": mapping.EMAIL_NAMES,
        "email_verified": mapping.EMAIL_VERIFIED_NAMES,
        "first_name": mapping.GIVEN_NAME_NAMES,
        "last_name": mapping.FAMILY_NAME_NAMES,
    }
    return SocialApp(
        **common,
        # allauth's SAML URLs name the app by client_id: /auth/saml/<slug>/acs/.
        client_id=provider.slug,
        settings={
            "idp": idp,
            "attribute_mapping": {
                key: [named[key]] if named[key] else list(defaults[key])
                for key in named
            },
            "advanced": {
                "strict": True,
                # An unsigned assertion is refused even inside a signed response.
                "want_assertion_signed": True,
                "reject_idp_initiated_sso": True,
            },
        },
    )


def identity_provider_of(sociallogin: SocialLogin) -> IdentityProvider | None:
    # allauth names the account's provider by the app's provider_id: our slug.
    return (
        IdentityProvider.objects.select_related("organization")
        .filter(slug=sociallogin.account.provider)
        .first()
    )


def claims_of(provider: IdentityProvider, sociallogin: SocialLogin) -> dict:
    data = sociallogin.account.extra_data or {}
    if provider.protocol == IdentityProvider.Protocol.OIDC:
        # The userinfo endpoint's answer wins over the ID token's copy.
        return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
    return dict(data)


def refused_response(
    request: HttpRequest, provider: IdentityProvider | None, message: str
) -> HttpResponse:
    return render(
        request,
        "accounts/sso/refused.html",
        {"provider": provider, "message": message},
        status=403,
    )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None) -> list[SocialApp]:
        apps = []
        for identity_provider in selectors.active_identity_providers():
            kind = ALLAUTH_PROVIDER[identity_provider.protocol]
            if provider and provider not in (kind, identity_provider.slug):
                continue
            app_client_id = (
                identity_provider.client_id
                if identity_provider.protocol == IdentityProvider.Protocol.OIDC
                else identity_provider.slug
            )
            if client_id and client_id != app_client_id:
                continue
            apps.append(social_app_for(identity_provider))
        return apps

    def is_open_for_signup(self, request, sociallogin) -> bool:
        # Just-in-time provisioning: the organization's provider vouches.
        return identity_provider_of(sociallogin) is not None

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return identity_provider_of(sociallogin) is not None

    def pre_social_login(self, request, sociallogin) -> None:
        provider = identity_provider_of(sociallogin)
        if provider is None:
            return
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            # A signed-in person joining their own account from allauth's
            # connections page proved both sides; the next sign-in syncs roles.
            return
        claims = claims_of(provider, sociallogin)
        try:
            if sociallogin.is_existing:
                services.sync_person(
                    sociallogin.user, provider, claims, first_sign_in=False
                )
                return
            person = services.person_for(provider, claims)
            if not person.email:
                raise services.refuse_sign_in(
                    provider, reason="no-email", message=errors.REFUSALS["no-email"]
                )
            existing = services.account_with_email(person.email)
            if existing is None:
                return  # a new account: save_user provisions it
            if not services.may_link(existing, person):
                raise services.refuse_sign_in(
                    provider,
                    reason="unverified-email",
                    message=errors.REFUSALS["unverified-email"].format(
                        email=person.email
                    ),
                    email=person.email,
                )
            with transaction.atomic():
                services.link_account(
                    existing,
                    provider,
                    person,
                    lambda: sociallogin.connect(request, existing),
                )
                services.sync_person(existing, provider, claims, first_sign_in=False)
        except services.SignInRefused as refused:
            raise ImmediateHttpResponse(
                refused_response(request, provider, refused.message)
            ) from refused

    def save_user(self, request, sociallogin, form=None):
        provider = identity_provider_of(sociallogin)
        with transaction.atomic():
            user = super().save_user(request, sociallogin, form)
            if provider is not None:
                services.sync_person(
                    user,
                    provider,
                    claims_of(provider, sociallogin),
                    first_sign_in=True,
                )
        return user

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        if error == AuthError.CANCELLED:
            return
        identity_provider = (
            IdentityProvider.objects.select_related("organization")
            .filter(slug=getattr(getattr(provider, "app", None), "provider_id", ""))
            .first()
        )
        saml_reason = (extra_context or {}).get("saml_last_error_reason")
        reason = (
            errors.reason_for_saml(saml_reason)
            if saml_reason
            else errors.reason_for_exception(exception)
        )
        services.refuse_sign_in(
            identity_provider, reason=reason, message=errors.REFUSALS[reason],
            detail=str(saml_reason or exception or error)[:500],
        )  # fmt: skip
        raise ImmediateHttpResponse(
            refused_response(request, identity_provider, errors.REFUSALS[reason])
        )
