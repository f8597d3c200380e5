from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Membership, Organization
from accounts.permissions import User, has_role
from assessments.models import (
    AssessmentTask,
    Cohort,
    Criterion,
    Level,
    Mark,
    Submission,
)
from curriculum.permissions import can_view_version, get_module_version_for_editing

Role = Membership.Role


def is_assigned(user: User, submission: Submission) -> bool:
    """Whether a faculty member's assignments cover this learner's work.

    Once an organization groups learners into cohorts, a learner's work goes to
    the faculty assigned to that learner's cohorts (and to a second marker chosen
    for it); work of learners in no cohort stays with all the organization's
    faculty, as it does in an organization without cohorts."""
    organization_id = submission.task.version.module.organization_id
    cohorts = Cohort.objects.filter(
        organization_id=organization_id, learners=submission.learner_id
    )
    if submission.second_marker_id == user.pk:
        return True
    found = cohorts.aggregate(
        n=Count("pk", distinct=True),
        mine=Count("pk", filter=Q(graders=user.pk), distinct=True),
    )
    return found["n"] == 0 or found["mine"] > 0


def assigned_work(grader: User) -> Q:
    """is_assigned for a query of submissions: work of learners in the grader's
    cohorts, in no cohort of the organization, or second marking chosen for
    this grader."""
    memberships = Cohort.learners.through.objects.filter(
        user=OuterRef("learner"),
        cohort__organization=OuterRef("task__version__module__organization"),
    )
    return (
        ~Exists(memberships)
        | Exists(memberships.filter(cohort__graders=grader.pk))
        | Q(second_marker=grader.pk)
    )


def _marks_of_task(**filters) -> Coalesce:
    """How many marks of the outer task match, counted from the marks' side:
    calibration marks are few (index mark_calibration), the task's work is not."""
    counted = (
        Mark.objects.filter(submission__task=OuterRef("pk"), **filters)
        .order_by()
        .values("submission__task")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def uncalibrated_tasks(user: User):
    """Tasks with a calibration set this grader has not finished (a queryset)."""
    calibrated = Mark.objects.filter(role=Mark.Role.ANCHOR).values("submission__task")
    return (
        AssessmentTask.objects.filter(pk__in=calibrated)
        .annotate(
            anchors=_marks_of_task(role=Mark.Role.ANCHOR, finalised_at__isnull=False),
            led=_marks_of_task(role=Mark.Role.ANCHOR, grader=user.pk),
            done=_marks_of_task(
                role=Mark.Role.CALIBRATION, grader=user.pk, finalised_at__isnull=False
            ),
        )
        .filter(anchors__gt=0, led=0, done__lt=F("anchors"))
        .values("pk")
    )


def is_calibrated(user: User, task: AssessmentTask) -> bool:
    """A grader may take live work on a task once they graded its anchors."""
    return not uncalibrated_tasks(user).filter(pk=task.pk).exists()


def can_view_submission(user: User, submission: Submission) -> bool:
    if not user.is_authenticated:
        return False
    if submission.learner_id == user.pk:
        return True
    organization = submission.task.version.organization
    if has_role(user, organization, Role.ADMIN):
        return True
    if submission.status == Submission.Status.DRAFT:
        return False  # a draft is the learner's own until they submit it
    return has_role(user, organization, Role.FACULTY) and is_assigned(user, submission)


def can_grade_submission(user: User, submission: Submission) -> bool:
    return (
        submission.learner_id != user.pk
        and has_role(user, submission.task.version.organization, Role.FACULTY)
        and is_assigned(user, submission)
    )


def can_see_marks(user: User, submission: Submission) -> bool:
    """Individual graders' marks: never to the learner; to staff once decided."""
    if submission.learner_id == user.pk:
        return False
    organization = submission.task.version.organization
    return has_role(user, organization, Role.ADMIN) or (
        submission.status == Submission.Status.GRADED
        and can_grade_submission(user, submission)
    )


def can_change_grade(user: User, submission: Submission) -> bool:
    organization = submission.task.version.organization
    return submission.learner_id != user.pk and (
        has_role(user, organization, Role.ADMIN)
        or can_grade_submission(user, submission)
    )


def can_submit_to(user: User, task: AssessmentTask) -> bool:
    return task.version.status == task.version.Status.PUBLISHED and has_role(
        user, task.version.organization, Role.LEARNER
    )


def can_manage_marking(user: User, task: AssessmentTask) -> bool:
    return has_role(user, task.version.organization, Role.FACULTY, Role.ADMIN)


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


def get_submission_for_calibration(user: User, pk: int, kind: str) -> Submission:
    """A submission to mark for calibration: graded work a lead makes an anchor
    of ("anchor"), theirs to see as any other work; or an anchor to grade
    ("attempt"), open to every faculty member of the organization, whatever
    their cohorts, since each must grade the task's anchors before live work
    (uncalibrated_tasks). Http404 for anything else, as for other work."""
    submission = _submission(pk)
    if kind in ("anchor", "attempt") and (
        can_view_submission(user, submission)
        or (kind == "attempt" and can_calibrate_on(user, submission))
    ):
        return submission
    raise Http404


def can_calibrate_on(user: User, submission: Submission) -> bool:
    """Whether the submission is an anchor this faculty member grades (and
    so reads, with its evidence) to calibrate. Not its grade or marks: those
    stay with the work's own graders."""
    return (
        has_role(user, submission.task.version.organization, Role.FACULTY)
        and submission.marks.filter(role=Mark.Role.ANCHOR).exists()
    )


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


def get_task_for_marking(user: User, pk: int) -> AssessmentTask:
    """Agreement, calibration, imports and second marking settings of a task."""
    task = get_task_for_viewing(user, pk)
    if not can_manage_marking(user, task):
        raise PermissionDenied
    return task


def get_cohort_for_managing(user: User, pk: int) -> Cohort:
    cohort = get_object_or_404(Cohort.objects.select_related("organization"), pk=pk)
    if not has_role(user, cohort.organization, Role.ADMIN, Role.FACULTY):
        raise Http404
    if not has_role(user, cohort.organization, Role.ADMIN):
        raise PermissionDenied
    return cohort


def get_organization_for_cohorts(
    user: User, slug: str, *, managing: bool = False
) -> Organization:
    """The organization whose cohorts `user` sees (its admins and faculty) or,
    `managing`, changes (its admins)."""
    organization = get_object_or_404(Organization, slug=slug)
    if not has_role(user, organization, Role.ADMIN, Role.FACULTY):
        raise Http404
    if managing and not has_role(user, organization, Role.ADMIN):
        raise PermissionDenied
    return organization


def get_cohort_of_organization(user: User, slug: str, pk: int) -> Cohort:
    """A cohort of the organization named by `slug`, for its admins."""
    cohort = get_cohort_for_managing(user, pk)
    if cohort.organization.slug != slug:
        raise Http404
    return cohort


def get_task_for_editing(user: User, pk: int) -> AssessmentTask:
    """A task whose version `user` may edit (its wording and rubric)."""
    task = get_task_for_viewing(user, pk)
    get_module_version_for_editing(user, task.version_id)
    return task


def criterion_of(task: AssessmentTask, pk) -> Criterion:
    """A criterion of this task's rubric, or 404."""
    return get_object_or_404(Criterion, pk=pk, rubric__task=task)


def cell_of(task: AssessmentTask, pk) -> Level:
    """One cell (a criterion's level) of this task's rubric, or 404."""
    return get_object_or_404(Level, pk=pk, criterion__rubric__task=task)


def rubric_source_for(task: AssessmentTask, pk) -> AssessmentTask:
    """A task of the same organization whose rubric may be copied into `task`."""
    return get_object_or_404(
        AssessmentTask,
        pk=pk,
        version__module__organization=task.version.organization,
    )


def get_organization_for_recognition(user: User, slug: str) -> Organization:
    """The organization whose recognition decisions `user` sees and makes:
    its admins only (anyone else finds nothing here)."""
    organization = get_object_or_404(Organization, slug=slug)
    if not has_role(user, organization, Role.ADMIN):
        raise Http404
    return organization
