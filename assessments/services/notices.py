"""What assessment tells people, through accounts' one way of telling
(accounts.notifications.services.notify): learners of released grades and
recognition decisions, faculty of work assigned to them."""

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse

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
