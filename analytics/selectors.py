"""Reads for an organization's analytics page. Nothing here writes.

Every figure is one aggregate query (or a fixed handful), so the page costs the
same number of queries for ten learners as for ten thousand. Medians are computed
by PostgreSQL (`PERCENTILE_CONT`); other databases (the SQLite demo) fetch the
values and take the median in Python.
"""

import contextlib
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import (
    Aggregate,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import Organization
from assessments.models import AssessmentTask, Mark, ModuleCompletion, Submission
from credentials.models import Award
from curriculum.models import Module, VersionedContent
from pathways import rules
from pathways.models import Enrolment, PathwayCompletion, PathwayVersion

PERIODS = (30, 90, 365)
DEFAULT_PERIOD = 90
MONTHS = 12
DAY = timedelta(days=1)
Source = ModuleCompletion.Source


class Median(Aggregate):
    """The median (PostgreSQL's continuous percentile: the mean of the two middle
    values for an even count, like statistics.median)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def _in_database(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def _median_value(values: list):
    return statistics.median(values) if values else None


def grouped_medians(
    queryset: QuerySet, group: str, value, *, in_database: bool | None = None
) -> dict:
    """{group value: median of value} over the queryset's rows."""
    if in_database is None:
        in_database = _in_database(queryset)
    queryset = queryset.annotate(_value=value).filter(_value__isnull=False)
    if in_database:
        rows = (
            queryset.order_by()
            .values(group)
            .annotate(_median=Median("_value", output_field=value.output_field))
            .values_list(group, "_median")
        )
        return dict(rows)
    found = defaultdict(list)
    for key, item in queryset.values_list(group, "_value"):
        found[key].append(item)
    return {key: _median_value(items) for key, items in found.items()}


def median(queryset: QuerySet, value, *, in_database: bool | None = None):
    """The median of value over the queryset's rows, or None without rows."""
    if in_database is None:
        in_database = _in_database(queryset)
    queryset = queryset.annotate(_value=value).filter(_value__isnull=False)
    if in_database:
        return queryset.aggregate(
            _median=Median("_value", output_field=value.output_field)
        )["_median"]
    return _median_value(list(queryset.values_list("_value", flat=True)))


def _days(duration: timedelta | None) -> float | None:
    return None if duration is None else duration / DAY


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _duration(later: str, earlier) -> ExpressionWrapper:
    earlier = F(earlier) if isinstance(earlier, str) else earlier
    return ExpressionWrapper(F(later) - earlier, output_field=DurationField())


# ------------------------------------------------------------------ headline


@dataclass(frozen=True)
class Window:
    """[start, end): an event at start belongs to this window, one at end does not."""

    start: datetime
    end: datetime

    def q(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    current: float | None
    previous: float | None
    is_days: bool = False
    is_part: bool = False  # a breakdown of the figure above it

    @property
    def change(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous


@dataclass(frozen=True)
class Headline:
    days: int
    current: Window
    previous: Window
    figures: tuple[Figure, ...]
    waiting: int
    oldest_waiting_since: datetime | None
    now: datetime

    @property
    def oldest_waiting_days(self) -> float | None:
        if self.oldest_waiting_since is None:
            return None
        return _days(self.now - self.oldest_waiting_since)

    @property
    def has_activity(self) -> bool:
        return self.waiting > 0 or any(
            f.current or f.previous for f in self.figures if not f.is_days
        )


def windows(*, days: int, now: datetime) -> tuple[Window, Window]:
    """The chosen period ending now, and the period of the same length before it."""
    current = Window(now - days * DAY, now)
    return current, Window(current.start - days * DAY, current.start)


def _two(queryset: QuerySet, current: Window, previous: Window, field: str, **counts):
    """For each name=(count expression, extra Q), the count in each window."""
    aggregates = {}
    for name, (expression, extra) in counts.items():
        for suffix, window in (("current", current), ("previous", previous)):
            aggregates[f"{name}_{suffix}"] = Count(
                expression,
                distinct=expression != "pk",
                filter=window.q(field) & extra,
            )
    return queryset.aggregate(**aggregates)


def headline(organization: Organization, *, days: int, now: datetime) -> Headline:
    """The period's figures beside the previous period's, and the grading backlog."""
    current, previous = windows(days=days, now=now)
    everything = Q()
    enrolled = _two(
        Enrolment.objects.filter(version__pathway__organization=organization),
        current,
        previous,
        "enrolled_at",
        learners=("learner", everything),
    )
    modules = _two(
        ModuleCompletion.objects.live().filter(
            version__module__organization=organization
        ),
        current,
        previous,
        "completed_at",
        all=("pk", everything),
        graded=("pk", Q(source=Source.GRADED)),
        recognition=("pk", Q(source=Source.RECOGNITION)),
        external=("pk", Q(source=Source.EXTERNAL)),
    )
    pathways = _two(
        PathwayCompletion.objects.filter(
            version__pathway__organization=organization, voided_at__isnull=True
        ),
        current,
        previous,
        "completed_at",
        all=("pk", everything),
    )
    awards = Award.objects.filter(organization=organization).aggregate(
        issued_current=Count("pk", filter=current.q("issued_at")),
        issued_previous=Count("pk", filter=previous.q("issued_at")),
        revoked_current=Count("pk", filter=current.q("revoked_at")),
        revoked_previous=Count("pk", filter=previous.q("revoked_at")),
    )
    submissions = Submission.objects.filter(
        task__version__module__organization=organization
    )
    graded = _two(
        submissions.filter(grade__isnull=False),
        current,
        previous,
        "grade__graded_at",
        all=("pk", everything),
    )
    grading_time = _duration("grade__graded_at", "submitted_at")
    medians = [
        _days(
            median(
                submissions.filter(window.q("grade__graded_at")),
                grading_time,
            )
        )
        for window in (current, previous)
    ]
    backlog = submissions.filter(status__in=Submission.PENDING).aggregate(
        n=Count("pk"), oldest=Min("submitted_at")
    )

    def figure(key, label, found, name, **kwargs) -> Figure:
        return Figure(
            key, label, found[f"{name}_current"], found[f"{name}_previous"], **kwargs
        )

    figures = (
        figure("learners_enrolled", "Learners enrolled", enrolled, "learners"),
        figure("module_completions", "Module completions", modules, "all"),
        figure("graded", "by a graded assessment", modules, "graded", is_part=True),
        figure(
            "recognition",
            "by recognition of prior learning",
            modules,
            "recognition",
            is_part=True,
        ),
        figure(
            "external",
            "by an accepted outside credential",
            modules,
            "external",
            is_part=True,
        ),
        figure("pathway_completions", "Pathway completions", pathways, "all"),
        figure("awards_issued", "Awards issued", awards, "issued"),
        figure("awards_revoked", "Awards revoked", awards, "revoked"),
        figure("submissions_graded", "Submissions graded", graded, "all"),
        Figure(
            "median_days_to_grade",
            "Median days from submission to grade",
            medians[0],
            medians[1],
            is_days=True,
        ),
    )
    return Headline(
        days=days,
        current=current,
        previous=previous,
        figures=figures,
        waiting=backlog["n"],
        oldest_waiting_since=backlog["oldest"],
        now=now,
    )


# ------------------------------------------------------------------ by month


@dataclass(frozen=True)
class Month:
    month: date
    module_completions: int
    pathway_completions: int
    awards_issued: int

    @property
    def label(self) -> str:
        return self.month.strftime("%b %Y")


def month_starts(now: datetime, count: int = MONTHS) -> list[date]:
    """The first days of the last `count` calendar months, this one last."""
    today = timezone.localtime(now).date()
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def _per_month(queryset: QuerySet, field: str, since: datetime) -> dict[date, int]:
    rows = (
        queryset.filter(**{f"{field}__gte": since})
        .annotate(_month=TruncMonth(field))
        .order_by()
        .values("_month")
        .annotate(n=Count("pk"))
        .values_list("_month", "n")
    )
    return {timezone.localtime(month).date(): n for month, n in rows}


def monthly_activity(organization: Organization, *, now: datetime) -> list[Month]:
    """Completions and awards issued in each of the last twelve calendar months."""
    starts = month_starts(now)
    first = timezone.make_aware(datetime.combine(starts[0], datetime.min.time()))
    modules = _per_month(
        ModuleCompletion.objects.live().filter(
            version__module__organization=organization
        ),
        "completed_at",
        first,
    )
    pathways = _per_month(
        PathwayCompletion.objects.filter(
            version__pathway__organization=organization, voided_at__isnull=True
        ),
        "completed_at",
        first,
    )
    awards = _per_month(
        Award.objects.filter(organization=organization), "issued_at", first
    )
    return [
        Month(m, modules.get(m, 0), pathways.get(m, 0), awards.get(m, 0))
        for m in starts
    ]


# ------------------------------------------------------------------ pathways


@dataclass(frozen=True)
class PathwayRow:
    version: PathwayVersion
    enrolled: int
    started: int
    completed: int
    median_days_to_complete: float | None

    @property
    def completion_rate(self) -> float | None:
        return _rate(self.completed, self.enrolled)

    @property
    def started_share(self) -> float | None:
        return _rate(self.started, self.enrolled)


def _module_ids_by_code(organization: Organization) -> tuple[dict, dict]:
    """Module ids by code, and by stacking tag."""
    by_code, by_tag = {}, defaultdict(set)
    for module in Module.objects.filter(organization=organization).select_related(
        "stacking"
    ):
        by_code[module.code] = module.pk
        stacking = getattr(module, "stacking", None)
        for tag in stacking.tags if stacking else ():
            by_tag[tag].add(module.pk)
    return by_code, by_tag


def pathway_modules(rule: dict, by_code: dict, by_tag: dict) -> set[int]:
    """The ids of the modules a rule names, directly or through a credits tag."""
    ids = {by_code[code] for code in rules.module_codes(rule) if code in by_code}
    for tag in rules.tags(rule):
        ids |= by_tag.get(tag, set())
    return ids


def pathway_funnels(organization: Organization) -> list[PathwayRow]:
    """For each published pathway version: enrolled, started (at least one live
    completion of a module the pathway names), completed, and the median days
    from enrolment to completion, over all time."""
    versions = list(
        PathwayVersion.objects.published()
        .filter(pathway__organization=organization)
        .select_related("pathway")
        .order_by("pathway__code", "number")
    )
    if not versions:
        return []
    by_code, by_tag = _module_ids_by_code(organization)
    first_completion = Subquery(
        PathwayCompletion.objects.filter(
            learner=OuterRef("learner"),
            version=OuterRef("version"),
            voided_at__isnull=True,
        )
        .order_by("completed_at")
        .values("completed_at")[:1],
        output_field=DateTimeField(),
    )
    started = Q(first_completed_at__isnull=False)
    for version in versions:
        if ids := pathway_modules(version.rule, by_code, by_tag):
            started |= Q(version=version) & Q(
                Exists(
                    ModuleCompletion.objects.live().filter(
                        learner=OuterRef("learner"), version__module_id__in=ids
                    )
                )
            )
    enrolments = Enrolment.objects.filter(version__in=versions).annotate(
        first_completed_at=first_completion
    )
    counts = {
        row["version"]: row
        for row in enrolments.order_by()
        .values("version")
        .annotate(
            enrolled=Count("pk"),
            started=Count("pk", filter=started),
            completed=Count("pk", filter=Q(first_completed_at__isnull=False)),
        )
    }
    medians = grouped_medians(
        enrolments, "version", _duration("first_completed_at", "enrolled_at")
    )
    empty = {"enrolled": 0, "started": 0, "completed": 0}
    return [
        PathwayRow(
            version=version,
            median_days_to_complete=_days(medians.get(version.pk)),
            **{k: counts.get(version.pk, empty)[k] for k in empty},
        )
        for version in versions
    ]


# ------------------------------------------------------------------ tasks


@dataclass(frozen=True)
class TaskRow:
    task: AssessmentTask
    submissions: int
    graded: int
    learners_graded: int
    passed_first_attempt: int
    passed: int
    second_marked: int
    median_attempts_to_pass: float | None
    median_days_to_grade: float | None

    @property
    def first_attempt_pass_rate(self) -> float | None:
        return _rate(self.passed_first_attempt, self.learners_graded)

    @property
    def pass_rate(self) -> float | None:
        return _rate(self.passed, self.learners_graded)

    @property
    def second_marked_share(self) -> float | None:
        return _rate(self.second_marked, self.graded)


def _median_of_histogram(counts: dict[int, int]) -> float | None:
    values = sorted(counts)
    total = sum(counts.values())
    if not total:
        return None

    def nth(n: int) -> int:  # the n-th value (0-based) in sorted order
        for value in values:
            if n < counts[value]:
                return value
            n -= counts[value]
        raise IndexError(n)

    middle = total // 2
    if total % 2:
        return float(nth(middle))
    return (nth(middle - 1) + nth(middle)) / 2


def task_statistics(organization: Organization) -> list[TaskRow]:
    """For each task of a published (or retired) module version, over all time.

    Pass rates are shares of learners with a graded attempt: passed on attempt 1,
    and passed on any attempt. Attempts to pass count the first passing attempt of
    each learner who passed. Second-marked is the share of graded submissions
    with a final second mark.
    """
    tasks = list(
        AssessmentTask.objects.filter(
            version__module__organization=organization,
            version__status__in=VersionedContent.FROZEN,
        )
        .select_related("version__module")
        .order_by("version__module__code", "version__number", "pk")
    )
    if not tasks:
        return []
    submitted = Submission.objects.filter(task__in=tasks).exclude(
        status=Submission.Status.DRAFT
    )
    is_graded = Q(grade__isnull=False)
    second_mark = Mark.objects.filter(
        submission=OuterRef("pk"), role=Mark.Role.SECOND, finalised_at__isnull=False
    )
    counts = {
        row["task"]: row
        for row in submitted.order_by()
        .values("task")
        .annotate(
            submissions=Count("pk"),
            graded=Count("pk", filter=is_graded),
            learners_graded=Count("learner", distinct=True, filter=is_graded),
            passed_first_attempt=Count(
                "learner", distinct=True, filter=Q(grade__passed=True, attempt=1)
            ),
            passed=Count("learner", distinct=True, filter=Q(grade__passed=True)),
            second_marked=Count("pk", filter=is_graded & Q(Exists(second_mark))),
        )
    }
    earlier_pass = Submission.objects.filter(
        task=OuterRef("task"),
        learner=OuterRef("learner"),
        attempt__lt=OuterRef("attempt"),
        grade__passed=True,
    )
    histograms = defaultdict(dict)
    for task_id, attempt, n in (
        submitted.filter(grade__passed=True)
        .exclude(Exists(earlier_pass))
        .order_by()
        .values("task", "attempt")
        .annotate(n=Count("pk"))
        .values_list("task", "attempt", "n")
    ):
        histograms[task_id][attempt] = n
    grading_days = grouped_medians(
        submitted.filter(is_graded),
        "task",
        _duration("grade__graded_at", "submitted_at"),
    )
    names = (
        "submissions",
        "graded",
        "learners_graded",
        "passed_first_attempt",
        "passed",
        "second_marked",
    )
    return [
        TaskRow(
            task=task,
            median_attempts_to_pass=_median_of_histogram(histograms.get(task.pk, {})),
            median_days_to_grade=_days(grading_days.get(task.pk)),
            **{name: counts.get(task.pk, {}).get(name, 0) for name in names},
        )
        for task in tasks
    ]


# ------------------------------------------------------------------ the page


@dataclass(frozen=True)
class Dashboard:
    organization: Organization
    headline: Headline
    months: list[Month]
    pathways: list[PathwayRow]
    tasks: list[TaskRow]
    read_at: datetime | None = None


def dashboard(
    organization: Organization, *, days: int = DEFAULT_PERIOD, now: datetime
) -> Dashboard:
    """Everything the analytics page shows."""
    return Dashboard(
        organization=organization,
        headline=headline(organization, days=days, now=now),
        months=monthly_activity(organization, now=now),
        pathways=pathway_funnels(organization),
        tasks=task_statistics(organization),
    )


def cached_dashboard(
    organization: Organization, *, days: int = DEFAULT_PERIOD, now: datetime
) -> Dashboard:
    """The page's figures as read at most CAIRN_ANALYTICS_CACHE_SECONDS ago
    (read_at says when); 0 reads them on every request."""
    seconds = settings.CAIRN_ANALYTICS_CACHE_SECONDS
    if seconds <= 0:
        return dashboard(organization, days=days, now=now)
    key = f"analytics:dashboard:{organization.pk}:{days}"
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache down: read afresh
        return dashboard(organization, days=days, now=now)
    if found is None:
        found = replace(dashboard(organization, days=days, now=now), read_at=now)
        with contextlib.suppress(Exception):  # the cache gone meanwhile
            cache.set(key, found, seconds)
    return found


# ------------------------------------------------------------------ CSV tables


def _number(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _percent(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}"


def headline_rows(found: Headline) -> Iterable[list]:
    yield [
        "figure",
        f"last {found.days} days (from {found.current.start:%Y-%m-%d %H:%M} UTC)",
        f"previous {found.days} days (from {found.previous.start:%Y-%m-%d %H:%M} UTC)",
    ]
    for f in found.figures:
        label = f"Module completions {f.label}" if f.is_part else f.label
        if f.is_days:
            yield [label, _number(f.current), _number(f.previous)]
        else:
            yield [label, f.current, f.previous]
    yield ["Submissions waiting now", found.waiting, ""]
    yield [
        "Days the oldest waiting submission has waited",
        _number(found.oldest_waiting_days),
        "",
    ]


def month_rows(months: list[Month]) -> Iterable[list]:
    yield ["month", "module completions", "pathway completions", "awards issued"]
    for m in months:
        yield [
            m.month.strftime("%Y-%m"),
            m.module_completions,
            m.pathway_completions,
            m.awards_issued,
        ]


def pathway_rows(found: list[PathwayRow]) -> Iterable[list]:
    yield [
        "pathway",
        "version",
        "title",
        "enrolled",
        "started",
        "completed",
        "completion rate (%)",
        "median days from enrolment to completion",
    ]
    for row in found:
        yield [
            row.version.pathway.code,
            row.version.number,
            row.version.title,
            row.enrolled,
            row.started,
            row.completed,
            _percent(row.completion_rate),
            _number(row.median_days_to_complete),
        ]


def task_rows(found: list[TaskRow]) -> Iterable[list]:
    yield [
        "module",
        "version",
        "task",
        "submissions",
        "graded submissions",
        "learners graded",
        "first-attempt pass rate (%)",
        "overall pass rate (%)",
        "median attempts to pass",
        "median days to grade",
        "second-marked (%)",
    ]
    for row in found:
        yield [
            row.task.version.module.code,
            row.task.version.number,
            row.task.title,
            row.submissions,
            row.graded,
            row.learners_graded,
            _percent(row.first_attempt_pass_rate),
            _percent(row.pass_rate),
            _number(row.median_attempts_to_pass),
            _number(row.median_days_to_grade),
            _percent(row.second_marked_share),
        ]
