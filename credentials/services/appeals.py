"""Awards brought up to date after a grade changed on appeal."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.notifications.services import notify
from assessments.models import Grade, ModuleCompletion
from credentials import tasks
from credentials.models import Award
from credentials.services.issuing import reissue_award
from credentials.services.revocation import revoke_award

SUPERSEDED = (
    "Superseded by an appeal: the grade it states was changed, and a new "
    "credential with the changed result replaces it."
)


@transaction.atomic
def reissue_regraded_award(
    completion: ModuleCompletion, *, grade: Grade
) -> Award | None:
    """Revoke the award that states a grade's levels from before an appeal
    changed them, and issue its replacement; the learner is told. A repeat, an
    award signed after the change, or a completion voided since, changes nothing."""
    completion = ModuleCompletion.objects.select_for_update().get(pk=completion.pk)
    grade = Grade.objects.get(pk=grade.pk)
    if completion.voided_at is not None or grade.changed_at is None:
        return None
    if completion.grade_id != grade.pk:
        # The award states only the levels of the grade that completed the
        # module; another task's grade changing leaves it true.
        return None
    standing = (
        Award.objects.select_for_update()
        .filter(module_completion=completion, revoked_at__isnull=True)
        .first()
    )
    if standing is None or standing.issued_at >= grade.changed_at:
        # None yet (it will be signed with the new levels) or already new.
        return standing
    # One e-mail says both: the replacement and the revocation it implies.
    revoke_award(standing, by=None, reason=SUPERSEDED, notify=False)
    replacement = reissue_award(standing, by=None)
    # The reissue message is the learner's notice of the replacement: the
    # "you have earned" message is not sent for it as well.
    replacement.notified_at = timezone.now()
    replacement.save(update_fields=["notified_at"])
    tasks.notify_learner_of_reissue.delay_on_commit(replacement.pk, standing.pk)
    return replacement


def notify_learner_of_reissue(award: Award, previous: Award) -> None:
    """Tell the learner where the credential that replaces a superseded one is."""
    notify(
        award.learner,
        "credential.reissued",
        f"Your credential “{award.achievement_name}” was issued again",
        f"{award.organization.name} changed a grade behind your credential "
        f"“{award.achievement_name}” on appeal. You still hold it: a new "
        "credential states the changed result, and the earlier one is revoked "
        "(replace any copy you shared).\n\n"
        f"Reason given for revoking the earlier one: {previous.revocation_reason}\n\n"
        f"Your credential: {settings.SITE_URL}{award.get_absolute_url()}\n"
        f"The earlier one: {settings.SITE_URL}{previous.get_absolute_url()}",
        award.get_absolute_url(),
        organization=award.organization,
    )
