"""Cohorts of learners and the faculty assigned to grade them."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.audit import log_action
from accounts.models import Membership, Organization
from accounts.permissions import has_role
from assessments.models import Cohort

Role = Membership.Role


@transaction.atomic
def create_cohort(
    organization: Organization, *, by: AbstractBaseUser, name: str
) -> Cohort:
    if not has_role(by, organization, Role.ADMIN):
        raise ValidationError("Only admins can create cohorts.")
    if not name.strip():
        raise ValidationError({"name": "Name the cohort."})
    try:
        with transaction.atomic():
            cohort = Cohort.objects.create(organization=organization, name=name.strip())
    except IntegrityError as error:
        raise ValidationError({"name": "A cohort of that name exists."}) from error
    log_action(by, "cohort.created", cohort, organization=organization)
    return cohort


@transaction.atomic
def add_to_cohort(
    cohort: Cohort, *, by: AbstractBaseUser, user: AbstractBaseUser, as_role: str
) -> Cohort:
    """Add a learner, or assign a faculty member as one of its graders."""
    if not has_role(by, cohort.organization, Role.ADMIN):
        raise ValidationError("Only admins can change cohorts.")
    if as_role not in (Role.LEARNER, Role.FACULTY):
        raise ValidationError("A cohort holds learners and graders.")
    if not has_role(user, cohort.organization, as_role):
        label = "a learner" if as_role == Role.LEARNER else "faculty"
        raise ValidationError(
            {"username": f"{user.get_username()} is not {label} of this organization."}
        )
    members = cohort.learners if as_role == Role.LEARNER else cohort.graders
    members.add(user)
    log_action(
        by,
        "cohort.member_added",
        cohort,
        organization=cohort.organization,
        user=user.pk,
        role=as_role,
    )
    return cohort


@transaction.atomic
def remove_from_cohort(
    cohort: Cohort, *, by: AbstractBaseUser, user: AbstractBaseUser, as_role: str
) -> Cohort:
    if not has_role(by, cohort.organization, Role.ADMIN):
        raise ValidationError("Only admins can change cohorts.")
    members = cohort.learners if as_role == Role.LEARNER else cohort.graders
    members.remove(user)
    log_action(
        by,
        "cohort.member_removed",
        cohort,
        organization=cohort.organization,
        user=user.pk,
        role=as_role,
    )
    return cohort
