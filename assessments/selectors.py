from django.db.models import QuerySet

from assessments.models import AssessmentTask, Criterion, Submission
from curriculum.models import Membership
from curriculum.permissions import User, organizations_where


def grading_queue(grader: User) -> QuerySet[Submission]:
    """Submissions waiting for a grade in the grader's organizations, oldest first."""
    organizations = organizations_where(grader, Membership.Role.FACULTY)
    return (
        Submission.objects.filter(
            status=Submission.Status.SUBMITTED,
            task__version__module__organization__in=organizations,
        )
        .exclude(learner=grader)
        .select_related("task__version__module__organization", "learner")
        .order_by("submitted_at", "pk")
    )


def rubric_criteria(task: AssessmentTask) -> list[Criterion]:
    return list(task.rubric.criteria.prefetch_related("levels", "outcomes"))


def submission_with_feedback(submission: Submission) -> Submission:
    return (
        Submission.objects.select_related(
            "task__version__module__organization",
            "task__rubric",
            "learner",
            "grade__grader",
        )
        .prefetch_related(
            "files", "grade__criteria__criterion", "grade__criteria__level"
        )
        .get(pk=submission.pk)
    )


def learner_submissions(task: AssessmentTask, learner: User) -> QuerySet[Submission]:
    return (
        task.submissions.filter(learner=learner)
        .select_related("grade")
        .prefetch_related("files")
        .order_by("-attempt")
    )
