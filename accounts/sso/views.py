"""An organization admin's sign-in settings, and the login page's "continue
with your organization" step."""

from allauth.socialaccount.providers.openid_connect import views as oidc_views
from allauth.socialaccount.providers.saml import views as saml_views
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import IdentityProvider
from accounts.sso import selectors, services
from accounts.sso.forms import IdentityProviderForm, SingleSignOnStartForm
from accounts.sso.permissions import (
    get_identity_provider_for_configuring,
    get_organization_for_sso,
)


@login_required
@require_GET
def provider_list(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_organization_for_sso(request.user, slug)
    return render(
        request,
        "accounts/sso/provider_list.html",
        {
            "organization": organization,
            "providers": selectors.identity_providers(organization),
            "protocols": IdentityProvider.Protocol.choices,
        },
    )


def _apply_errors(form: IdentityProviderForm, error: ValidationError) -> None:
    for name, problems in error.message_dict.items():
        target = {
            "email_domains": "email_domains_text",
            "__all__": None,
        }.get(name, name)
        if target is not None and target not in form.fields:
            target = None
        for problem in problems:
            form.add_error(target, problem)


@login_required
@require_http_methods(["GET", "POST"])
def provider_add(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_organization_for_sso(request.user, slug)
    protocol = request.GET.get("protocol", IdentityProvider.Protocol.OIDC)
    if protocol not in IdentityProvider.Protocol.values:
        protocol = IdentityProvider.Protocol.OIDC
    form = IdentityProviderForm(request.POST or None, protocol=protocol)
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        arguments["client_secret"] = arguments.get("client_secret") or ""
        try:
            provider = services.create_identity_provider(
                organization, by=request.user, protocol=protocol, **arguments
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, f"Added {provider.name}. Give its admin the details below."
            )
            return redirect("accounts:sso-provider", organization.slug, provider.slug)
    return render(
        request,
        "accounts/sso/provider_form.html",
        {
            "organization": organization,
            "form": form,
            "protocol": protocol,
            "protocol_label": IdentityProvider.Protocol(protocol).label,
        },
        status=400 if form.errors else 200,
    )


def _details_for_the_provider(request: HttpRequest, provider: IdentityProvider) -> dict:
    """What the provider's own admin must be told about Cairn."""
    if provider.protocol == IdentityProvider.Protocol.OIDC:
        return {
            "Redirect URI": request.build_absolute_uri(
                reverse("openid_connect_callback", args=[provider.slug])
            ),
            "Scopes": "openid profile email",
        }
    metadata = request.build_absolute_uri(
        reverse("saml_metadata", args=[provider.slug])
    )
    return {
        "Entity ID (and metadata)": metadata,
        "Assertion consumer service (HTTP-POST)": request.build_absolute_uri(
            reverse("saml_acs", args=[provider.slug])
        ),
    }


@login_required
@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, slug: str, provider_slug: str) -> HttpResponse:
    provider = get_identity_provider_for_configuring(request.user, slug, provider_slug)
    form = IdentityProviderForm(
        request.POST or None, instance=provider, protocol=provider.protocol
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_identity_provider(
                provider, by=request.user, **form.service_arguments()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Saved {provider.name}.")
            return redirect("accounts:sso-provider", slug, provider.slug)
    return render(
        request,
        "accounts/sso/provider_form.html",
        {
            "organization": provider.organization,
            "provider": provider,
            "form": form,
            "protocol": provider.protocol,
            "protocol_label": provider.get_protocol_display(),
            "details": _details_for_the_provider(request, provider),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def provider_remove(
    request: HttpRequest, slug: str, provider_slug: str
) -> HttpResponse:
    provider = get_identity_provider_for_configuring(request.user, slug, provider_slug)
    if request.method == "POST":
        name = provider.name
        services.remove_identity_provider(provider, by=request.user)
        messages.success(request, f"Removed {name}. Its people keep their accounts.")
        return redirect("accounts:sso-providers", slug)
    return render(
        request,
        "accounts/sso/provider_confirm_remove.html",
        {
            "organization": provider.organization,
            "provider": provider,
            "linked": provider.organization.memberships.filter(
                user__socialaccount__provider=provider.slug
            )
            .values("user")
            .distinct()
            .count(),
        },
    )


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """From the login page: send a person to the provider serving their e-mail."""
    form = SingleSignOnStartForm(request.POST)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    login_url = reverse("login")
    if not form.is_valid():
        messages.error(
            request, "Enter your e-mail address to continue with your organization."
        )
        return redirect(
            f"{login_url}?{urlencode({'next': next_url})}" if next_url else login_url
        )
    email = form.cleaned_data["email"]
    provider = selectors.provider_for_email(email)
    if provider is None:
        domain = email.rpartition("@")[2]
        messages.info(
            request,
            f"No organization signs in people at {domain} through single sign-on: "
            "log in with your username and password.",
        )
        return redirect(
            f"{login_url}?{urlencode({'next': next_url})}" if next_url else login_url
        )
    # allauth's own provider views take it from here (a POST, so no confirmation
    # page); they read `next` from the same POST.
    if provider.protocol == IdentityProvider.Protocol.OIDC:
        return oidc_views.login(request, provider_id=provider.slug)
    return saml_views.login(request, organization_slug=provider.slug)
