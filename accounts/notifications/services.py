"""Telling people: `notify` records the in-app notification and queues its
e-mail after commit; the mail task sends it once; the daily digest gathers the
day's unread notifications of those who chose it."""

import logging
from datetime import timedelta

from celery.exceptions import MaxRetriesExceededError, Retry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import log_action
from accounts.lifecycle.selectors import takes_digest, wants_email
from accounts.models import AccountPreferences, Notification, Organization
from accounts.notifications import mail, signals, tasks
from accounts.notifications.kinds import topic_of

DIGEST_HOURS = 24
logger = logging.getLogger("cairn.notifications")


def notify(
    user: AbstractBaseUser,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    *,
    email: bool = True,
    organization: Organization | None = None,
) -> Notification:
    """Tell `user`: an in-app notification now, and, if they take e-mail on the
    kind's topic and not as a digest, an e-mail sent by the mail queue once the
    transaction commits. A failed send is retried there; it never undoes this."""
    topic = topic_of(kind)
    notification = Notification.objects.create(
        user=user,
        organization=organization,
        kind=kind,
        title=title[:300],
        body=body,
        url=url,
    )
    if email and user.email and wants_email(user, topic) and not takes_digest(user):
        pk = notification.pk
        transaction.on_commit(lambda: _queue_email(pk))
    return notification


def _queue_email(notification_id: int) -> None:
    """Send the e-mail task. With a broker this only queues it (CairnTask logs
    a broker outage); in process it runs now, and a mail server that still
    refuses after the retries is logged: the action it tells of stands."""
    try:
        tasks.send_notification_email.delay(notification_id)
    except (*tasks.RETRY_ON, Retry, MaxRetriesExceededError) as error:
        logger.warning(
            "Could not e-mail notification %s: %s. It stays in the person's "
            "notifications.",
            notification_id,
            error,
        )


def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification, once: True if this call sent it. The row is
    held while sending, so a repeat waits and then finds it sent."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("user", "organization")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not notification.user.email:
            return False
        message = mail.compose(
            to=notification.user.email,
            subject=notification.title,
            items=[notification],
            branding=mail.branding_of(notification.organization),
        )
        message.send()  # raises on failure: the task retries, nothing is marked
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def mark_read(user: AbstractBaseUser, notification_id: int) -> Notification:
    notification = Notification.objects.filter(user=user, pk=notification_id).first()
    if notification is None:
        raise ValidationError("No such notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(user: AbstractBaseUser) -> int:
    marked = Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    user_id = user.pk
    transaction.on_commit(
        lambda: signals.all_read.send(sender=Notification, user_id=user_id)
    )
    return marked


def _digest_for(user: AbstractBaseUser, *, since) -> list[Notification]:
    """The rows, locked so that a concurrent digest waits and then finds them sent."""
    items = list(
        Notification.objects.select_for_update(of=("self",))
        .filter(
            user=user,
            read_at__isnull=True,
            emailed_at__isnull=True,
            created_at__gte=since,
        )
        .select_related("organization")
        .order_by("created_at", "pk")
    )
    wanted = {
        topic: wants_email(user, topic) for topic in {topic_of(n.kind) for n in items}
    }
    return [n for n in items if wanted[topic_of(n.kind)]]


def send_digest(user_id: int, *, now=None) -> int:
    """One e-mail listing the person's unread notifications of the last day
    not e-mailed yet; how many it listed (0: nothing sent)."""
    now = now or timezone.now()
    user = get_user_model().objects.get(pk=user_id)
    if not user.email:
        return 0
    with transaction.atomic():
        items = _digest_for(user, since=now - timedelta(hours=DIGEST_HOURS))
        if not items:
            return 0
        organizations = {n.organization_id for n in items}
        branding = mail.branding_of(
            items[0].organization if len(organizations) == 1 else None
        )
        count = len(items)
        mail.compose(
            to=user.email,
            subject=f"Your day in Cairn: {count} new notification"
            + ("s" if count != 1 else ""),
            items=items,
            branding=branding,
            digest=True,
        ).send()
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
    return count


def send_daily_digests() -> int:
    """Queue one digest for each person who chose it and has something unread."""
    since = timezone.now() - timedelta(hours=DIGEST_HOURS)
    users = (
        AccountPreferences.objects.filter(email_digest=True)
        .filter(
            user__in=Notification.objects.filter(
                read_at__isnull=True, emailed_at__isnull=True, created_at__gte=since
            ).values("user")
        )
        .values_list("user_id", flat=True)
    )
    queued = 0
    for user_id in users:
        tasks.send_digest.delay(user_id)
        queued += 1
    return queued


def update_branding(
    organization: Organization, *, by: AbstractBaseUser, **fields: str
) -> Organization:
    """The organization's e-mail sender name, colour and footer; audited."""
    colour = fields.get("brand_colour", organization.brand_colour)
    if not mail.COLOUR.match(colour or ""):
        raise ValidationError("Give the colour as # and six hexadecimal digits.")
    for name, value in fields.items():
        setattr(organization, name, value)
    organization.save(update_fields=list(fields))
    log_action(
        by,
        "organization.branding_changed",
        organization,
        organization=organization,
        **fields,
    )
    return organization
