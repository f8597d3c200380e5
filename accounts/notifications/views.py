"""A person's notifications, the navigation's unread badge, and an admin's
e-mail branding with its preview."""

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Notification
from accounts.notifications import mail, selectors, services
from accounts.notifications.forms import BrandingForm
from accounts.permissions import Role, get_organization_for

PER_PAGE = 20


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_of(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/notifications/list.html",
        {"page": page, "unread": selectors.unread_count(request.user)},
    )


@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    """The unread count beside "Notifications" in the menu (htmx, every minute)."""
    return render(
        request,
        "accounts/notifications/_badge.html",
        {"unread": selectors.unread_count(request.user)},
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notification = services.mark_read(request.user, pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:notifications")
    if request.POST.get("open") and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.url)
    return redirect(_back(request))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(request.user)
    messages.success(
        request, f"{count} notification{'s' if count != 1 else ''} marked as read."
    )
    return redirect("accounts:notifications")


def _back(request: HttpRequest) -> str:
    page = request.POST.get("page", "")
    url = reverse("accounts:notifications")
    return f"{url}?page={page}" if page.isdigit() else url


def _sample(organization) -> Notification:
    return Notification(
        organization=organization,
        kind="credential.issued",
        title="You have earned “Spreadsheet Foundations”",
        body=f"{organization.name} has issued you the credential “Spreadsheet "
        "Foundations”.\n\nIts page, with the PDF certificate and a copy for your "
        "wallet, is one click away. Anyone you share it with can check it there.",
        url="/",
    )


def _preview(organization):
    return mail.compose(
        to="learner@example.org",
        subject="You have earned “Spreadsheet Foundations”",
        items=[_sample(organization)],
        branding=mail.branding_of(organization),
    )


@login_required
@require_http_methods(["GET", "POST"])
def branding(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    form = BrandingForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_branding(
                organization,
                by=request.user,
                **{name: form.cleaned_data[name] for name in form.Meta.fields},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The e-mail branding is saved.")
            return redirect("accounts:branding", slug)
    organization.refresh_from_db()
    message = _preview(organization)
    return render(
        request,
        "accounts/notifications/branding.html",
        {
            "organization": organization,
            "form": form,
            "preview_text": message.body,
            "sender": message.from_email,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"], "style-src": ["'unsafe-inline'"]})
def branding_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The HTML e-mail as the organization's people receive it. E-mail styles
    are written into the message, so this response alone allows them."""
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    html = _preview(organization).alternatives[0][0]
    return HttpResponse(html)
