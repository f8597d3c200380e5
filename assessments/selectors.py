from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import (
    Prefetch,
    Q,
    QuerySet,
)

from accounts.models import Membership
from accounts.people.selectors import person_matches
from accounts.permissions import User, has_role
from assessments import agreement
from assessments.models import (
    AssessmentTask,
    Cohort,
    Criterion,
    Mark,
    MarkLevel,
    RecognitionDecision,
    Submission,
)
from assessments.permissions import assigned_work

Status = Submission.Status


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


def marks_of(submission: Submission, *roles: str) -> list[Mark]:
    marks = submission.marks.select_related("grader").prefetch_related(
        Prefetch(
            "levels",
            queryset=MarkLevel.objects.select_related("criterion", "level"),
        )
    )
    if roles:
        marks = marks.filter(role__in=roles)
    return list(marks)


def learner_submissions(task: AssessmentTask, learner: User) -> QuerySet[Submission]:
    return (
        task.submissions.filter(learner=learner)
        .select_related("grade")
        .prefetch_related("files")
        .order_by("-attempt")
    )


# Agreement ---------------------------------------------------------------


@dataclass
class AgreementRow:
    label: str
    result: agreement.Agreement
    pairs: list = field(default_factory=list, repr=False)


@dataclass
class AgreementReport:
    task: AssessmentTask
    categories: int
    overall: agreement.Agreement
    by_criterion: list[AgreementRow]
    by_grader: list[AgreementRow]


def _paired_levels(task: AssessmentTask, first_role: str, second_role: str):
    """(criterion, first grader, second grader, first level, second level) for
    every criterion of every submission with both final marks."""
    levels = MarkLevel.objects.filter(
        mark__submission__task=task,
        mark__role__in=[first_role, second_role],
        mark__finalised_at__isnull=False,
    ).values_list(
        "mark__submission_id",
        "mark__role",
        "mark__grader_id",
        "criterion_id",
        "level__position",
    )
    by_key: dict = {}
    for submission_id, role, grader_id, criterion_id, position in levels:
        by_key.setdefault((submission_id, criterion_id), {})[role] = (
            grader_id,
            position,
        )
    for (_, criterion_id), roles in by_key.items():
        if first_role in roles and second_role in roles:
            a, b = roles[first_role], roles[second_role]
            yield criterion_id, a[0], b[0], a[1], b[1]


def agreement_report(
    task: AssessmentTask,
    *,
    first_role: str = Mark.Role.FIRST,
    second_role: str = Mark.Role.SECOND,
) -> AgreementReport:
    """Exact and adjacent agreement and quadratic-weighted kappa on criterion
    levels, for the task, each criterion and each grader (against whoever they
    were paired with)."""
    criteria = list(task.rubric.criteria.prefetch_related("levels"))
    categories = max((len(c.levels.all()) for c in criteria), default=0)
    rows = list(_paired_levels(task, first_role, second_role))
    by_criterion = []
    for criterion in criteria:
        pairs = [(a, b) for cid, _, _, a, b in rows if cid == criterion.pk]
        by_criterion.append(
            AgreementRow(criterion.name, agreement.agreement(pairs, categories))
        )
    graders: dict[int, list] = {}
    for _, first, second, a, b in rows:
        graders.setdefault(first, []).append((a, b))
        graders.setdefault(second, []).append((b, a))
    people = get_user_model().objects.in_bulk(graders)
    by_grader = [
        AgreementRow(
            people[pk].get_full_name() or people[pk].get_username(),
            agreement.agreement(pairs, categories),
        )
        for pk, pairs in sorted(graders.items())
    ]
    return AgreementReport(
        task=task,
        categories=categories,
        overall=agreement.agreement([(a, b) for *_, a, b in rows], categories),
        by_criterion=by_criterion,
        by_grader=by_grader,
    )


# Calibration -------------------------------------------------------------


@dataclass
class CalibrationItem:
    submission: Submission
    anchor: Mark
    attempt: Mark | None
    rows: list  # (criterion, anchor level, attempt level or None, distance, text)


@dataclass
class CalibrationReport:
    items: list[CalibrationItem]
    done: int
    result: agreement.Agreement


def _distance(distance: int | None) -> str:
    if distance is None:
        return "not graded"
    if distance == 0:
        return "same level"
    steps = abs(distance)
    side = "above" if distance > 0 else "below"
    return f"{steps} level{'s' if steps > 1 else ''} {side}"


def calibration_report(task: AssessmentTask, grader: User) -> CalibrationReport:
    """The task's anchors and how far this grader's levels are from them."""
    anchors = {
        m.submission_id: m
        for m in Mark.objects.filter(
            submission__task=task, role=Mark.Role.ANCHOR, finalised_at__isnull=False
        )
        .select_related("submission__learner", "grader")
        .prefetch_related(
            Prefetch(
                "levels",
                queryset=MarkLevel.objects.select_related("criterion", "level"),
            )
        )
    }
    attempts = {
        m.submission_id: m
        for m in Mark.objects.filter(
            submission__in=list(anchors),
            role=Mark.Role.CALIBRATION,
            grader=grader.pk,
            finalised_at__isnull=False,
        ).prefetch_related("levels__level")
    }
    items, pairs = [], []
    for submission_id, anchor in anchors.items():
        attempt = attempts.get(submission_id)
        mine = (
            {ml.criterion_id: ml.level for ml in attempt.levels.all()}
            if attempt
            else {}
        )
        rows = []
        for ml in anchor.levels.all():
            theirs = mine.get(ml.criterion_id)
            distance = None if theirs is None else theirs.position - ml.level.position
            rows.append(
                (ml.criterion.name, ml.level, theirs, distance, _distance(distance))
            )
            if theirs is not None:
                pairs.append((ml.level.position, theirs.position))
        items.append(CalibrationItem(anchor.submission, anchor, attempt, rows))
    categories = max(
        (c.levels.count() for c in task.rubric.criteria.all()[:1]), default=2
    )
    return CalibrationReport(
        items=items,
        done=len(attempts),
        result=agreement.agreement(pairs, categories),
    )


def anchor_candidates(task: AssessmentTask, lead: User, *, limit: int = 20):
    """Graded work of the task a lead may make an anchor of: not yet one, not
    their own, and of learners whose work they may see (their cohorts, or in
    none; an admin sees all), newest first."""
    candidates = (
        task.submissions.filter(status=Submission.Status.GRADED)
        .exclude(marks__role=Mark.Role.ANCHOR)
        .exclude(learner=lead)
        .select_related("learner", "grade")
        .order_by("-submitted_at")
    )
    if not has_role(lead, task.version.organization, Membership.Role.ADMIN):
        candidates = candidates.filter(assigned_work(lead))
    return candidates[:limit]


def find_person(text: str):
    """Someone by username or e-mail (any case), or None."""
    return (
        get_user_model()
        .objects.filter(Q(username=text.strip()) | Q(email__iexact=text.strip()))
        .first()
    )


def recognition_decisions(organizations) -> QuerySet[RecognitionDecision]:
    return RecognitionDecision.objects.filter(
        version__module__organization__in=organizations
    ).select_related("learner", "version__module", "decided_by", "completion")


def cohort_candidates(cohort: Cohort, *, q: str, as_role: str, limit: int = 20):
    """Members holding the role whom the words find, not yet in the cohort."""
    members = cohort.learners if as_role == Membership.Role.LEARNER else cohort.graders
    users = (
        get_user_model()
        .objects.filter(
            memberships__organization=cohort.organization, memberships__role=as_role
        )
        .exclude(pk__in=members.values("pk"))
    )
    for word in q.split():
        users = users.filter(person_matches(word))
    return users.order_by("last_name", "first_name", "username")[:limit]
