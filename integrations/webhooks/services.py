"""Every change to webhooks: subscriptions, events, deliveries and their attempts.

Times are passed in (``now``) where a rule depends on them (retries, pausing), so
that callers and tests can say when something happens.
"""

import json
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Membership, Organization
from credentials import keystore
from integrations.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from integrations.webhooks import events, signing, tasks, transport
from integrations.webhooks.selectors import Fact

WAITING = [WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING]


# Subscriptions ----------------------------------------------------------------


def _seal(secret: bytes, subscription_uuid) -> bytes:
    # The subscription's uuid is the associated data: a sealed secret copied
    # onto another subscription's row does not open.
    return keystore.seal_seed(secret, public_multibase=f"webhook:{subscription_uuid}")


def open_secret(subscription: WebhookSubscription) -> bytes:
    return keystore.open_seed(
        subscription.sealed_secret, public_multibase=f"webhook:{subscription.uuid}"
    )


@transaction.atomic
def rewrap_secrets() -> int:
    """Seal every secret again with the first key-encryption key (all or none)."""
    count = 0
    for subscription in WebhookSubscription.objects.select_for_update().order_by("pk"):
        subscription.sealed_secret = _seal(open_secret(subscription), subscription.uuid)
        subscription.save(update_fields=["sealed_secret"])
        count += 1
    return count


def check_target(url: str) -> None:
    """Refuse a URL deliveries may not go to (transport.py), as a form error."""
    try:
        transport.resolve(url, allow_loopback=settings.CAIRN_WEBHOOKS_ALLOW_LOOPBACK)
    except transport.UnsafeTarget as error:
        raise ValidationError({"url": str(error)}) from error


def _clean_events(chosen: list[str]) -> list[str]:
    unknown = set(chosen) - set(events.EVENT_TYPES)
    if unknown:
        raise ValidationError(
            {"events": f"Unknown events: {', '.join(sorted(unknown))}"}
        )
    if not chosen:
        raise ValidationError({"events": "Choose at least one event."})
    return [name for name in events.EVENT_TYPES if name in chosen]


@transaction.atomic
def create_subscription(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    url: str,
    events: list[str],
    description: str = "",
) -> tuple[WebhookSubscription, str]:
    """Subscribe a URL; returns it with its secret, which is shown this once."""
    check_target(url)
    chosen = _clean_events(events)
    secret = signing.new_secret()
    shown = signing.format_secret(secret)
    now = timezone.now()
    subscription = WebhookSubscription(
        organization=organization,
        url=url,
        description=description.strip(),
        events=chosen,
        secret_hint=shown[-4:],
        created_at=now,
        created_by=by,
        updated_at=now,
    )
    subscription.sealed_secret = _seal(secret, subscription.uuid)
    subscription.save()
    log_action(
        by,
        "webhook.created",
        subscription,
        organization=organization,
        url=url,
        events=chosen,
    )
    return subscription, shown


@transaction.atomic
def update_subscription(
    subscription: WebhookSubscription,
    *,
    by: AbstractBaseUser,
    url: str,
    events: list[str],
    description: str = "",
) -> WebhookSubscription:
    """Change where and what; the secret stays."""
    check_target(url)
    chosen = _clean_events(events)
    subscription = WebhookSubscription.objects.select_for_update().get(
        pk=subscription.pk
    )
    before = {"url": subscription.url, "events": subscription.events}
    subscription.url = url
    subscription.events = chosen
    subscription.description = description.strip()
    subscription.updated_at = timezone.now()
    subscription.save(update_fields=["url", "events", "description", "updated_at"])
    log_action(
        by,
        "webhook.updated",
        subscription,
        organization=subscription.organization,
        url=url,
        events=chosen,
        previous_url=before["url"],
        previous_events=before["events"],
    )
    return subscription


@transaction.atomic
def rotate_secret(subscription: WebhookSubscription, *, by: AbstractBaseUser) -> str:
    """A new secret from the next attempt on; returns it to be shown once."""
    subscription = WebhookSubscription.objects.select_for_update().get(
        pk=subscription.pk
    )
    secret = signing.new_secret()
    shown = signing.format_secret(secret)
    subscription.sealed_secret = _seal(secret, subscription.uuid)
    subscription.secret_hint = shown[-4:]
    subscription.updated_at = timezone.now()
    subscription.save(update_fields=["sealed_secret", "secret_hint", "updated_at"])
    log_action(
        by,
        "webhook.secret_rotated",
        subscription,
        organization=subscription.organization,
    )
    return shown


@transaction.atomic
def delete_subscription(
    subscription: WebhookSubscription, *, by: AbstractBaseUser
) -> None:
    """Stop for good: the subscription and its delivery log go."""
    log_action(
        by,
        "webhook.deleted",
        subscription,
        organization=subscription.organization,
        url=subscription.url,
        deliveries=subscription.deliveries.count(),
    )
    subscription.delete()


@transaction.atomic
def pause_subscription(
    subscription: WebhookSubscription,
    *,
    by: AbstractBaseUser | None,
    reason: str,
    now: datetime | None = None,
) -> WebhookSubscription:
    """Hold deliveries until resumed; events go on being recorded for it."""
    now = now or timezone.now()
    subscription = WebhookSubscription.objects.select_for_update().get(
        pk=subscription.pk
    )
    if subscription.is_paused:
        raise ValidationError("This subscription is already paused.")
    subscription.status = WebhookSubscription.Status.PAUSED
    subscription.paused_at = now
    subscription.pause_reason = reason
    subscription.updated_at = now
    subscription.save(
        update_fields=["status", "paused_at", "pause_reason", "updated_at"]
    )
    log_action(
        by,
        "webhook.paused",
        subscription,
        organization=subscription.organization,
        reason=reason,
    )
    return subscription


@transaction.atomic
def resume_subscription(
    subscription: WebhookSubscription,
    *,
    by: AbstractBaseUser,
    now: datetime | None = None,
) -> WebhookSubscription:
    """Deliver again: what waited while paused is sent now, oldest first."""
    now = now or timezone.now()
    subscription = WebhookSubscription.objects.select_for_update().get(
        pk=subscription.pk
    )
    if not subscription.is_paused:
        raise ValidationError("This subscription is not paused.")
    subscription.status = WebhookSubscription.Status.ACTIVE
    subscription.paused_at = None
    subscription.pause_reason = ""
    subscription.failing_since = None
    subscription.updated_at = now
    subscription.save(
        update_fields=[
            "status",
            "paused_at",
            "pause_reason",
            "failing_since",
            "updated_at",
        ]
    )
    waiting = subscription.deliveries.filter(status__in=WAITING)
    waiting.update(next_attempt_at=now)
    for delivery_id in waiting.order_by("created_at", "pk").values_list(
        "pk", flat=True
    ):
        tasks.deliver.delay_on_commit(delivery_id)
    log_action(
        by, "webhook.resumed", subscription, organization=subscription.organization
    )
    return subscription


# Events and deliveries ----------------------------------------------------------


def _subscribers(organization: Organization, type: str) -> list[WebhookSubscription]:
    # A handful of subscriptions per organization: their event lists are read
    # whole rather than queried inside JSON, which SQLite cannot do.
    return [
        subscription
        for subscription in WebhookSubscription.objects.filter(
            organization=organization
        )
        if type in subscription.events
    ]


def listened_to(event_type: str) -> bool:
    """Whether any organization subscribes to events of this type: one query,
    read before the fact is (issue 17: a batch of awards announces each one,
    and reading each award, in a transaction of its own, to find nobody
    listening was a third of issuing's CPU where no one subscribes)."""
    return any(
        event_type in events
        for events in WebhookSubscription.objects.values_list("events", flat=True)
    )


def _create_event(
    organization: Organization, type: str, data: dict, now: datetime
) -> WebhookEvent:
    return WebhookEvent.objects.create(
        organization=organization, type=type, data=data, occurred_at=now
    )


def _create_delivery(
    event: WebhookEvent, subscription: WebhookSubscription, now: datetime
) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        event=event, subscription=subscription, next_attempt_at=now, created_at=now
    )


@transaction.atomic
def record_event(fact: Fact, *, now: datetime | None = None) -> WebhookEvent | None:
    """Record a fact for every subscription to its type and send the deliveries;
    None when nobody listens. A paused subscription's delivery waits for it."""
    now = now or timezone.now()
    subscribers = _subscribers(fact.organization, fact.type)
    if not subscribers:
        return None
    event = _create_event(fact.organization, fact.type, fact.data, now)
    for subscription in subscribers:
        delivery = _create_delivery(event, subscription, now)
        if not subscription.is_paused:
            tasks.deliver.delay_on_commit(delivery.pk)
    return event


@transaction.atomic
def send_test_event(
    subscription: WebhookSubscription, *, by: AbstractBaseUser
) -> WebhookDelivery:
    """A `webhook.test` event to this subscription alone, sent even when paused."""
    now = timezone.now()
    event = _create_event(
        subscription.organization,
        events.PING,
        {"message": "A test event sent from Cairn.", "sent_by": by.get_username()},
        now,
    )
    delivery = _create_delivery(event, subscription, now)
    log_action(
        by,
        "webhook.test_sent",
        subscription,
        organization=subscription.organization,
        delivery=str(delivery.uuid),
    )
    tasks.deliver.delay_on_commit(delivery.pk, manual=True)
    return delivery


@transaction.atomic
def resend_delivery(
    delivery: WebhookDelivery, *, by: AbstractBaseUser
) -> WebhookDelivery:
    """Send once more, with a fresh count of attempts, even when paused."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    now = timezone.now()
    previous = {"status": delivery.status, "attempts": delivery.attempts}
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    log_action(
        by,
        "webhook.delivery_resent",
        delivery.subscription,
        organization=delivery.subscription.organization,
        delivery=str(delivery.uuid),
        event=delivery.event.type,
        previous_status=previous["status"],
        previous_attempts=previous["attempts"],
    )
    tasks.deliver.delay_on_commit(delivery.pk, manual=True)
    return delivery


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the n-th failed attempt: base, 2×base, 4×base, …
    capped at 12 hours (with base 60 s: 1 min, 2, 4 … about 29 hours over 12)."""
    base = settings.CAIRN_WEBHOOKS_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** (attempts - 1), 12 * 3600))


def body_of(event: WebhookEvent) -> bytes:
    """The JSON a delivery posts: the same bytes on every attempt."""
    organization = event.organization
    return json.dumps(
        events.envelope(
            event_id=str(event.uuid),
            type=event.type,
            occurred_at=event.occurred_at.isoformat(),
            organization={"slug": organization.slug, "name": organization.name},
            data=event.data,
        ),
        sort_keys=True,
        separators=(",", ":"),
    ).encode("utf-8")


def _claim(delivery_id: int, now: datetime, *, manual: bool) -> bool:
    """Take the attempt, or learn that another run has it or that it is not due:
    the conditional update's row count decides. The next attempt is put a lease
    ahead so that a worker that dies mid-attempt is retried by the sweep."""
    due = WebhookDelivery.objects.filter(
        pk=delivery_id, status__in=WAITING, next_attempt_at__lte=now
    )
    if not manual:
        due = due.filter(subscription__status=WebhookSubscription.Status.ACTIVE)
    lease = timedelta(seconds=settings.CAIRN_WEBHOOKS_TIMEOUT * 3 + 60)
    return bool(
        due.update(
            attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=now + lease
        )
    )


def attempt_delivery(
    delivery_id: int, *, now: datetime | None = None, manual: bool = False
) -> WebhookDelivery | None:
    """Post a due delivery once and record the outcome; None if it was not due
    (delivered already, not yet time, paused, or taken by another run)."""
    now = now or timezone.now()
    if not _claim(delivery_id, now, manual=manual):
        return None
    delivery = WebhookDelivery.objects.select_related(
        "event__organization", "subscription"
    ).get(pk=delivery_id)
    body = body_of(delivery.event)
    try:
        headers = signing.signed_headers(
            open_secret(delivery.subscription),
            delivery_id=str(delivery.uuid),
            event_type=delivery.event.type,
            timestamp=int(now.timestamp()),
            body=body,
        )
        response = transport.post(
            delivery.subscription.url,
            body,
            headers,
            timeout=settings.CAIRN_WEBHOOKS_TIMEOUT,
            allow_loopback=settings.CAIRN_WEBHOOKS_ALLOW_LOOPBACK,
        )
    except (OSError, transport.UnsafeTarget, keystore.KeyDecryptionError) as error:
        return _record_failure(delivery, now, code=None, excerpt="", error=str(error))
    if 200 <= response.status < 300:
        return _record_success(delivery, now, response)
    return _record_failure(
        delivery,
        now,
        code=response.status,
        excerpt=response.excerpt,
        error=f"The receiver answered {response.status}; Cairn waits for a 2xx.",
    )


@transaction.atomic
def _record_success(
    delivery: WebhookDelivery, now: datetime, response: transport.Response
) -> WebhookDelivery:
    delivery.status = WebhookDelivery.Status.DELIVERED
    delivery.response_code = response.status
    delivery.response_excerpt = response.excerpt
    delivery.last_error = ""
    delivery.delivered_at = now
    delivery.next_attempt_at = None
    delivery.save(
        update_fields=[
            "status",
            "response_code",
            "response_excerpt",
            "last_error",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    WebhookSubscription.objects.filter(
        pk=delivery.subscription_id, failing_since__isnull=False
    ).update(failing_since=None)
    return delivery


@transaction.atomic
def _record_failure(
    delivery: WebhookDelivery,
    now: datetime,
    *,
    code: int | None,
    excerpt: str,
    error: str,
) -> WebhookDelivery:
    gave_up = delivery.attempts >= settings.CAIRN_WEBHOOKS_MAX_ATTEMPTS
    delivery.status = (
        WebhookDelivery.Status.FAILED if gave_up else WebhookDelivery.Status.RETRYING
    )
    delivery.response_code = code
    delivery.response_excerpt = excerpt
    delivery.last_error = error[:2000]
    delivery.next_attempt_at = None if gave_up else now + retry_delay(delivery.attempts)
    delivery.save(
        update_fields=[
            "status",
            "response_code",
            "response_excerpt",
            "last_error",
            "next_attempt_at",
        ]
    )
    if not gave_up:
        tasks.deliver.apply_async_on_commit(
            (delivery.pk,), eta=delivery.next_attempt_at
        )
    _note_failing(delivery.subscription, now)
    return delivery


def _note_failing(subscription: WebhookSubscription, now: datetime) -> None:
    """Start the failing streak, or pause a subscription failing for too long."""
    subscription = WebhookSubscription.objects.select_for_update().get(
        pk=subscription.pk
    )
    if subscription.failing_since is None:
        subscription.failing_since = now
        subscription.save(update_fields=["failing_since"])
        return
    days = settings.CAIRN_WEBHOOKS_PAUSE_AFTER_DAYS
    if subscription.is_paused or now - subscription.failing_since < timedelta(
        days=days
    ):
        return
    since = f"{subscription.failing_since:%d %b %Y %H:%M} UTC"
    pause_subscription(
        subscription,
        by=None,
        now=now,
        reason=f"Every delivery failed from {since} on, for more than {days} days.",
    )
    tasks.notify_admins_of_pause.delay_on_commit(subscription.pk)


def due_delivery_ids(now: datetime | None = None, *, limit: int = 500) -> list[int]:
    """What the periodic sweep sends: deliveries whose time has come, among them
    any whose task was lost (a broker outage, a worker killed mid-attempt)."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.due(now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def notify_admins_of_pause(subscription: WebhookSubscription) -> int:
    """E-mail the organization's admins that a subscription was paused."""
    organization = subscription.organization
    to = sorted(
        set(
            Membership.objects.filter(
                organization=organization, role=Membership.Role.ADMIN
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    if not to:
        return 0
    page = settings.SITE_URL + reverse(
        "integrations:webhook-detail", args=[organization.slug, subscription.uuid]
    )
    send_mail(
        f"Cairn paused a webhook of {organization}",
        f"Deliveries to {subscription.url} kept failing, so Cairn paused the "
        f"subscription.\n\n{subscription.pause_reason}\n\nEvents are still "
        f"recorded for it and are sent when you resume it. See the delivery log "
        f"and resume it here:\n{page}\n",
        None,
        to,
    )
    return len(to)
