from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from assessments.models import AssessmentTask, Submission
from curriculum.models import Membership
from curriculum.permissions import User, can_view_version, has_role

Role = Membership.Role


def can_view_submission(user: User, submission: Submission) -> bool:
    if not user.is_authenticated:
        return False
    if submission.learner_id == user.pk:
        return True
    organization = submission.task.version.organization
    return has_role(user, organization, Role.FACULTY, Role.ADMIN)


def can_grade_submission(user: User, submission: Submission) -> bool:
    return submission.learner_id != user.pk and has_role(
        user, submission.task.version.organization, Role.FACULTY
    )


def can_submit_to(user: User, task: AssessmentTask) -> bool:
    return task.version.status == task.version.Status.PUBLISHED and has_role(
        user, task.version.organization, Role.LEARNER
    )


def _submission(pk: int) -> Submission:
    return get_object_or_404(
        Submission.objects.select_related(
            "task__version__module__organization", "learner", "task__rubric"
        ),
        pk=pk,
    )


def get_submission_for_viewing(user: User, pk: int) -> Submission:
    submission = _submission(pk)
    if not can_view_submission(user, submission):
        raise Http404  # another learner's work: do not confirm it exists
    return submission


def get_submission_for_grading(user: User, pk: int) -> Submission:
    submission = get_submission_for_viewing(user, pk)
    if not can_grade_submission(user, submission):
        raise PermissionDenied
    return submission


def get_task_for_viewing(user: User, pk: int) -> AssessmentTask:
    task = get_object_or_404(
        AssessmentTask.objects.select_related("version__module__organization"), pk=pk
    )
    if not can_view_version(user, task.version):
        raise Http404
    return task
