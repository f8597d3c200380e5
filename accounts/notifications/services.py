"""Telling people: `notify` records the in-app notification and queues its
e-mail after commit; the mail task sends it once; the daily digest gathers the
day's unread notifications of those who chose it."""

import contextlib
import logging
import time
from datetime import timedelta

from celery.exceptions import MaxRetriesExceededError, Retry
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, QuerySet
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
    transaction commits, together with what else they are told in the same
    burst (see send_burst). A failed send is retried there; it never undoes
    this."""
    topic = topic_of(kind)
    due = bool(
        email and user.email and wants_email(user, topic) and not takes_digest(user)
    )
    notification = Notification.objects.create(
        user=user,
        organization=organization,
        kind=kind,
        title=title[:300],
        body=body,
        url=url,
        email_due=due,
    )
    if due:
        user_id = user.pk
        transaction.on_commit(lambda: _queue_email(user_id))
    return notification


def _flush_key() -> str:
    # The database's name: a bench's copies of one database share the cache.
    database = settings.DATABASES["default"]["NAME"]
    return f"cairn:mail-flush:{database}"


def _queue_email(user_id: int) -> None:
    """Queue the sending of the person's burst. With CAIRN_MAIL_BURST_SECONDS
    one task sends every burst that has ended (send_due_bursts): it is queued
    when a notification finds none queued, that long after it, and queues
    itself again while bursts still grow, so the messages grow with the time
    notifications keep coming, not with the people told (a grade release and
    the credentials it brings: one e-mail each, not five, and a few tasks for
    thousands of people). With a broker this only queues it (CairnTask logs a
    broker outage); in process it runs now, and a mail server that still
    refuses after the retries is logged: the action it tells of stands."""
    burst = settings.CAIRN_MAIL_BURST_SECONDS
    try:
        if burst <= 0:
            tasks.send_burst.delay(user_id)
            return
        try:
            # One flush queued at a time: the key stands until the flush
            # starts (see flush_started), or longer than a burst can wait if
            # its message is lost (the sweep then sends what it left).
            first = cache.add(
                _flush_key(), time.time() + burst, timeout=int((MAX_BURSTS + 1) * burst)
            )
        except Exception:  # noqa: BLE001 - the cache down: a message each
            first = True
        if first and tasks.send_due_bursts.apply_async(countdown=burst) is None:
            flush_started()  # not sent: the next notification tries
    except (*tasks.RETRY_ON, Retry, MaxRetriesExceededError) as error:
        logger.warning(
            "Could not e-mail user %s their notifications: %s. They stay in "
            "their notifications; the sweep sends them.",
            user_id,
            error,
        )


def flush_started() -> None:
    """Called by the flush before it reads what to send: from now on a
    notification queues a flush of its own. Before the read, so that none is
    left between the two: one committed before it is read (and sent now, or
    waited for), one committed after it queues another flush."""
    with contextlib.suppress(Exception):  # or the key expires
        cache.delete(_flush_key())


def requeue_flush(seconds: float) -> bool:
    """Queue the flush again `seconds` on, for bursts still growing, unless
    one is queued for then or sooner (a notification's, made meanwhile);
    whether this call queued it."""
    due = time.time() + seconds
    timeout = int((MAX_BURSTS + 1) * settings.CAIRN_MAIL_BURST_SECONDS)
    try:
        if not cache.add(_flush_key(), due, timeout=timeout):
            queued_for = cache.get(_flush_key())
            if queued_for is not None and queued_for <= due + 1:
                return False
            # Queued for later (a burst after a notification made meanwhile):
            # this one goes first, the other finds less to send.
            cache.set(_flush_key(), due, timeout=timeout)
    except Exception:  # noqa: BLE001 - the cache down: queued all the same
        pass
    if tasks.send_due_bursts.apply_async(countdown=seconds) is None:
        flush_started()
        return False
    return True


# A burst ends when nothing new came for QUIET_SECONDS (a grade release's
# credentials, issued one after another, join it), and at most MAX_BURSTS
# bursts' time after it began.
QUIET_SECONDS = 10
MAX_BURSTS = 4


def _wait(first, last, now) -> float:
    # A burst lasts at least CAIRN_MAIL_BURST_SECONDS from its first
    # notification, then until QUIET_SECONDS of quiet, at most MAX_BURSTS
    # bursts' time.
    burst = settings.CAIRN_MAIL_BURST_SECONDS
    since_first = (now - first).total_seconds()
    quiet = (last - now).total_seconds() + QUIET_SECONDS
    return max(0.0, burst - since_first, min(quiet, MAX_BURSTS * burst - since_first))


def _unsent() -> QuerySet[Notification]:
    return Notification.objects.filter(email_due=True, emailed_at__isnull=True)


def burst_wait(user_id: int, *, now=None) -> float:
    """Seconds the person's burst still waits for more: 0 to send it now."""
    if settings.CAIRN_MAIL_BURST_SECONDS <= 0:
        return 0
    due = (
        _unsent()
        .filter(user_id=user_id)
        .aggregate(first=Min("created_at"), last=Max("created_at"))
    )
    if due["last"] is None:
        return 0
    return _wait(due["first"], due["last"], now or timezone.now())


def bursts_due(*, now=None) -> tuple[list[int], float | None]:
    """The people whose burst has ended (to send now), and the seconds until
    the next of those still growing ends (None: none grows); one query."""
    now = now or timezone.now()
    due, waits = [], []
    bursts = (
        _unsent()
        .order_by()
        .values("user_id")
        .annotate(first=Min("created_at"), last=Max("created_at"))
        .order_by("first")
    )
    for burst in bursts:
        wait = (
            _wait(burst["first"], burst["last"], now)
            if settings.CAIRN_MAIL_BURST_SECONDS > 0
            else 0
        )
        if wait > 0:
            waits.append(wait)
        else:
            due.append(burst["user_id"])
    return due, min(waits, default=None)


def send_due_bursts(*, now=None) -> int:
    """Send every burst that has ended, each in its own e-mail and
    transaction, and queue the flush again for those still growing; the
    e-mails sent. A send that fails stops the flush (its task retries; those
    sent are marked and not sent again)."""
    flush_started()  # before reading: see flush_started
    due, next_in = bursts_due(now=now)
    sent = sum(send_burst(user_id) > 0 for user_id in due)
    if next_in is not None:
        # A second's margin: woken just after the burst's quiet has passed.
        requeue_flush(next_in + 1)
    return sent


def send_burst(user_id: int) -> int:
    """E-mail the person's notifications due by e-mail and not sent yet, in one
    message (a single one as before, its title the subject; several under the
    newest's title, listed oldest first); how many it told
    (0: nothing sent). The rows are held while sending, so a repeat waits and
    then finds them sent."""
    with transaction.atomic():
        items = list(
            Notification.objects.select_for_update(of=("self",))
            .select_related("user", "organization")
            .filter(user_id=user_id, email_due=True, emailed_at__isnull=True)
            .order_by("created_at", "pk")
        )
        if not items or not items[0].user.email:
            return 0
        organizations = {n.organization_id for n in items}
        count = len(items)
        message = mail.compose(
            to=items[0].user.email,
            # The newest names the burst (the credential its grade brought).
            subject=items[-1].title
            if count == 1
            else f"{items[-1].title} (and {count - 1} more)",
            items=items,
            branding=mail.branding_of(
                items[0].organization if len(organizations) == 1 else None
            ),
            digest=count > 1,
        )
        message.send()  # raises on failure: the task retries, nothing is marked
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(
            emailed_at=timezone.now()
        )
    return count


def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification, once, with the rest of its person's burst:
    True if this call sent it (a message queued before bursts)."""
    user_id = (
        Notification.objects.filter(
            pk=notification_id, email_due=True, emailed_at__isnull=True
        )
        .values_list("user_id", flat=True)
        .first()
    )
    if user_id is None:
        return False
    send_burst(user_id)
    return Notification.objects.filter(
        pk=notification_id, emailed_at__isnull=False
    ).exists()


def sweep_unsent(*, now=None) -> int:
    """Queue again the bursts whose message was lost: people with a notification
    due by e-mail, unsent past the burst and the sweep's grace period."""
    now = now or timezone.now()
    cutoff = now - timedelta(
        seconds=settings.CAIRN_SWEEP_GRACE_SECONDS + settings.CAIRN_MAIL_BURST_SECONDS
    )
    users = (
        Notification.objects.filter(
            email_due=True, emailed_at__isnull=True, created_at__lt=cutoff
        )
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )
    queued = 0
    for user_id in users.iterator():
        # Past its first notification by more than MAX_BURSTS bursts: its
        # burst has ended (and with a grace period under that, what grows
        # still goes with it).
        tasks.send_burst.delay(user_id, wait=False)
        queued += 1
    return queued


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
