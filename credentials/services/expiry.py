"""Telling learners and their organization's admins ahead of a credential's end."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Membership
from accounts.notifications.services import notify
from credentials import tasks
from credentials.certificates import EXPIRED_DESIGN, REVOKED_DESIGN, SUSPENDED_DESIGN
from credentials.models import Award, ExpiryNotice
from credentials.services.rendering import RERENDER_BATCH
from credentials.services.verdicts import on_day

# Days before the end at which the learner and their admin are told.
THRESHOLDS = (90, 30, 7)


def standing_expiring(on) -> "list[Award]":
    """Standing awards (neither revoked, suspended nor renewed) that end
    within the longest threshold and have not ended yet."""
    return list(
        Award.objects.filter(
            revoked_at=None,
            suspended_at=None,
            renewed_at=None,
            expires_at__gt=on,
            expires_at__lte=on + timedelta(days=max(THRESHOLDS)),
        )
        .select_related("learner", "organization")
        .order_by("expires_at", "pk")
    )


def rerender_expired_certificates(*, on=None) -> int:
    """Queue the certificates of awards that have expired since they were
    rendered, so that the PDF says so."""
    on = on or timezone.now()
    stale = Award.objects.filter(expires_at__lte=on).exclude(pdf="")
    for said in (EXPIRED_DESIGN, REVOKED_DESIGN, SUSPENDED_DESIGN):
        stale = stale.exclude(pdf_design__endswith=said)
    stale = stale.only("pk")
    count = 0
    for award in stale[:RERENDER_BATCH]:
        tasks.render_certificate.delay(award.pk)
        count += 1
    return count


def due_threshold(award: Award, on) -> int | None:
    """The smallest threshold the award's remaining time is within, or None."""
    remaining = award.expires_at - on
    due = [days for days in THRESHOLDS if remaining <= timedelta(days=days)]
    return min(due) if due else None


def send_expiry_notices(*, on=None) -> int:
    """Record and send each notice that is due, once: the unique constraint on
    (award, days) decides which run sends it. An award already inside a
    smaller threshold (one issued with 20 days to run) gets only that notice."""
    on = on or timezone.now()
    sent = 0
    for award in standing_expiring(on):
        days = due_threshold(award, on)
        if days is None:
            continue
        try:
            with transaction.atomic():
                notice = ExpiryNotice.objects.create(award=award, days=days, sent_at=on)
                # The larger thresholds it skipped are passed, not owed.
                ExpiryNotice.objects.bulk_create(
                    [
                        ExpiryNotice(award=award, days=larger, sent_at=on)
                        for larger in THRESHOLDS
                        if larger > days
                    ],
                    ignore_conflicts=True,
                )
                log_action(
                    None,
                    "award.expiry_notice_sent",
                    award,
                    organization=award.organization,
                    days=days,
                    expires_at=award.expires_at.isoformat(),
                )
                tasks.mail_expiry_notice.delay_on_commit(notice.pk)
        except IntegrityError:
            continue  # sent before, by this sweep or a concurrent one
        sent += 1
    rerender_expired_certificates(on=on)
    return sent


def renewal_steps(award: Award) -> str:
    """What the learner does to renew, in words."""
    if award.kind == Award.Kind.PATHWAY:
        return (
            "Keep the pathway's modules current: once this credential has expired "
            "and you meet the pathway's requirements again, a renewed credential "
            f"is issued to you. {award.organization.name} can also renew it after "
            "checking your record; ask them through your organization's contact."
        )
    return (
        f"Ask {award.organization.name} to renew it: an administrator checks "
        "that the competence is current and renews the credential from its page. "
        "The renewed credential is issued as a new one; this one stays in your "
        "record as history."
    )


def mail_expiry_notice(notice: ExpiryNotice) -> None:
    """E-mail the learner and their organization's admins one expiry notice."""
    award = notice.award
    url = f"{settings.SITE_URL}{reverse('credentials:verify', args=[award.uuid])}"
    when = on_day(award.expires_at)
    learner = award.learner.get_full_name() or award.learner.get_username()
    notify(
        award.learner,
        "credential.expiring",
        f"Your credential {award.achievement_name} expires on {when}",
        f"Your credential {award.achievement_name} from "
        f"{award.organization.name} expires on {when} "
        f"(in {notice.days} days or less).\n\n"
        f"How to renew it: {renewal_steps(award)}\n\n{url}",
        reverse("credentials:verify", args=[award.uuid]),
        organization=award.organization,
    )
    admins = (
        get_user_model()
        .objects.filter(
            memberships__organization=award.organization,
            memberships__role=Membership.Role.ADMIN,
        )
        .distinct()
    )
    renew_path = reverse("credentials:renew", args=[award.uuid])
    for admin in admins:
        notify(
            admin,
            "credential.expiring",
            f"{learner}'s credential {award.achievement_name} expires on {when}",
            f"{learner}'s credential {award.achievement_name} expires on {when}.\n\n"
            "To renew it once the competence is confirmed, open the credential "
            f"and choose Renew: {settings.SITE_URL}{renew_path}\nThe renewed "
            "credential is a new one; the old one is kept, not revoked.",
            renew_path,
            organization=award.organization,
        )
