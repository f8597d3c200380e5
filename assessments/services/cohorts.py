"""Cohorts of learners and the faculty assigned to grade them."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.audit import audit_entry, log_action, log_actions
from accounts.models import Membership, Organization
from accounts.permissions import has_role
from assessments.models import Cohort
from assessments.services import notices

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
    if as_role == Role.FACULTY:
        notices.grader_assigned(cohort, user)
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


def _who(text: str):
    return (
        get_user_model()
        .objects.filter(Q(username=text) | Q(email__iexact=text))
        .first()
    )


@transaction.atomic
def add_many_to_cohort(
    cohort: Cohort,
    *,
    by: AbstractBaseUser,
    lines: list[str],
    picked: Iterable[int] = (),
    as_role: str,
) -> list[AbstractBaseUser]:
    """Add everyone named (one username or e-mail a line) and everyone picked
    (user ids from a search), or no one: a ValidationError lists each line's
    problem. Those in the cohort already are left as they are."""
    if not has_role(by, cohort.organization, Role.ADMIN):
        raise ValidationError("Only admins can change cohorts.")
    if as_role not in (Role.LEARNER, Role.FACULTY):
        raise ValidationError("A cohort holds learners and graders.")
    holders = set(
        Membership.objects.filter(
            organization=cohort.organization, role=as_role
        ).values_list("user_id", flat=True)
    )
    label = "a learner" if as_role == Role.LEARNER else "faculty"
    found: dict[int, AbstractBaseUser] = {}
    problems = []
    for number, text in enumerate(lines, start=1):
        text = text.strip()
        if not text:
            continue
        user = _who(text)
        if user is None:
            problems.append(
                f"Line {number}: no one has the username or e-mail “{text}”."
            )
        elif user.pk not in holders:
            problems.append(
                f"Line {number}: {text} is not {label} of this organization."
            )
        else:
            found[user.pk] = user
    for user in get_user_model().objects.filter(pk__in=list(picked)):
        if user.pk not in holders:
            problems.append(
                f"{user.get_username()} is not {label} of this organization."
            )
        else:
            found[user.pk] = user
    if problems:
        raise ValidationError(problems)
    if not found:
        raise ValidationError("Name or pick at least one person.")
    members = cohort.learners if as_role == Role.LEARNER else cohort.graders
    present = set(members.filter(pk__in=found).values_list("pk", flat=True))
    added = [user for pk, user in found.items() if pk not in present]
    members.add(*added)
    log_actions(
        [
            audit_entry(
                by,
                "cohort.member_added",
                cohort,
                organization=cohort.organization,
                user=user.pk,
                role=as_role,
            )
            for user in added
        ]
    )
    if as_role == Role.FACULTY:  # graders are few; learners are not told
        for user in added:
            notices.grader_assigned(cohort, user)
    return added


@transaction.atomic
def remove_many_from_cohort(
    cohort: Cohort,
    *,
    by: AbstractBaseUser,
    lines: list[str],
    picked: Iterable[int] = (),
    as_role: str,
) -> list[AbstractBaseUser]:
    """Take everyone named (one username or e-mail a line) and everyone picked
    (user ids) out of the cohort's learners or graders, or no one: a
    ValidationError lists each line naming no one. Those not in it are left."""
    if not has_role(by, cohort.organization, Role.ADMIN):
        raise ValidationError("Only admins can change cohorts.")
    if as_role not in (Role.LEARNER, Role.FACULTY):
        raise ValidationError("A cohort holds learners and graders.")
    found: dict[int, AbstractBaseUser] = {}
    problems = []
    for number, text in enumerate(lines, start=1):
        text = text.strip()
        if not text:
            continue
        user = _who(text)
        if user is None:
            problems.append(
                f"Line {number}: no one has the username or e-mail “{text}”."
            )
        else:
            found[user.pk] = user
    picked = [pk for pk in picked if pk not in found]
    found.update(
        (user.pk, user) for user in get_user_model().objects.filter(pk__in=picked)
    )
    missing = set(picked) - set(found)
    if missing:
        problems.append(f"No one has the id {', '.join(map(str, sorted(missing)))}.")
    if problems:
        raise ValidationError(problems)
    if not found:
        raise ValidationError("Name or pick at least one person.")
    members = cohort.learners if as_role == Role.LEARNER else cohort.graders
    removed = list(members.filter(pk__in=found))
    members.remove(*removed)
    log_actions(
        [
            audit_entry(
                by,
                "cohort.member_removed",
                cohort,
                organization=cohort.organization,
                user=user.pk,
                role=as_role,
            )
            for user in removed
        ]
    )
    return removed
