"""What learners are told of their awards by e-mail: issued, revoked,
suspended, reinstated."""

from django.db import transaction
from django.utils import timezone

from accounts.notifications.services import notify
from credentials.models import Award

_STATUS_MAIL = {
    "revoked": (
        "Your credential “{name}” has been revoked",
        "{organization} has revoked your credential “{name}”.\n\nReason: {reason}\n\n"
        "Anyone who checks it now sees that it is revoked. If you earn it again, "
        "a new credential is issued.",
    ),
    "suspended": (
        "Your credential “{name}” has been suspended",
        "{organization} has suspended your credential “{name}” for now.\n\n"
        "Reason: {reason}\n\nAnyone who checks it sees that it is suspended until "
        "it is reinstated.",
    ),
    "reinstated": (
        "Your credential “{name}” is valid again",
        "{organization} has lifted the suspension of your credential “{name}”. "
        "It verifies as valid again.",
    ),
}


def notify_learner_of_award(award_id: int) -> Award | None:
    """Tell the learner once that their credential was issued, with links to its
    page and certificate; the award records that they were told (or that there
    was no one to tell), so a repeat or the sweep sends nothing more."""
    told = notify_learners_of_awards([award_id])
    return told[0] if told else None


def notify_learners_of_awards(award_ids: list[int]) -> list[Award]:
    """notify_learner_of_award for a batch of awards in one transaction: the
    awards locked and marked told in one statement each; those told."""
    with transaction.atomic():
        awards = list(
            Award.objects.select_for_update(of=("self",))
            .select_related("learner", "organization")
            .filter(pk__in=award_ids, notified_at__isnull=True, revoked_at__isnull=True)
            .order_by("pk")
        )
        for award in awards:
            notify(
                award.learner,
                "credential.issued",
                f"You have earned “{award.achievement_name}”",
                f"{award.organization.name} has issued you the credential "
                f"“{award.achievement_name}”.\n\nIts page has the PDF certificate "
                "and a copy for your wallet. Anyone you share it with can check "
                "it there.",
                award.get_absolute_url(),
                organization=award.organization,
            )
        now = timezone.now()
        Award.objects.filter(pk__in=[award.pk for award in awards]).update(
            notified_at=now
        )
        for award in awards:
            award.notified_at = now
    return awards


def notify_learner_of_status(award: Award, event: str) -> None:
    """Tell the learner by e-mail that their award was revoked, suspended or
    reinstated, with the reason and a link to its verification page."""
    subject, body = _STATUS_MAIL[event]
    words = {
        "name": award.achievement_name,
        "organization": award.organization.name,
        "reason": award.revocation_reason
        if event == "revoked"
        else award.suspension_reason,
    }
    notify(
        award.learner,
        f"credential.{event}",
        subject.format(**words),
        body.format(**words),
        award.get_absolute_url(),
        organization=award.organization,
    )
