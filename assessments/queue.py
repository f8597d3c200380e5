"""The grading queue: what waits for a grader, filtered, counted and paged,
and the faculty home page's summary of it (a fixed number of queries)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Now
from django.db.models.lookups import Exact

from accounts.models import Membership
from accounts.permissions import User, organizations_where
from assessments.models import (
    AssessmentTask,
    Cohort,
    Mark,
    Submission,
)
from assessments.permissions import assigned_work, uncalibrated_tasks
from config import statements

Status = Submission.Status

QUEUE_STATUSES = {
    "waiting": "Waiting for a first mark",
    "second": "Waiting for your second mark",
    "moderation": "Waiting for a moderator",
    "drafts": "Your draft marks",
}
AGES = {"3": 3, "7": 7, "14": 14}
QUEUE_PER_PAGE = 25


def uncalibrated_task_ids(grader: User) -> list[int]:
    """The ids of permissions.uncalibrated_tasks(grader), from one grouped read
    of the calibration marks (few, on their partial index mark_calibration):
    a task's finalised anchors, the grader's anchors and the grader's
    finalised calibration marks counted side by side, instead of a
    subquery of each per task, which cost the queue page more to build and
    compile than PostgreSQL spent running it."""
    anchor = Q(role=Mark.Role.ANCHOR)

    def grouped() -> QuerySet:
        return (
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
            .values("submission__task")
        )

    # Its statement kept (statements.value_rows): it depends on the grader alone.
    return [
        row["submission__task"]
        for row in statements.value_rows(("uncalibrated", grader.pk), grouped)
    ]


def faculty_organization_ids(grader: User) -> list[int]:
    return list(
        organizations_where(grader, Membership.Role.FACULTY).values_list(
            "pk", flat=True
        )
    )


def queue_condition(
    grader: User,
    *,
    organizations: list[int] | None = None,
    uncalibrated: list[int] | None = None,
) -> Q:
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
    second mark of work waiting for a moderator. `uncalibrated`: the grader's
    uncalibrated_task_ids, if the caller has them already."""
    if organizations is None:
        organizations = faculty_organization_ids(grader)
    if uncalibrated is None:
        uncalibrated = uncalibrated_task_ids(grader)
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
        & assigned_work(grader)
        & ~Q(task__in=uncalibrated)
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
        # The database's clock: the statement stays the same from one request
        # to the next (statements.value_rows).
        chosen &= Q(submitted_at__lte=Now() - timedelta(days=AGES[filters["age"]]))
    return (
        submissions.annotate(has_draft=_own_draft(grader))
        .order_by("submitted_at", "pk")
        .filter(chosen)
    )


def _count_expressions() -> dict[str, Count]:
    week_ago = Now() - timedelta(days=7)  # the database's clock, as the age filter
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


def _totals(submissions: QuerySet, **aggregates) -> QuerySet:
    """aggregate() as a values() query, whose statement can be kept: one row."""
    return (
        submissions.order_by()
        .values(_=Value(1))
        .annotate(**aggregates)
        .values(*aggregates)
    )


class _QueueRows:
    """The queue's rows for Paginator: its length known (the counts, or one
    COUNT), a page's slice read through a kept statement as QueueRow."""

    def __init__(self, key: tuple, queue: Callable[[], QuerySet], length=None):
        self.key, self.queue, self.length = key, queue, length

    def count(self) -> int:
        if self.length is None:
            found = statements.value_rows(
                ("length", *self.key),
                lambda: _totals(self.queue(), length=Count("pk")),
            )
            self.length = found[0]["length"] if found else 0
        return self.length

    def __getitem__(self, rows: slice) -> list[QueueRow]:
        if rows.start == rows.stop:  # an empty queue's only page
            return []
        found = statements.value_rows(
            ("rows", *self.key, rows.start, rows.stop),
            lambda: self.queue().values(*_ROW_VALUES)[rows],
        )
        return [_queue_row(values) for values in found]


def queue_page(
    grader: User,
    *,
    number,
    organizations: list[int] | None = None,
    per_page: int = QUEUE_PER_PAGE,
    **filters,
) -> tuple[Page, dict[str, int]]:
    """The queue page's rows (QueueRow) and its counts at a glance, which also
    give the page's length unless a task, cohort or age filter is chosen
    (queue_length). `number`: the page asked for (anything; as
    Paginator.get_page). The statements are kept (statements.value_rows): the grader's
    organizations and uncalibrated tasks, read here, are part of their key."""
    if organizations is None:
        organizations = faculty_organization_ids(grader)
    uncalibrated = uncalibrated_task_ids(grader)
    chosen = tuple(sorted((k, v) for k, v in filters.items() if v))
    key = (grader.pk, tuple(organizations), tuple(uncalibrated))

    def waiting() -> QuerySet[Submission]:
        # The condition resolved once, by one filter().
        return Submission.objects.filter(
            queue_condition(
                grader, organizations=organizations, uncalibrated=uncalibrated
            )
        )

    found = statements.value_rows(
        ("counts", *key), lambda: _totals(waiting(), **_count_expressions())
    )
    counts = found[0] if found else dict.fromkeys(_count_expressions(), 0)
    rows = _QueueRows(
        (*key, chosen),
        lambda: _queue(waiting(), grader, None, filters),
        queue_length(counts, **filters),
    )
    page = Paginator(rows, per_page).get_page(number)
    return page, counts


def grader_memberships(grader: User) -> list[dict]:
    """The grader's memberships as rows of role, organization_id and
    organization__slug, by organization name: what the navigation reads
    (accounts.context_processors.memberships) and the faculty organizations,
    from one read through a kept statement."""
    return statements.value_rows(
        ("memberships", grader.pk),
        lambda: (
            Membership.objects.filter(user=grader.pk)
            .order_by("organization__name")
            .values("role", "organization_id", "organization__slug")
        ),
    )


def faculty_organizations_of(memberships: list[dict]) -> list[int]:
    """faculty_organization_ids, from grader_memberships."""
    faculty = Membership.Role.FACULTY
    found = [m["organization_id"] for m in memberships if m["role"] == faculty]
    return list(dict.fromkeys(found))


def queue_filter_choices(
    grader: User, *, organizations: list[int] | None = None
) -> dict[str, list[tuple[int, str]]]:
    """What the queue's filters offer, as (id, label) pairs: the published
    tasks ("MOD101: Essay") and the cohorts the grader grades, through kept
    statements (their inputs, the grader and their organizations, are the
    key). `organizations`: the grader's (faculty_organization_ids), if the
    caller has them already."""
    if organizations is None:
        organizations = faculty_organization_ids(grader)
    tasks = statements.value_rows(
        ("tasks", tuple(organizations)),
        lambda: (
            AssessmentTask.objects.filter(
                version__module__organization__in=organizations,
                version__status="published",
            )
            .order_by("version__module__code", "pk")
            .values("pk", "version__module__code", "title")
        ),
    )
    cohorts = statements.value_rows(
        ("cohorts", grader.pk, tuple(organizations)),
        lambda: Cohort.objects.filter(
            organization__in=organizations, graders=grader.pk
        ).values("pk", "name"),
    )
    return {
        "tasks": [
            (row["pk"], f"{row['version__module__code']}: {row['title']}")
            for row in tasks
        ],
        "cohorts": [(row["pk"], row["name"]) for row in cohorts],
    }


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
