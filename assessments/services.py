"""Every change to assessment state goes through here."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from assessments.models import (
    AssessmentTask,
    Criterion,
    CriterionGrade,
    EvidenceFile,
    Grade,
    Level,
    ModuleCompletion,
    Rubric,
    Submission,
)
from assessments.signals import module_completed
from assessments.uploads import check_upload
from curriculum.audit import log_action
from curriculum.models import Membership, ModuleVersion, Outcome
from curriculum.permissions import has_role
from curriculum.services import ensure_editable


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
) -> AssessmentTask:
    """An assessment task with an analytic rubric of criteria x levels."""
    version = ModuleVersion.objects.select_for_update().get(pk=version.pk)
    ensure_editable(version)
    errors: dict[str, str] = {}
    if not criteria:
        errors["criteria"] = "A rubric needs at least one criterion."
    if len(levels) < 2:
        errors["levels"] = "A rubric needs at least two performance levels."
    elif any(b.points < a.points for a, b in zip(levels, levels[1:], strict=False)):
        errors["levels"] = "Levels go from lowest to highest: points must not fall."
    if pass_min_total is None and pass_min_level is None:
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
    if errors:
        raise ValidationError(errors)
    task = AssessmentTask.objects.create(
        version=version,
        title=title,
        instructions=instructions,
        max_attempts=max_attempts,
        retake_wait_days=retake_wait_days,
    )
    rubric = Rubric.objects.create(
        task=task, pass_min_total=pass_min_total, pass_min_level=pass_min_level
    )
    for position, spec in enumerate(criteria):
        criterion = Criterion.objects.create(
            rubric=rubric, position=position, name=spec.name
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
    log_action(by, "task.created", task, organization=version.organization)
    return task


def _attempt_problem(task: AssessmentTask, learner: AbstractBaseUser) -> str | None:
    previous = list(task.submissions.filter(learner=learner).select_related("grade"))
    if any(s.status == Submission.Status.SUBMITTED for s in previous):
        return "Your last submission is still waiting to be graded."
    if any(s.status == Submission.Status.GRADED and s.grade.passed for s in previous):
        return "You have already passed this task."
    if len(previous) >= task.max_attempts:
        return f"You have used all {task.max_attempts} attempts at this task."
    if previous and task.retake_wait_days:
        ready = previous[-1].grade.graded_at + timedelta(days=task.retake_wait_days)
        if timezone.now() < ready:
            return f"You can try again from {ready:%d %B %Y}."
    return None


@transaction.atomic
def submit_evidence(
    task: AssessmentTask,
    *,
    learner: AbstractBaseUser,
    text: str = "",
    link: str = "",
    files: Sequence = (),
) -> Submission:
    """Record a learner's evidence for a task. Bad files change nothing."""
    # Lock the task to serialize a learner's attempts, and read the version fresh.
    task = (
        AssessmentTask.objects.select_for_update(of=("self",))
        .select_related("version__module__organization")
        .get(pk=task.pk)
    )
    version = task.version
    if not version.is_frozen or version.status != version.Status.PUBLISHED:
        raise ValidationError("This task is not open for submissions.")
    if not has_role(learner, version.organization, Membership.Role.LEARNER):
        raise ValidationError("Only learners of this organization can submit evidence.")
    checked = [check_upload(f) for f in files]  # raises before anything is written
    if not (text.strip() or link.strip() or checked):
        raise ValidationError("Add some evidence: text, a link or a file.")
    problem = _attempt_problem(task, learner)
    if problem:
        raise ValidationError(problem, code="attempt")
    attempt = (
        task.submissions.filter(learner=learner).aggregate(n=Max("attempt"))["n"] or 0
    ) + 1
    submission = Submission.objects.create(
        task=task,
        learner=learner,
        attempt=attempt,
        text=text.strip(),
        link=link.strip(),
        submitted_at=timezone.now(),
    )
    for item in checked:
        EvidenceFile.objects.create(
            submission=submission,
            file=item.upload,
            original_name=item.upload.name[:255],
            content_type=item.content_type,
            size=item.upload.size,
        )
    log_action(
        learner, "submission.submitted", submission, organization=version.organization
    )
    return submission


@transaction.atomic
def grade_submission(
    submission: Submission,
    *,
    grader: AbstractBaseUser,
    levels: Mapping[int, int],
    comments: Mapping[int, str] | None = None,
    comment: str = "",
) -> Grade:
    """Grade on the rubric; a pass records the module completion in the same
    transaction, and the apps above hear of it after commit."""
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("task__version__module__organization", "task__rubric")
        .get(pk=submission.pk)
    )
    organization = submission.task.version.organization
    if not has_role(grader, organization, Membership.Role.FACULTY):
        raise ValidationError("Only faculty of this organization can grade.")
    if submission.status != Submission.Status.SUBMITTED:
        raise ValidationError("This submission has already been graded.")
    if submission.learner_id == grader.pk:
        raise ValidationError("You cannot grade your own submission.")
    comments = comments or {}
    rubric = submission.task.rubric
    criteria = list(rubric.criteria.prefetch_related("levels"))
    chosen: list[tuple[Criterion, Level]] = []
    errors = []
    for criterion in criteria:
        level_id = levels.get(criterion.pk)
        level = next((lv for lv in criterion.levels.all() if lv.pk == level_id), None)
        if level is None:
            errors.append(f"Choose a level for “{criterion.name}”.")
        else:
            chosen.append((criterion, level))
    unknown = set(levels) - {c.pk for c in criteria}
    if unknown:
        errors.append("The grade names criteria that are not in this rubric.")
    if errors:
        raise ValidationError(errors)
    total = sum(level.points for _, level in chosen)
    passed = (rubric.pass_min_total is None or total >= rubric.pass_min_total) and (
        rubric.pass_min_level is None
        or all(level.position >= rubric.pass_min_level for _, level in chosen)
    )
    grade = Grade.objects.create(
        submission=submission,
        grader=grader,
        comment=comment.strip(),
        total=total,
        passed=passed,
        graded_at=timezone.now(),
    )
    CriterionGrade.objects.bulk_create(
        CriterionGrade(
            grade=grade,
            criterion=criterion,
            level=level,
            comment=comments.get(criterion.pk, "").strip(),
        )
        for criterion, level in chosen
    )
    submission.status = Submission.Status.GRADED
    submission.save(update_fields=["status"])
    log_action(
        grader,
        "submission.graded",
        submission,
        organization=organization,
        total=total,
        passed=passed,
    )
    if passed and _all_tasks_passed(submission):
        record_completion(
            submission.learner,
            submission.task.version,
            source=ModuleCompletion.Source.GRADED,
            grade=grade,
            by=grader,
        )
    return grade


def _all_tasks_passed(submission: Submission) -> bool:
    """A module is met when every one of its tasks has a passing grade."""
    version = submission.task.version
    passed_tasks = (
        Submission.objects.filter(
            task__version=version, learner=submission.learner, grade__passed=True
        )
        .values("task")
        .distinct()
        .count()
    )
    return passed_tasks == version.tasks.count()


@transaction.atomic
def record_completion(
    learner: AbstractBaseUser,
    version: ModuleVersion,
    *,
    source: str,
    grade: Grade | None = None,
    by: AbstractBaseUser | None = None,
) -> ModuleCompletion:
    """One live completion per learner and module version; a repeat returns it."""
    existing = ModuleCompletion.objects.live().filter(learner=learner, version=version)
    if found := existing.first():
        return found
    try:
        with transaction.atomic():
            completion = ModuleCompletion.objects.create(
                learner=learner,
                version=version,
                source=source,
                grade=grade,
                completed_at=timezone.now(),
            )
    except IntegrityError:
        # Another transaction recorded it first: the constraint decided.
        return existing.get()
    log_action(
        by,
        "completion.recorded",
        completion,
        organization=version.organization,
        learner=learner.pk,
        source=source,
    )
    transaction.on_commit(
        lambda: module_completed.send(
            sender=ModuleCompletion,
            completion_id=completion.pk,
            learner_id=learner.pk,
        )
    )
    return completion
