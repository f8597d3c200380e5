"""A learner's place on a pathway: enrolling, and prerequisites waived for
one learner."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Membership
from accounts.permissions import has_role
from curriculum.models import Module
from pathways import tasks
from pathways.models import Enrolment, PathwayVersion, PrerequisiteOverride


@transaction.atomic
def enrol(learner: AbstractBaseUser, version: PathwayVersion) -> Enrolment:
    if version.status != PathwayVersion.Status.PUBLISHED:
        raise ValidationError("You can only enrol in a published pathway.")
    if not has_role(learner, version.organization, Membership.Role.LEARNER):
        raise ValidationError(
            f"Only learners of {version.organization} can enrol in this pathway."
        )
    enrolment, created = Enrolment.objects.get_or_create(
        learner=learner, version=version, defaults={"enrolled_at": timezone.now()}
    )
    if created:
        log_action(
            learner, "enrolment.created", enrolment, organization=version.organization
        )
        # Modules done before enrolling count too.
        tasks.evaluate_learner_pathways.delay_on_commit(learner.pk)
    return enrolment


@transaction.atomic
def override_prerequisite(
    learner: AbstractBaseUser, module: Module, *, by: AbstractBaseUser, reason: str
) -> PrerequisiteOverride:
    """Waive a module's prerequisite for one learner, with the reason (audited);
    faculty and administrators of the module's organization may."""
    organization = module.organization
    if not has_role(by, organization, Membership.Role.FACULTY, Membership.Role.ADMIN):
        raise ValidationError(
            "Only faculty or administrators of this organization can waive a "
            "prerequisite."
        )
    errors = {}
    if not has_role(learner, organization, Membership.Role.LEARNER):
        errors["learner"] = "The person is not a learner of this organization."
    if not reason.strip():
        errors["reason"] = "Give the reason for waiving the prerequisite."
    elif len(reason) > 2000:
        errors["reason"] = "Keep the reason under 2,000 characters."
    if (
        not errors
        and PrerequisiteOverride.objects.filter(learner=learner, module=module).exists()
    ):
        errors["learner"] = (
            f"The prerequisite of {module.code} is already waived for this learner."
        )
    if errors:
        raise ValidationError(errors)
    override = PrerequisiteOverride.objects.create(
        learner=learner,
        module=module,
        reason=reason.strip(),
        granted_by=by,
        granted_at=timezone.now(),
    )
    log_action(
        by,
        "prerequisite.overridden",
        override,
        organization=organization,
        learner=learner.pk,
        module=module.code,
        reason=override.reason,
    )
    return override
