"""Calibration: a lead's anchor marks, and graders' attempts at them."""

from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.audit import log_action
from accounts.models import Membership
from accounts.permissions import has_role
from assessments.models import Mark, Submission
from assessments.services.grading import save_mark

Role = Membership.Role


def _locked(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("task__version__module__organization", "task__rubric")
        .get(pk=submission.pk)
    )


@transaction.atomic
def set_anchor(
    submission: Submission,
    *,
    lead: AbstractBaseUser,
    levels: Mapping[int, int],
    comments: Mapping[int, str] | None = None,
    comment: str = "",
) -> Mark:
    """Make a graded submission an anchor of its task's calibration set, with the
    lead's levels as the reference."""
    submission = _locked(submission)
    organization = submission.task.version.organization
    if not has_role(lead, organization, Role.FACULTY):
        raise ValidationError("Only faculty of this organization can set anchors.")
    if submission.status != Submission.Status.GRADED:
        raise ValidationError("Only graded work can become a calibration anchor.")
    if submission.marks.filter(role=Mark.Role.ANCHOR).exclude(grader=lead).exists():
        raise ValidationError("Another lead already set this anchor.")
    mark = save_mark(
        submission,
        grader=lead,
        role=Mark.Role.ANCHOR,
        levels=levels,
        comments=comments,
        comment=comment,
        finalise=True,
    )
    log_action(lead, "calibration.anchor_set", submission, organization=organization)
    return mark


@transaction.atomic
def calibrate(
    submission: Submission,
    *,
    grader: AbstractBaseUser,
    levels: Mapping[int, int],
    comments: Mapping[int, str] | None = None,
    comment: str = "",
) -> Mark:
    """A grader's levels on an anchor; compared with the lead's afterwards."""
    submission = _locked(submission)
    organization = submission.task.version.organization
    if not has_role(grader, organization, Role.FACULTY):
        raise ValidationError("Only faculty of this organization can calibrate.")
    anchor = submission.marks.filter(role=Mark.Role.ANCHOR).first()
    if anchor is None:
        raise ValidationError("This submission is not a calibration anchor.")
    if anchor.grader_id == grader.pk:
        raise ValidationError("The lead who set an anchor does not calibrate on it.")
    mark = save_mark(
        submission,
        grader=grader,
        role=Mark.Role.CALIBRATION,
        levels=levels,
        comments=comments,
        comment=comment,
        finalise=True,
    )
    log_action(grader, "calibration.graded", submission, organization=organization)
    return mark
