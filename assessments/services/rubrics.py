"""Tasks and their rubrics: creating, editing in the builder, copying."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from accounts.audit import log_action
from accounts.models import Membership
from accounts.permissions import has_role
from assessments.models import AssessmentTask, Criterion, Level, Rubric
from assessments.uploads import ACCEPTED_TYPES
from curriculum.models import ModuleVersion, Outcome
from curriculum.services import ensure_editable

# Swapping two columns passes through a position no real rubric reaches.
_PARKED = 32000


@dataclass(frozen=True)
class LevelSpec:
    name: str
    points: int
    descriptor: str = ""


@dataclass(frozen=True)
class CriterionSpec:
    name: str
    outcomes: Sequence[Outcome] = ()
    descriptors: Sequence[str] = ()  # one per level, optional
    min_level: int | None = None


TASK_FIELDS = (
    "title",
    "instructions",
    "conditions",
    "tools",
    "success_criteria",
    "accepts_text",
    "accepts_links",
    "accepts_files",
    "file_types",
    "max_attempts",
    "retake_wait_days",
)


def _task_errors(fields: dict) -> dict[str, str]:
    errors = {}
    if "title" in fields and not str(fields["title"]).strip():
        errors["title"] = "Give the task a title."
    kinds = ("accepts_text", "accepts_links", "accepts_files")
    if all(k in fields for k in kinds) and not any(fields[k] for k in kinds):
        errors["accepts_files"] = "Accept at least one kind of evidence."
    unknown = set(fields.get("file_types") or ()) - set(ACCEPTED_TYPES)
    if unknown:
        errors["file_types"] = f"Cairn does not accept {', '.join(sorted(unknown))}."
    if "max_attempts" in fields and not 1 <= fields["max_attempts"] <= 20:
        errors["max_attempts"] = "Allow between 1 and 20 attempts."
    return errors


@transaction.atomic
def create_task(
    version: ModuleVersion,
    *,
    by: AbstractBaseUser,
    title: str,
    instructions: str = "",
    criteria: Sequence[CriterionSpec],
    levels: Sequence[LevelSpec],
    pass_min_total: int | None = None,
    pass_min_level: int | None = None,
    max_attempts: int = 3,
    retake_wait_days: int = 0,
    kind: str = Rubric.Kind.ANALYTIC,
    **task_fields,
) -> AssessmentTask:
    """An assessment task with a rubric of criteria x levels."""
    version = ModuleVersion.objects.select_for_update().get(pk=version.pk)
    ensure_editable(version)
    unknown = set(task_fields) - set(TASK_FIELDS)
    if unknown:
        raise TypeError(f"Unknown task fields: {sorted(unknown)}")
    errors: dict[str, str] = _task_errors(
        {"title": title, "max_attempts": max_attempts, **task_fields}
    )
    if not criteria:
        errors["criteria"] = "A rubric needs at least one criterion."
    if len(levels) < 2:
        errors["levels"] = "A rubric needs at least two performance levels."
    elif any(b.points < a.points for a, b in zip(levels, levels[1:], strict=False)):
        errors["levels"] = "Levels go from lowest to highest: points must not fall."
    if (
        pass_min_total is None
        and pass_min_level is None
        and not any(spec.min_level is not None for spec in criteria)
    ):
        errors["pass_min_total"] = (
            "Set a pass policy: a minimum total, a level, or both."
        )
    if pass_min_level is not None and not 0 <= pass_min_level < len(levels):
        errors["pass_min_level"] = f"Choose a level between 0 and {len(levels) - 1}."
    if pass_min_total is not None and levels and criteria:
        best = max(level.points for level in levels) * len(criteria)
        if pass_min_total > best:
            errors["pass_min_total"] = (
                f"No one could pass: the most points possible are {best}."
            )
    if kind == Rubric.Kind.HOLISTIC and len(criteria) != 1:
        errors["criteria"] = "A holistic rubric has exactly one criterion."
    if errors:
        raise ValidationError(errors)
    task = AssessmentTask.objects.create(
        version=version,
        title=title,
        instructions=instructions,
        max_attempts=max_attempts,
        retake_wait_days=retake_wait_days,
        **task_fields,
    )
    rubric = Rubric.objects.create(
        task=task,
        kind=kind,
        pass_min_total=pass_min_total,
        pass_min_level=pass_min_level,
    )
    for position, spec in enumerate(criteria):
        criterion = Criterion.objects.create(
            rubric=rubric, position=position, name=spec.name, min_level=spec.min_level
        )
        criterion.outcomes.set(spec.outcomes)
        Level.objects.bulk_create(
            Level(
                criterion=criterion,
                position=index,
                name=level.name,
                points=level.points,
                descriptor=(
                    spec.descriptors[index] if index < len(spec.descriptors) else ""
                )
                or level.descriptor,
            )
            for index, level in enumerate(levels)
        )
    _check_rubric(rubric)
    log_action(by, "task.created", task, organization=version.organization)
    return task


@transaction.atomic
def update_task(
    task: AssessmentTask, *, by: AbstractBaseUser, **fields
) -> AssessmentTask:
    """Change a draft task's wording, accepted evidence and attempt rules."""
    task = _locked_task(task)
    unknown = set(fields) - set(TASK_FIELDS)
    if unknown:
        raise TypeError(f"Unknown task fields: {sorted(unknown)}")
    errors = _task_errors({**{f: getattr(task, f) for f in TASK_FIELDS}, **fields})
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(task, name, value)
    task.save(update_fields=list(fields))
    log_action(
        by,
        "task.updated",
        task,
        organization=task.version.organization,
        fields=sorted(fields),
    )
    return task


@transaction.atomic
def set_marking_policy(
    task: AssessmentTask,
    *,
    by: AbstractBaseUser,
    second_mark_percent: int,
    borderline_points: int | None,
    moderation_tolerance: int,
) -> AssessmentTask:
    """How much of a task is second-marked. Operational, so allowed on a
    published version, by the organization's faculty or admins."""
    task = AssessmentTask.objects.select_for_update().get(pk=task.pk)
    organization = task.version.organization
    if not has_role(by, organization, Membership.Role.FACULTY, Membership.Role.ADMIN):
        raise ValidationError("Only faculty or admins can set second marking.")
    errors = {}
    if not 0 <= second_mark_percent <= 100:
        errors["second_mark_percent"] = "Choose a share between 0 and 100 %."
    if borderline_points is not None and borderline_points < 0:
        errors["borderline_points"] = "Points cannot be negative."
    if moderation_tolerance < 0:
        errors["moderation_tolerance"] = "Points cannot be negative."
    if errors:
        raise ValidationError(errors)
    task.second_mark_percent = second_mark_percent
    task.borderline_points = borderline_points
    task.moderation_tolerance = moderation_tolerance
    task.save(
        update_fields=[
            "second_mark_percent",
            "borderline_points",
            "moderation_tolerance",
        ]
    )
    log_action(
        by,
        "task.marking_policy_set",
        task,
        organization=organization,
        second_mark_percent=second_mark_percent,
        borderline_points=borderline_points,
        moderation_tolerance=moderation_tolerance,
    )
    return task


def _locked_task(task: AssessmentTask) -> AssessmentTask:
    task = (
        AssessmentTask.objects.select_for_update(of=("self",))
        .select_related("version__module__organization")
        .get(pk=task.pk)
    )
    ensure_editable(task.version)
    return task


def _locked_rubric(rubric: Rubric) -> Rubric:
    task = _locked_task(rubric.task)
    return Rubric.objects.select_related("task__version__module__organization").get(
        task=task
    )


def _check_rubric(rubric: Rubric) -> None:
    """The grid stays a grid: every criterion has the same columns, points never
    fall from left to right, and the pass policy can be met."""
    criteria = list(rubric.criteria.prefetch_related("levels"))
    errors: dict[str, str] = {}
    if not criteria:
        errors["criteria"] = "A rubric needs at least one criterion."
    if rubric.kind == Rubric.Kind.HOLISTIC and len(criteria) > 1:
        errors["kind"] = "A holistic rubric has exactly one criterion."
    columns = None
    for criterion in criteria:
        levels = list(criterion.levels.all())
        positions = [lv.position for lv in levels]
        if columns is None:
            columns = len(levels)
        if positions != list(range(columns)) or len(levels) != columns:
            errors["levels"] = "Every criterion needs the same performance levels."
        if any(b.points < a.points for a, b in zip(levels, levels[1:], strict=False)):
            errors["levels"] = (
                f"Points must not fall from left to right (“{criterion.name}”)."
            )
        if criterion.min_level is not None and not 0 <= criterion.min_level < len(
            levels
        ):
            errors["min_level"] = f"“{criterion.name}” names a level it does not have."
    columns = columns or 0
    if rubric.kind == Rubric.Kind.SINGLE_POINT and criteria and columns != 3:
        # One standard per criterion, with room either side: below it (concerns),
        # at it, and beyond it.
        errors["kind"] = (
            "A single-point rubric has three levels: below, at and beyond the standard."
        )
    if columns < 2:
        errors.setdefault("levels", "A rubric needs at least two performance levels.")
    if rubric.pass_min_level is not None and not 0 <= rubric.pass_min_level < columns:
        errors["pass_min_level"] = f"Choose a level between 1 and {columns}."
    best = sum(max((lv.points for lv in c.levels.all()), default=0) for c in criteria)
    if rubric.pass_min_total is not None and rubric.pass_min_total > best:
        errors["pass_min_total"] = (
            f"No one could pass: the most points possible are {best}."
        )
    if (
        rubric.pass_min_total is None
        and rubric.pass_min_level is None
        and not any(c.min_level is not None for c in criteria)
    ):
        errors["pass_min_total"] = (
            "Set a pass policy: a minimum total, a level, or both."
        )
    if errors:
        raise ValidationError(errors)


def _log(by, action: str, rubric: Rubric, **data) -> None:
    log_action(
        by, action, rubric.task, organization=rubric.task.version.organization, **data
    )


@transaction.atomic
def update_rubric_policy(
    rubric: Rubric,
    *,
    by: AbstractBaseUser,
    kind: str,
    pass_min_total: int | None,
    pass_min_level: int | None,
) -> Rubric:
    rubric = _locked_rubric(rubric)
    if kind not in Rubric.Kind.values:
        raise ValidationError({"kind": "Choose analytic, holistic or single-point."})
    rubric.kind = kind
    rubric.pass_min_total = pass_min_total
    rubric.pass_min_level = pass_min_level
    rubric.save(update_fields=["kind", "pass_min_total", "pass_min_level"])
    _check_rubric(rubric)
    _log(by, "rubric.policy_set", rubric, kind=kind)
    return rubric


@transaction.atomic
def add_criterion(
    rubric: Rubric,
    *,
    by: AbstractBaseUser,
    name: str,
    outcomes: Sequence[Outcome] = (),
) -> Criterion:
    """A new row, with the same columns as the others and empty descriptors."""
    rubric = _locked_rubric(rubric)
    if not name.strip():
        raise ValidationError({"name": "Name the criterion."})
    _check_outcomes(rubric, outcomes)
    template = rubric.criteria.prefetch_related("levels").first()
    position = (rubric.criteria.aggregate(n=Max("position"))["n"] or 0) + 1
    criterion = Criterion.objects.create(
        rubric=rubric, position=position, name=name.strip()
    )
    criterion.outcomes.set(outcomes)
    columns = list(template.levels.all()) if template else []
    if not columns:
        columns = [Level(name="Not yet", points=0), Level(name="Met", points=1)]
    Level.objects.bulk_create(
        Level(criterion=criterion, position=i, name=lv.name, points=lv.points)
        for i, lv in enumerate(columns)
    )
    _check_rubric(rubric)
    _log(by, "rubric.criterion_added", rubric, criterion=criterion.name)
    return criterion


def _check_outcomes(rubric: Rubric, outcomes: Sequence[Outcome]) -> None:
    if any(o.version_id != rubric.task.version_id for o in outcomes):
        raise ValidationError({"outcomes": "Choose outcomes of this module version."})


@transaction.atomic
def update_criterion(
    criterion: Criterion,
    *,
    by: AbstractBaseUser,
    name: str,
    outcomes: Sequence[Outcome],
    min_level: int | None,
) -> Criterion:
    rubric = _locked_rubric(criterion.rubric)
    criterion = rubric.criteria.get(pk=criterion.pk)
    if not name.strip():
        raise ValidationError({"name": "Name the criterion."})
    _check_outcomes(rubric, outcomes)
    criterion.name = name.strip()
    criterion.min_level = min_level
    criterion.save(update_fields=["name", "min_level"])
    criterion.outcomes.set(outcomes)
    _check_rubric(rubric)
    _log(by, "rubric.criterion_changed", rubric, criterion=criterion.name)
    return criterion


@transaction.atomic
def remove_criterion(criterion: Criterion, *, by: AbstractBaseUser) -> None:
    rubric = _locked_rubric(criterion.rubric)
    criterion = rubric.criteria.get(pk=criterion.pk)
    if rubric.criteria.count() == 1:
        raise ValidationError("A rubric needs at least one criterion.")
    name = criterion.name
    criterion.delete()
    _renumber(rubric)
    _check_rubric(rubric)
    _log(by, "rubric.criterion_removed", rubric, criterion=name)


def _renumber(rubric: Rubric) -> None:
    for position, criterion in enumerate(rubric.criteria.order_by("position", "pk")):
        if criterion.position != position:
            criterion.position = position
            criterion.save(update_fields=["position"])


@transaction.atomic
def move_criterion(criterion: Criterion, *, by: AbstractBaseUser, offset: int) -> None:
    """Move a row up (-1) or down (+1)."""
    rubric = _locked_rubric(criterion.rubric)
    rows = list(rubric.criteria.order_by("position", "pk"))
    index = next(i for i, c in enumerate(rows) if c.pk == criterion.pk)
    target = index + offset
    if not 0 <= target < len(rows):
        raise ValidationError("The criterion is already at that end of the rubric.")
    rows[index], rows[target] = rows[target], rows[index]
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])
    _log(by, "rubric.criterion_moved", rubric, criterion=criterion.name)


@transaction.atomic
def add_level(
    rubric: Rubric, *, by: AbstractBaseUser, name: str, points: int
) -> list[Level]:
    """A new column at the top end of the scale, in every criterion."""
    rubric = _locked_rubric(rubric)
    if not name.strip():
        raise ValidationError({"name": "Name the level."})
    criteria = list(rubric.criteria.all())
    position = (
        Level.objects.filter(criterion__rubric=rubric).aggregate(n=Max("position"))["n"]
        or 0
    ) + 1
    levels = Level.objects.bulk_create(
        Level(criterion=c, position=position, name=name.strip(), points=points)
        for c in criteria
    )
    _check_rubric(rubric)
    _log(by, "rubric.level_added", rubric, level=name)
    return levels


@transaction.atomic
def update_level_name(
    rubric: Rubric, *, by: AbstractBaseUser, position: int, name: str
) -> None:
    """Rename a column in every criterion."""
    rubric = _locked_rubric(rubric)
    if not name.strip():
        raise ValidationError({"name": "Name the level."})
    changed = Level.objects.filter(criterion__rubric=rubric, position=position).update(
        name=name.strip()[:80]
    )
    if not changed:
        raise ValidationError("The rubric has no such level.")
    _log(by, "rubric.level_renamed", rubric, position=position, name=name)


@transaction.atomic
def update_cell(
    level: Level, *, by: AbstractBaseUser, points: int, descriptor: str
) -> Level:
    """One cell of the grid: its points and descriptor."""
    rubric = _locked_rubric(level.criterion.rubric)
    level = Level.objects.get(pk=level.pk, criterion__rubric=rubric)
    if points < 0:
        raise ValidationError({"points": "Points cannot be negative."})
    level.points = points
    level.descriptor = descriptor.strip()
    level.save(update_fields=["points", "descriptor"])
    _check_rubric(rubric)
    _log(by, "rubric.cell_changed", rubric, level=level.pk)
    return level


@transaction.atomic
def remove_level(rubric: Rubric, *, by: AbstractBaseUser, position: int) -> None:
    """Remove a column from every criterion; the columns after it shift left."""
    rubric = _locked_rubric(rubric)
    levels = Level.objects.filter(criterion__rubric=rubric)
    deleted, _ = levels.filter(position=position).delete()
    if not deleted:
        raise ValidationError("The rubric has no such level.")
    for level in levels.filter(position__gt=position).order_by("position"):
        level.position -= 1
        level.save(update_fields=["position"])
    _shift_policy_after_removal(rubric, position)
    _check_rubric(rubric)
    _log(by, "rubric.level_removed", rubric, position=position)


def _shift_policy_after_removal(rubric: Rubric, position: int) -> None:
    if rubric.pass_min_level is not None and rubric.pass_min_level > position:
        rubric.pass_min_level -= 1
        rubric.save(update_fields=["pass_min_level"])
    for criterion in rubric.criteria.filter(min_level__gt=position):
        criterion.min_level -= 1
        criterion.save(update_fields=["min_level"])


@transaction.atomic
def move_level(
    rubric: Rubric, *, by: AbstractBaseUser, position: int, offset: int
) -> None:
    """Swap a column with its neighbour (-1 left, +1 right) in every criterion."""
    rubric = _locked_rubric(rubric)
    levels = Level.objects.filter(criterion__rubric=rubric)
    target = position + offset
    if (
        not levels.filter(position=position).exists()
        or not levels.filter(position=target).exists()
    ):
        raise ValidationError("The level is already at that end of the scale.")
    levels.filter(position=position).update(position=_PARKED)
    levels.filter(position=target).update(position=position)
    levels.filter(position=_PARKED).update(position=target)
    _check_rubric(rubric)  # points must still rise from left to right
    _log(by, "rubric.level_moved", rubric, position=position, offset=offset)


@transaction.atomic
def copy_rubric(
    source: AssessmentTask, *, into: AssessmentTask, by: AbstractBaseUser
) -> Rubric:
    """Replace a draft task's rubric with a copy of another task's rubric.
    Criteria keep their outcomes where the target module has an outcome at the
    same position; otherwise they are left for the designer to tie."""
    rubric = _locked_rubric(into.rubric)
    source_rubric = Rubric.objects.select_related("task__version__module").get(
        task=source
    )
    if source_rubric.pk == rubric.pk:
        raise ValidationError("Choose a rubric of another task.")
    if (
        source_rubric.task.version.module.organization_id
        != rubric.task.version.module.organization_id
    ):
        raise ValidationError("Rubrics can be copied within one organization only.")
    target_outcomes = {o.position: o for o in rubric.task.version.outcomes.all()}
    rubric.criteria.all().delete()
    for criterion in source_rubric.criteria.prefetch_related("levels", "outcomes"):
        copy = Criterion.objects.create(
            rubric=rubric,
            position=criterion.position,
            name=criterion.name,
            min_level=criterion.min_level,
        )
        copy.outcomes.set(
            target_outcomes[o.position]
            for o in criterion.outcomes.all()
            if o.position in target_outcomes
        )
        Level.objects.bulk_create(
            Level(
                criterion=copy,
                position=lv.position,
                name=lv.name,
                points=lv.points,
                descriptor=lv.descriptor,
            )
            for lv in criterion.levels.all()
        )
    rubric.kind = source_rubric.kind
    rubric.pass_min_total = source_rubric.pass_min_total
    rubric.pass_min_level = source_rubric.pass_min_level
    rubric.save(update_fields=["kind", "pass_min_total", "pass_min_level"])
    _check_rubric(rubric)
    _log(by, "rubric.copied", rubric, source_task=source.pk)
    return rubric
