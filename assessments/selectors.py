from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.lookups import Exact
from django.utils import timezone

from accounts.models import Membership
from accounts.people.selectors import person_matches
from accounts.permissions import User, organizations_where
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
from assessments.permissions import uncalibrated_tasks

Status = Submission.Status

QUEUE_STATUSES = {
    "waiting": "Waiting for a first mark",
    "second": "Waiting for your second mark",
    "moderation": "Waiting for a moderator",
    "drafts": "Your draft marks",
}
AGES = {"3": 3, "7": 7, "14": 14}
QUEUE_PER_PAGE = 25


def _assigned(grader: User) -> Q:
    """Work of learners in the grader's cohorts, in no cohort of the organization,
    or second marking chosen for this grader (see permissions.is_assigned)."""
    memberships = Cohort.learners.through.objects.filter(
        user=OuterRef("learner"),
        cohort__organization=OuterRef("task__version__module__organization"),
    )
    return (
        ~Exists(memberships)
        | Exists(memberships.filter(cohort__graders=grader.pk))
        | Q(second_marker=grader.pk)
    )


def uncalibrated_task_ids(grader: User) -> list[int]:
    """The ids of permissions.uncalibrated_tasks(grader), from one grouped read
    of the calibration marks (few, on their partial index mark_calibration):
    a task's finalised anchors, the grader's anchors and the grader's
    finalised calibration marks counted side by side, instead of a
    subquery of each per task, which cost the queue page more to build and
    compile than PostgreSQL spent running it."""
    anchor = Q(role=Mark.Role.ANCHOR)
    return list(
        Mark.objects.filter(role__in=[Mark.Role.ANCHOR, Mark.Role.CALIBRATION])
        .order_by()
        .values("submission__task")
        .annotate(
            anchors=Count("pk", filter=anchor & Q(finalised_at__isnull=False)),
            led=Count("pk", filter=anchor & Q(grader=grader.pk)),
            done=Count(
                "pk",
                filter=Q(
                    role=Mark.Role.CALIBRATION,
                    grader=grader.pk,
                    finalised_at__isnull=False,
                ),
            ),
        )
        .filter(anchors__gt=0, led=0, done__lt=F("anchors"))
        .values_list("submission__task", flat=True)
    )


def faculty_organization_ids(grader: User) -> list[int]:
    return list(
        organizations_where(grader, Membership.Role.FACULTY).values_list(
            "pk", flat=True
        )
    )


def queue_condition(grader: User, *, organizations: list[int] | None = None) -> Q:
    """What puts a submission in this grader's queue, as one condition: given to
    a single filter() it is resolved once (each filter() or exclude() on a query
    holding subqueries copies them all). The grader's organizations (given, or
    read here) and the tasks whose calibration set they have to grade are a
    handful of ids, read first: as subqueries they were built and compiled
    again into every query of the queue page, which cost it more CPU than
    PostgreSQL spent on its SQL. The marks that keep a submission from this
    grader are one NOT EXISTS, the submission's stage read inside it: another
    grader's first mark of work waiting for one, the grader's own first mark
    of work waiting for a second (blind second marking), their first or
    second mark of work waiting for a moderator."""
    if organizations is None:
        organizations = faculty_organization_ids(grader)
    stage = OuterRef("status")
    marked = Mark.objects.filter(submission=OuterRef("pk")).filter(
        (Q(Exact(stage, Status.SUBMITTED), role=Mark.Role.FIRST) & ~Q(grader=grader.pk))
        | Q(Exact(stage, Status.SECOND_MARKING), role=Mark.Role.FIRST, grader=grader.pk)
        | Q(
            Exact(stage, Status.MODERATION),
            role__in=[Mark.Role.FIRST, Mark.Role.SECOND],
            grader=grader.pk,
        )
    )
    return (
        Q(
            task__version__module__organization__in=organizations,
            status__in=[Status.SUBMITTED, Status.SECOND_MARKING, Status.MODERATION],
        )
        & ~Q(learner=grader.pk)
        & _assigned(grader)
        & ~Q(task__in=uncalibrated_task_ids(grader))
        & ~Exists(marked)
        & ~(
            Q(status=Status.SECOND_MARKING)
            & Q(second_marker__isnull=False)
            & ~Q(second_marker=grader.pk)
        )
    )


def _own_draft(grader: User) -> Exists:
    return Exists(
        Mark.objects.filter(
            submission=OuterRef("pk"), grader=grader.pk, finalised_at__isnull=True
        )
    )


_STATUS_FILTERS = {
    "waiting": Status.SUBMITTED,
    "second": Status.SECOND_MARKING,
    "moderation": Status.MODERATION,
}


def grading_queue(
    grader: User, *, condition: Q | None = None, **filters
) -> QuerySet[Submission]:
    """Work waiting for this grader, oldest first: first marks, blind second
    marks and moderation, within their organizations and assigned cohorts.
    Filters: task (id), cohort (id), status (a QUEUE_STATUSES key), age (days).
    `condition`: queue_condition(grader), if the caller has it already."""
    return _queue(
        Submission.objects.select_related(
            "task__version__module__organization", "learner"
        ),
        grader,
        condition if condition is not None else queue_condition(grader),
        filters,
    )


def _queue(
    submissions: QuerySet[Submission], grader: User, condition: Q | None, filters
) -> QuerySet[Submission]:
    """`submissions` in the queue (filtered by `condition` already when it is
    None), with the filters, has_draft and the queue's order."""
    if condition is not None:
        submissions = submissions.filter(condition)
    chosen = Q()
    status = filters.get("status")
    if status in _STATUS_FILTERS:
        chosen &= Q(status=_STATUS_FILTERS[status])
    elif status == "drafts":
        chosen &= Q(_own_draft(grader))
    if filters.get("task"):
        chosen &= Q(task_id=filters["task"])
    if filters.get("cohort"):
        chosen &= Q(learner__learner_cohorts=filters["cohort"])
    if filters.get("age") in AGES:
        cutoff = timezone.now() - timedelta(days=AGES[filters["age"]])
        chosen &= Q(submitted_at__lte=cutoff)
    return (
        submissions.annotate(has_draft=_own_draft(grader))
        .order_by("submitted_at", "pk")
        .filter(chosen)
    )


def _count_expressions() -> dict[str, Count]:
    week_ago = timezone.now() - timedelta(days=7)
    return {
        "waiting": Count("pk", filter=Q(status=Status.SUBMITTED)),
        "second": Count("pk", filter=Q(status=Status.SECOND_MARKING)),
        "moderation": Count("pk", filter=Q(status=Status.MODERATION)),
        "older_than_a_week": Count("pk", filter=Q(submitted_at__lte=week_ago)),
    }


def queue_counts(grader: User, *, condition: Q | None = None) -> dict[str, int]:
    """Counts at a glance, in one query."""
    if condition is None:
        condition = queue_condition(grader)
    return Submission.objects.filter(condition).aggregate(**_count_expressions())


def queue_length(counts: dict[str, int], **filters) -> int | None:
    """How many submissions grading_queue(**filters) holds, when queue_counts
    already tells (no filter, or only a stage): None when it must be counted."""
    if any(filters.get(name) for name in ("task", "cohort", "age")):
        return None
    status = filters.get("status")
    if not status:
        return counts["waiting"] + counts["second"] + counts["moderation"]
    if status in _STATUS_FILTERS:
        return counts[status]
    return None


@dataclass(frozen=True)
class QueueRow:
    """A row of the queue page: only what it shows of a submission."""

    pk: int
    submitted_at: datetime
    attempt: int
    status: str
    has_draft: bool
    learner_name: str  # the full name, or the username without one
    task_title: str
    module_code: str

    @property
    def stage(self) -> str:
        return Status(self.status).label

    @property
    def action(self) -> str:
        """What its button says."""
        return _ACTIONS.get(self.status, "Grade")


_ACTIONS = {Status.SECOND_MARKING: "Second-mark", Status.MODERATION: "Moderate"}


# The columns a QueueRow is read from: no model instances (five per row, with
# their loading hooks) for a page of 25 rows.
_ROW_VALUES = (
    "pk",
    "submitted_at",
    "attempt",
    "status",
    "has_draft",
    "learner__username",
    "learner__first_name",
    "learner__last_name",
    "task__title",
    "task__version__module__code",
)


def _queue_row(values: dict) -> QueueRow:
    # As User.get_full_name, with the username when it is blank.
    name = f"{values['learner__first_name']} {values['learner__last_name']}".strip()
    return QueueRow(
        pk=values["pk"],
        submitted_at=values["submitted_at"],
        attempt=values["attempt"],
        status=values["status"],
        has_draft=values["has_draft"],
        learner_name=name or values["learner__username"],
        task_title=values["task__title"],
        module_code=values["task__version__module__code"],
    )


def queue_page(
    grader: User,
    *,
    number,
    organizations: list[int] | None = None,
    per_page: int = QUEUE_PER_PAGE,
    **filters,
) -> tuple[Page, dict[str, int]]:
    """The queue page's rows (QueueRow, read as values) and its counts at a
    glance, which also give the page's length unless a task, cohort or age
    filter is chosen (queue_length). `number`: the page asked for (anything;
    as Paginator.get_page)."""
    # The condition resolved once, by one filter(), for both queries: its
    # subqueries are not built again for the second.
    waiting = Submission.objects.filter(
        queue_condition(grader, organizations=organizations)
    )
    counts = waiting.aggregate(**_count_expressions())
    queue = _queue(waiting, grader, None, filters)
    paginator = Paginator(queue.values(*_ROW_VALUES), per_page)
    length = queue_length(counts, **filters)
    if length is not None:
        paginator.count = length  # the counts told it: no second COUNT
    page = paginator.get_page(number)
    page.object_list = [_queue_row(values) for values in page.object_list]
    return page, counts


def queue_filter_choices(
    grader: User, *, organizations: list[int] | None = None
) -> dict[str, list[tuple[int, str]]]:
    """What the queue's filters offer, as (id, label) pairs: the published
    tasks ("MOD101: Essay") and the cohorts the grader grades.
    `organizations`: the grader's (faculty_organization_ids), if the caller
    has them already."""
    if organizations is None:
        organizations = faculty_organization_ids(grader)
    tasks = (
        AssessmentTask.objects.filter(
            version__module__organization__in=organizations,
            version__status="published",
        )
        .order_by("version__module__code", "pk")
        .values_list("pk", "version__module__code", "title")
    )
    cohorts = Cohort.objects.filter(
        organization__in=organizations, graders=grader.pk
    ).values_list("pk", "name")
    return {
        "tasks": [(pk, f"{code}: {title}") for pk, code, title in tasks],
        "cohorts": list(cohorts),
    }


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


# What waits for faculty, for the home page (a fixed number of queries).

HOME_TASKS_SHOWN = 8


@dataclass(frozen=True)
class TaskQueue:
    task_id: int
    title: str
    module: str
    waiting: int
    oldest: object  # when the longest-waiting submission came in


@dataclass(frozen=True)
class FacultyWork:
    counts: dict[str, int]
    by_task: list[TaskQueue]
    calibration_due: list[AssessmentTask]


def faculty_work(grader: User) -> FacultyWork:
    """The grader's queue by task with its age, second marks and moderation
    waiting, and the tasks whose calibration set they have still to grade."""
    condition = queue_condition(grader)
    rows = (
        Submission.objects.filter(condition)
        .values(
            "task_id",
            "task__title",
            "task__version__module__code",
            "task__version__title",
        )
        .annotate(waiting=Count("pk"), oldest=Min("submitted_at"))
        .order_by("oldest", "task_id")[:HOME_TASKS_SHOWN]
    )
    organizations = organizations_where(grader, Membership.Role.FACULTY)
    calibration = (
        AssessmentTask.objects.filter(
            pk__in=uncalibrated_tasks(grader),
            version__module__organization__in=organizations,
            version__status="published",
        )
        .select_related("version__module")
        .order_by("version__module__code", "pk")
    )
    return FacultyWork(
        counts=queue_counts(grader, condition=condition),
        by_task=[
            TaskQueue(
                task_id=row["task_id"],
                title=row["task__title"],
                module=f"{row['task__version__module__code']}: "
                f"{row['task__version__title']}",
                waiting=row["waiting"],
                oldest=row["oldest"],
            )
            for row in rows
        ],
        calibration_due=list(calibration[:HOME_TASKS_SHOWN]),
    )
