"""What assessment tells people, through accounts' one way of telling
(accounts.notifications.services.notify): learners of released grades and
recognition decisions, faculty of work assigned to them."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils import formats, timezone

from accounts.models import Membership, Notification
from accounts.notifications.services import notify
from assessments.models import Cohort, Grade, RecognitionDecision, Submission


def grade_released(submission: Submission, grade: Grade) -> None:
    task = submission.task
    module = task.version.title
    outcome = "passed" if grade.passed else "did not pass yet"
    notify(
        submission.learner,
        "grade.released",
        f"Your grade for “{task.title}” is ready",
        f"Your work for “{task.title}” ({module}) has been graded: you {outcome}. "
        "The feedback on each criterion is on the submission's page.",
        submission.get_absolute_url(),
        organization=task.version.organization,
    )


def second_marking_assigned(submission: Submission) -> None:
    if submission.second_marker is None:
        return
    task = submission.task
    notify(
        submission.second_marker,
        "work.assigned",
        f"A second mark is waiting for you: “{task.title}”",
        f"A submission for “{task.title}” ({task.version.title}) needs your blind "
        "second mark before the learner's grade is released.",
        reverse("assessments:queue") + "?status=second",
        organization=task.version.organization,
    )


def grader_assigned(cohort: Cohort, grader: AbstractBaseUser) -> None:
    notify(
        grader,
        "work.assigned",
        f"You now grade the cohort “{cohort.name}”",
        f"Work submitted by the learners of “{cohort.name}” "
        f"({cohort.organization.name}) now comes to your grading queue.",
        reverse("assessments:queue") + f"?cohort={cohort.pk}",
        organization=cohort.organization,
    )


def recognition_decided(record: RecognitionDecision) -> None:
    version = record.version
    accepted = record.decision == RecognitionDecision.Decision.ACCEPTED
    body = (
        f"Your request to have “{version.title}” recognised was accepted: "
        "it counts as completed."
        if accepted
        else f"Your request to have “{version.title}” recognised was declined."
    )
    notify(
        record.learner,
        "recognition.decided",
        f"Your request for recognition of “{version.title}” was "
        + ("accepted" if accepted else "declined"),
        f"{body}\n\nReason: {record.reason}",
        reverse("home"),
        organization=version.organization,
    )


OVERDUE_DAYS = 7
OVERDUE_BATCH = 500  # a daily run; what is left is taken the next day


def _graders_of(submission: Submission) -> list[AbstractBaseUser]:
    """Who should mark it: the second marker chosen for it; otherwise the graders
    of the learner's cohorts in the organization, or, in none, its faculty."""
    if submission.status == Submission.Status.SECOND_MARKING:
        return [submission.second_marker] if submission.second_marker else []
    organization = submission.task.version.organization
    graders = get_user_model().objects.filter(
        grading_cohorts__organization=organization,
        grading_cohorts__learners=submission.learner_id,
    )
    if not graders.exists():
        graders = get_user_model().objects.filter(
            memberships__organization=organization,
            memberships__role=Membership.Role.FACULTY,
        )
    return list(graders.exclude(pk=submission.learner_id).distinct())


def remind_overdue_grading(*, now=None) -> int:
    """Tell the graders, once, of each submission that has waited more than a
    week for a mark. How many reminders were made."""
    now = now or timezone.now()
    waiting = (
        Submission.objects.filter(
            status__in=[Submission.Status.SUBMITTED, Submission.Status.SECOND_MARKING],
            submitted_at__lte=now - timedelta(days=OVERDUE_DAYS),
        )
        .select_related("task__version__module__organization", "second_marker")
        .order_by("submitted_at", "pk")
    )
    made = 0
    for submission in waiting[:OVERDUE_BATCH]:
        url = reverse("assessments:grade", args=[submission.pk])
        told = set(
            Notification.objects.filter(kind="work.overdue", url=url).values_list(
                "user_id", flat=True
            )
        )
        task = submission.task
        days = (now - submission.submitted_at).days
        for grader in _graders_of(submission):
            if grader.pk in told:
                continue
            notify(
                grader,
                "work.overdue",
                f"Work for “{task.title}” has waited {days} days for a mark",
                f"A submission for “{task.title}” ({task.version.title}) came in on "
                f"{formats.date_format(submission.submitted_at, 'DATE_FORMAT')} and "
                "still waits for a mark.",
                url,
                organization=task.version.organization,
            )
            made += 1
    return made
