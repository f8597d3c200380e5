"""An organization admin's OAuth clients. The OAuth endpoints themselves
(authorize with its consent page, token, revoke, introspect) are
django-oauth-toolkit's, mounted at /oauth/."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.forms import add_service_errors
from accounts.permissions import Role, get_organization_for
from integrations.models import OAuthClient
from integrations.oauth import services
from integrations.oauth.forms import OAuthClientForm


@login_required
@require_http_methods(["GET", "POST"])
def client_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The organization's OAuth clients, and a form to register one."""
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    form = OAuthClientForm(request.POST or None)
    registered = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            client, secret = services.register_client(
                organization,
                by=request.user,
                name=data["name"],
                grant=data["grant"],
                redirect_uris=data["redirect_uris"],
                public=data["public"],
                roles=data["roles"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            registered = (client, secret)
            form = OAuthClientForm()
    clients = (
        OAuthClient.objects.filter(organization=organization)
        .select_related("application", "service_account", "created_by")
        .order_by("-created_at", "-pk")
    )
    response = render(
        request,
        "integrations/oauth_client_list.html",
        {
            "organization": organization,
            "form": form,
            "clients": clients,
            "registered": registered,
            "authorize_url": f"{settings.SITE_URL}/oauth/authorize/",
            "token_url": f"{settings.SITE_URL}/oauth/token/",
        },
        status=400 if form.errors else 200,
    )
    if registered:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def client_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    client = get_object_or_404(
        OAuthClient.objects.select_related("application", "service_account"),
        pk=pk,
        organization=organization,
    )
    back = reverse("integrations:oauth-clients", args=[slug])
    name = client.application.name
    if request.method == "POST":
        services.remove_client(client, by=request.user)
        messages.success(request, f"The OAuth client “{name}” is removed.")
        return redirect(back)
    return render(
        request,
        "curriculum/confirm.html",
        {
            "title": f"Remove the OAuth client “{name}”?",
            "text": "Every token it was given stops working at once, and the "
            "people who consented to it are asked again if it is registered anew.",
            "action": request.path,
            "button": "Remove the client",
            "back": back,
        },
    )
