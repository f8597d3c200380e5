"""A person's “Connected apps”: the wallets, backpacks and other apps they
allowed to act for them (OAuth), with what each may do and when it last did;
disconnecting one takes the consent back."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from oauth2_provider.scopes import get_scopes_backend

from integrations.models import AppAuthorization
from integrations.ob3 import selectors, services

PUSHED_PER_PAGE = 20


@login_required
@require_GET
def connected_apps(request: HttpRequest) -> HttpResponse:
    described = get_scopes_backend().get_all_scopes()
    apps = [
        (app, [described.get(scope, scope) for scope in app.scopes])
        for app in selectors.connected_apps(request.user)
    ]
    pushed = Paginator(selectors.pushed_credentials(request.user), PUSHED_PER_PAGE)
    return render(
        request,
        "integrations/connected_apps.html",
        {
            "apps": apps,
            "page": pushed.get_page(request.GET.get("page")),
            "discovery_url": f"{settings.SITE_URL}{reverse('ob3-discovery')}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def disconnect_app(request: HttpRequest, pk: int) -> HttpResponse:
    authorization = get_object_or_404(
        AppAuthorization.objects.select_related("application"),
        pk=pk,
        user=request.user,
    )
    name = authorization.application.name
    back = reverse("integrations:connected-apps")
    if request.method == "POST":
        services.disconnect_app(authorization, by=request.user)
        messages.success(
            request, f"“{name}” is disconnected: it can no longer act for you."
        )
        return redirect(back)
    return render(
        request,
        "curriculum/confirm.html",
        {
            "title": f"Disconnect “{name}”?",
            "text": "It stops working for you at once: it can no longer read "
            "your credentials or profile, nor store anything for you. What it "
            "stored here stays. To use it again, you allow it again.",
            "action": request.path,
            "button": "Disconnect",
            "back": back,
        },
    )


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    """What an app you connect sees and keeps: the privacy policy and terms the
    Open Badges 3.0 API's discovery document names (unless the site sets its
    own)."""
    return render(
        request,
        "integrations/connected_apps_about.html",
        {"scopes": get_scopes_backend().get_all_scopes()},
    )
