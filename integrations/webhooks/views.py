"""An organization admin's webhook pages: subscriptions, their log and actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import add_service_errors
from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.webhooks import permissions, selectors, services
from integrations.webhooks.events import EVENT_TYPES
from integrations.webhooks.forms import DeliveryFilterForm, SubscriptionForm

DELIVERIES_PER_PAGE = 25


def _to_detail(subscription: WebhookSubscription) -> HttpResponse:
    return redirect(
        "integrations:webhook-detail",
        slug=subscription.organization.slug,
        uuid=subscription.uuid,
    )


def _secret_page(
    request: HttpRequest, subscription: WebhookSubscription, secret: str, *, new: bool
) -> HttpResponse:
    response = render(
        request,
        "integrations/webhooks/subscription_secret.html",
        {
            "organization": subscription.organization,
            "subscription": subscription,
            "secret": secret,
            "new": new,
        },
    )
    add_never_cache_headers(response)  # the secret must not be kept in any cache
    return response


@login_required
@require_GET
def subscription_list(request: HttpRequest, slug: str) -> HttpResponse:
    organization = permissions.get_organization_for_webhooks(request.user, slug)
    subscriptions = list(selectors.subscriptions_of(organization))
    return render(
        request,
        "integrations/webhooks/subscription_list.html",
        {
            "organization": organization,
            "subscriptions": subscriptions,
            "paused": [s for s in subscriptions if s.is_paused],
            "event_types": EVENT_TYPES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create_subscription(request: HttpRequest, slug: str) -> HttpResponse:
    organization = permissions.get_organization_for_webhooks(request.user, slug)
    form = SubscriptionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription, secret = services.create_subscription(
                organization, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _secret_page(request, subscription, secret, new=True)
    return render(
        request,
        "integrations/webhooks/subscription_form.html",
        {"organization": organization, "form": form, "subscription": None},
    )


@login_required
@require_GET
def subscription_detail(request: HttpRequest, slug: str, uuid) -> HttpResponse:
    subscription = permissions.get_subscription_for_managing(request.user, slug, uuid)
    filters = DeliveryFilterForm(request.GET, statuses=WebhookDelivery.Status.choices)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    page = Paginator(
        selectors.delivery_log(subscription, status=status), DELIVERIES_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "integrations/webhooks/subscription_detail.html",
        {
            "organization": subscription.organization,
            "subscription": subscription,
            "event_labels": [EVENT_TYPES[name] for name in subscription.events],
            "filters": filters,
            "status": status,
            "page": page,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_subscription(request: HttpRequest, slug: str, uuid) -> HttpResponse:
    subscription = permissions.get_subscription_for_managing(request.user, slug, uuid)
    form = SubscriptionForm(
        request.POST if request.method == "POST" else None,
        initial={
            "url": subscription.url,
            "description": subscription.description,
            "events": subscription.events,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_subscription(
                subscription, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Subscription saved.")
            return _to_detail(subscription)
    return render(
        request,
        "integrations/webhooks/subscription_form.html",
        {
            "organization": subscription.organization,
            "form": form,
            "subscription": subscription,
        },
    )


_CONFIRMATIONS = {
    "delete": (
        "Delete this subscription?",
        "Cairn stops sending to this URL and its delivery log is deleted. The "
        "audit trail keeps a record that it existed.",
        "Delete the subscription",
    ),
    "rotate": (
        "Make a new signing secret?",
        "Deliveries are signed with the new secret from the next attempt on: "
        "the receiver fails to verify them until it has the new secret.",
        "Make a new secret",
    ),
}


def _confirm(request, subscription, action: str) -> HttpResponse:
    title, warning, button = _CONFIRMATIONS[action]
    return render(
        request,
        "integrations/webhooks/subscription_confirm.html",
        {
            "organization": subscription.organization,
            "subscription": subscription,
            "title": title,
            "warning": warning,
            "button": button,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_subscription(request: HttpRequest, slug: str, uuid) -> HttpResponse:
    subscription = permissions.get_subscription_for_managing(request.user, slug, uuid)
    if request.method == "GET":
        return _confirm(request, subscription, "delete")
    services.delete_subscription(subscription, by=request.user)
    messages.success(request, f"The subscription to {subscription.url} was deleted.")
    return redirect("integrations:webhook-list", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def rotate_secret(request: HttpRequest, slug: str, uuid) -> HttpResponse:
    subscription = permissions.get_subscription_for_managing(request.user, slug, uuid)
    if request.method == "GET":
        return _confirm(request, subscription, "rotate")
    secret = services.rotate_secret(subscription, by=request.user)
    return _secret_page(request, subscription, secret, new=False)


def _act(request, subscription, action, done: str) -> HttpResponse:
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return _to_detail(subscription)


@login_required
@require_POST
def pause_subscription(request: HttpRequest, slug: str, uuid) -> HttpResponse:
    subscription = permissions.get_subscription_for_managing(request.user, slug, uuid)
    return _act(
        request,
        subscription,
        lambda: services.pause_subscription(
            subscription,
            by=request.user,
            reason=f"Paused by {request.user.get_username()}.",
        ),
        "Paused: events are kept and sent when you resume.",
    )


@login_required
@require_POST
def resume_subscription(request: HttpRequest, slug: str, uuid) -> HttpResponse:
    subscription = permissions.get_subscription_for_managing(request.user, slug, uuid)
    return _act(
        request,
        subscription,
        lambda: services.resume_subscription(subscription, by=request.user),
        "Resumed: what waited is being sent now.",
    )


@login_required
@require_POST
def send_test_event(request: HttpRequest, slug: str, uuid) -> HttpResponse:
    subscription = permissions.get_subscription_for_managing(request.user, slug, uuid)
    return _act(
        request,
        subscription,
        lambda: services.send_test_event(subscription, by=request.user),
        "A test event is on its way: its delivery is at the top of the log.",
    )


@login_required
@require_POST
def resend_delivery(request: HttpRequest, slug: str, uuid, delivery) -> HttpResponse:
    found = permissions.get_delivery_for_managing(request.user, slug, uuid, delivery)
    return _act(
        request,
        found.subscription,
        lambda: services.resend_delivery(found, by=request.user),
        "Sent again: the log shows the outcome.",
    )
