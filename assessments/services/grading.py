"""Marks, second marking, moderation, grades, appeals and module completions."""

from collections.abc import Mapping
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Membership
from accounts.permissions import has_role
from assessments import permissions, scoring
from assessments.models import (
    Criterion,
    CriterionGrade,
    Grade,
    Level,
    Mark,
    MarkLevel,
    ModuleCompletion,
    Rubric,
    Submission,
)
from assessments.services import notices
from assessments.signals import (
    completion_regraded,
    completion_voided,
    grade_released,
    module_completed,
)
from curriculum.models import ModuleVersion

Role = Membership.Role


def choose_levels(
    rubric: Rubric, levels: Mapping[int, int]
) -> list[tuple[Criterion, Level]]:
    """(criterion, level) for every criterion of the rubric, or a ValidationError."""
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
    if set(levels) - {c.pk for c in criteria}:
        errors.append("The grade names criteria that are not in this rubric.")
    if errors:
        raise ValidationError(errors)
    return chosen


def judge(rubric: Rubric, chosen: list[tuple[Criterion, Level]]) -> scoring.Verdict:
    return scoring.judge(
        [
            scoring.Chosen(c.name, lv.position, lv.points, c.min_level)
            for c, lv in chosen
        ],
        min_total=rubric.pass_min_total,
        min_level=rubric.pass_min_level,
    )


def _lock(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("task__version__module__organization", "task__rubric")
        .get(pk=submission.pk)
    )


def save_mark(
    submission: Submission,
    *,
    grader: AbstractBaseUser,
    role: str,
    levels: Mapping[int, int],
    comments: Mapping[int, str] | None,
    comment: str,
    finalise: bool,
) -> Mark:
    """Create or replace this grader's mark in this role. A draft may be
    incomplete; a final mark needs a level on every criterion."""
    rubric = submission.task.rubric
    comments = comments or {}
    if finalise:
        chosen = choose_levels(rubric, levels)
    else:
        known = {
            lv.pk: lv
            for lv in Level.objects.filter(criterion__rubric=rubric).select_related(
                "criterion"
            )
        }
        chosen = [
            (known[level_id].criterion, known[level_id])
            for criterion_id, level_id in levels.items()
            if level_id in known and known[level_id].criterion_id == criterion_id
        ]
    mark = Mark.objects.filter(submission=submission, role=role, grader=grader).first()
    if mark is not None and mark.is_final:
        raise ValidationError("Your mark is already final.")
    verdict = judge(rubric, chosen)
    if mark is None:
        try:
            with transaction.atomic():
                mark = Mark.objects.create(
                    submission=submission, grader=grader, role=role
                )
        except IntegrityError as error:
            raise ValidationError(
                "Another grader is already marking this submission."
            ) from error
    mark.comment = comment.strip()
    mark.total = verdict.total
    mark.passed = verdict.passed and finalise
    mark.finalised_at = timezone.now() if finalise else None
    mark.save(update_fields=["comment", "total", "passed", "finalised_at"])
    mark.levels.all().delete()
    MarkLevel.objects.bulk_create(
        MarkLevel(
            mark=mark,
            criterion=criterion,
            level=level,
            comment=comments.get(criterion.pk, "").strip(),
        )
        for criterion, level in chosen
    )
    return mark


def _check_grader(submission: Submission, grader: AbstractBaseUser) -> None:
    organization = submission.task.version.organization
    if not has_role(grader, organization, Role.FACULTY):
        raise ValidationError("Only faculty of this organization can grade.")
    if submission.learner_id == grader.pk:
        raise ValidationError("You cannot grade your own submission.")
    if not permissions.is_assigned(grader, submission):
        raise ValidationError("This learner's work is assigned to other graders.")


@transaction.atomic
def grade_submission(
    submission: Submission,
    *,
    grader: AbstractBaseUser,
    levels: Mapping[int, int],
    comments: Mapping[int, str] | None = None,
    comment: str = "",
    finalise: bool = True,
) -> Grade | Mark:
    """The first mark on the rubric. A draft (finalise=False) is kept for the
    grader. Finalised, it becomes the grade at once (returned), unless the task
    sends it to a second marker (the pending Mark is returned). A passing grade
    records the module completion in the same transaction."""
    submission = _lock(submission)
    _check_grader(submission, grader)
    if submission.status != Submission.Status.SUBMITTED:
        raise ValidationError("This submission has already been graded.")
    if not permissions.is_calibrated(grader, submission.task):
        raise ValidationError(
            "Grade the calibration set of this task before grading live work."
        )
    mark = save_mark(
        submission,
        grader=grader,
        role=Mark.Role.FIRST,
        levels=levels,
        comments=comments,
        comment=comment,
        finalise=finalise,
    )
    if not finalise:
        return mark
    reason = _second_marking_reason(submission, mark)
    if reason:
        submission.status = Submission.Status.SECOND_MARKING
        submission.second_marker = _choose_second_marker(submission, first=grader)
        submission.second_marking_reason = reason
        submission.save(
            update_fields=["status", "second_marker", "second_marking_reason"]
        )
        notices.second_marking_assigned(submission)
        log_action(
            grader,
            "submission.first_marked",
            submission,
            organization=submission.task.version.organization,
            total=mark.total,
            second_marking=reason,
        )
        return mark
    return _decide(submission, mark, by=grader)


def _second_marking_reason(submission: Submission, mark: Mark) -> str:
    """'borderline', 'sample' or '' (no second marking).

    The sample is systematic, not random: the k-th finalised first mark of a
    task is taken when floor(k·p/100) steps up, so exactly p % of marks are
    second-marked, evenly spread, and a test can say which ones."""
    task = submission.task
    rubric = task.rubric
    if (
        task.borderline_points is not None
        and rubric.pass_min_total is not None
        and mark.passed
        and mark.total - rubric.pass_min_total <= task.borderline_points
    ):
        return "borderline"
    if task.second_mark_percent:
        k = Mark.objects.filter(
            submission__task=task, role=Mark.Role.FIRST, finalised_at__isnull=False
        ).count()
        p = task.second_mark_percent
        if (k * p) // 100 > ((k - 1) * p) // 100:
            return "sample"
    return ""


def _choose_second_marker(
    submission: Submission, *, first: AbstractBaseUser
) -> AbstractBaseUser | None:
    """Another faculty member assigned to the learner's work, with the fewest
    second marks waiting; else, when the learner's cohorts have no other
    grader (a cohort of one grader), another faculty member of the
    organization, whom choosing assigns the work to (is_assigned). None only
    when the organization has no other faculty: a colleague who joins later
    takes it. Left unassigned, a cohort's work waited in no one's queue."""
    organization = submission.task.version.organization
    candidates = (
        get_user_model()
        .objects.filter(
            memberships__organization=organization,
            memberships__role=Role.FACULTY,
            # People only: an organization's service account (a script's
            # user, integrations' ServiceAccount) may hold the faculty role
            # to post grades, but would never mark.
            service_account__isnull=True,
        )
        .exclude(pk__in=[first.pk, submission.learner_id])
        .annotate(
            waiting=Count(
                "second_marking",
                filter=Q(second_marking__status=Submission.Status.SECOND_MARKING),
            )
        )
        .order_by("waiting", "pk")
    )
    candidates = list(candidates)
    for candidate in candidates:
        if permissions.is_assigned(candidate, submission):
            return candidate
    return candidates[0] if candidates else None


@transaction.atomic
def second_mark_submission(
    submission: Submission,
    *,
    grader: AbstractBaseUser,
    levels: Mapping[int, int],
    comments: Mapping[int, str] | None = None,
    comment: str = "",
    finalise: bool = True,
) -> Mark:
    """A blind second mark. When final: within the task's tolerance the first
    mark stands as the grade; beyond it, or on a different verdict, a moderator
    decides."""
    submission = _lock(submission)
    _check_grader(submission, grader)
    if submission.status != Submission.Status.SECOND_MARKING:
        raise ValidationError("This submission is not waiting for a second mark.")
    first = submission.marks.get(role=Mark.Role.FIRST)
    if first.grader_id == grader.pk:
        raise ValidationError("The second mark must come from another grader.")
    if submission.second_marker_id not in (None, grader.pk):
        raise ValidationError("This second marking is assigned to a colleague.")
    mark = save_mark(
        submission,
        grader=grader,
        role=Mark.Role.SECOND,
        levels=levels,
        comments=comments,
        comment=comment,
        finalise=finalise,
    )
    if not finalise:
        return mark
    organization = submission.task.version.organization
    gap = abs(first.total - mark.total)
    if gap > submission.task.moderation_tolerance or first.passed != mark.passed:
        submission.status = Submission.Status.MODERATION
        submission.save(update_fields=["status"])
        log_action(
            grader,
            "submission.sent_to_moderation",
            submission,
            organization=organization,
            first_total=first.total,
            second_total=mark.total,
        )
    else:
        log_action(
            grader,
            "submission.second_marked",
            submission,
            organization=organization,
            first_total=first.total,
            second_total=mark.total,
        )
        _decide(submission, first, by=grader)
    return mark


@transaction.atomic
def moderate_submission(
    submission: Submission,
    *,
    moderator: AbstractBaseUser,
    levels: Mapping[int, int],
    comments: Mapping[int, str] | None = None,
    comment: str,
) -> Grade:
    """The moderator's levels are the final grade; their reason is recorded."""
    submission = _lock(submission)
    _check_grader(submission, moderator)
    if submission.status != Submission.Status.MODERATION:
        raise ValidationError("This submission is not waiting for moderation.")
    markers = set(
        submission.marks.filter(
            role__in=[Mark.Role.FIRST, Mark.Role.SECOND]
        ).values_list("grader_id", flat=True)
    )
    if moderator.pk in markers:
        raise ValidationError("A moderator cannot be one of the two graders.")
    if not comment.strip():
        raise ValidationError({"comment": "Give the reason for your decision."})
    mark = save_mark(
        submission,
        grader=moderator,
        role=Mark.Role.MODERATOR,
        levels=levels,
        comments=comments,
        comment=comment,
        finalise=True,
    )
    return _decide(submission, mark, by=moderator, moderated=True)


def _decide(
    submission: Submission,
    mark: Mark,
    *,
    by: AbstractBaseUser,
    moderated: bool = False,
) -> Grade:
    """The decision: the grade the learner sees, copied from the mark that stands."""
    grade = Grade.objects.create(
        submission=submission,
        grader=mark.grader,
        comment=mark.comment,
        total=mark.total,
        passed=mark.passed,
        graded_at=timezone.now(),
    )
    CriterionGrade.objects.bulk_create(
        CriterionGrade(
            grade=grade,
            criterion_id=ml.criterion_id,
            level_id=ml.level_id,
            comment=ml.comment,
        )
        for ml in mark.levels.all()
    )
    submission.status = Submission.Status.GRADED
    submission.save(update_fields=["status"])
    log_action(
        by,
        "submission.moderated" if moderated else "submission.graded",
        submission,
        organization=submission.task.version.organization,
        total=grade.total,
        passed=grade.passed,
    )
    notices.grade_released(submission, grade)
    grade_id, learner_id = grade.pk, submission.learner_id
    transaction.on_commit(
        lambda: grade_released.send(
            sender=Grade, grade_id=grade_id, learner_id=learner_id
        )
    )
    if grade.passed and _all_tasks_passed(submission.learner, submission.task.version):
        record_completion(
            submission.learner,
            submission.task.version,
            source=ModuleCompletion.Source.GRADED,
            grade=grade,
            by=by,
        )
    return grade


def _all_tasks_passed(learner: AbstractBaseUser, version: ModuleVersion) -> bool:
    """A module is met when every one of its tasks has a passing grade."""
    passed_tasks = (
        Submission.objects.filter(
            task__version=version, learner=learner, grade__passed=True
        )
        .values("task")
        .distinct()
        .count()
    )
    return passed_tasks == version.tasks.count()


@transaction.atomic
def change_grade(
    grade: Grade,
    *,
    by: AbstractBaseUser,
    levels: Mapping[int, int],
    comments: Mapping[int, str] | None = None,
    reason: str,
) -> Grade:
    """Change a decided grade (an appeal). If the module is no longer met, its
    completion is voided in this transaction and the apps above hear of it
    after commit; if it is newly met, the completion is recorded."""
    grade = Grade.objects.select_for_update().get(pk=grade.pk)
    submission = _lock(grade.submission)
    organization = submission.task.version.organization
    if not has_role(by, organization, Role.FACULTY, Role.ADMIN):
        raise ValidationError("Only faculty or admins can change a grade.")
    if submission.learner_id == by.pk:
        raise ValidationError("You cannot change your own grade.")
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for changing the grade."})
    rubric = submission.task.rubric
    chosen = choose_levels(rubric, levels)
    verdict = judge(rubric, chosen)
    before = {"total": grade.total, "passed": grade.passed}
    levels_before = dict(grade.criteria.values_list("criterion_id", "level_id"))
    comments = comments or {}
    grade.criteria.all().delete()
    CriterionGrade.objects.bulk_create(
        CriterionGrade(
            grade=grade,
            criterion=criterion,
            level=level,
            comment=comments.get(criterion.pk, "").strip(),
        )
        for criterion, level in chosen
    )
    now = timezone.now()
    if verdict.passed:
        grade.overturned_at = None
    elif grade.passed:
        grade.overturned_at = now  # a pass overturned: see attempt_problem
    grade.total, grade.passed = verdict.total, verdict.passed
    grade.changed_at = now
    grade.change_reason = reason.strip()
    grade.save(
        update_fields=[
            "total",
            "passed",
            "changed_at",
            "change_reason",
            "overturned_at",
        ]
    )
    log_action(
        by,
        "grade.changed",
        grade,
        organization=organization,
        before=before,
        after={"total": grade.total, "passed": grade.passed},
        reason=grade.change_reason,
    )
    version = submission.task.version
    live = ModuleCompletion.objects.live().filter(
        learner_id=submission.learner_id,
        version=version,
        source=ModuleCompletion.Source.GRADED,
    )
    met = _all_tasks_passed(submission.learner, version)
    if not met:
        for completion in live.select_for_update():
            void_completion(completion, by=by, reason=grade.change_reason)
    elif not live.exists():
        record_completion(
            submission.learner,
            version,
            source=ModuleCompletion.Source.GRADED,
            grade=None if hasattr(grade, "completion") else grade,
            by=by,
        )
    elif levels_before != {c.pk: lv.pk for c, lv in chosen}:
        # Still met, with other levels: what was issued must say the new ones.
        for completion_id in live.values_list("pk", flat=True):
            _announce_regraded(completion_id, grade)
    return grade


def _announce_regraded(completion_id: int, grade: Grade) -> None:
    grade_id, learner_id = grade.pk, grade.submission.learner_id
    transaction.on_commit(
        lambda: completion_regraded.send(
            sender=ModuleCompletion,
            completion_id=completion_id,
            grade_id=grade_id,
            learner_id=learner_id,
        )
    )


@transaction.atomic
def void_completion(
    completion: ModuleCompletion, *, by: AbstractBaseUser | None, reason: str
) -> ModuleCompletion:
    """The completion no longer stands; completion_voided is sent after commit."""
    completion = ModuleCompletion.objects.select_for_update().get(pk=completion.pk)
    if completion.voided_at is not None:
        return completion
    completion.voided_at = timezone.now()
    completion.save(update_fields=["voided_at"])
    log_action(
        by,
        "completion.voided",
        completion,
        organization=completion.version.organization,
        learner=completion.learner_id,
        reason=reason,
    )
    completion_id, learner_id = completion.pk, completion.learner_id
    transaction.on_commit(
        lambda: completion_voided.send(
            sender=ModuleCompletion,
            completion_id=completion_id,
            learner_id=learner_id,
        )
    )
    return completion


@transaction.atomic
def record_completion(
    learner: AbstractBaseUser,
    version: ModuleVersion,
    *,
    source: str,
    grade: Grade | None = None,
    by: AbstractBaseUser | None = None,
    on: datetime | None = None,
) -> ModuleCompletion:
    """One live completion per learner and module version; a repeat returns it.
    `on` is when it was met (a direct award's issue date); now by default."""
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
                completed_at=on or timezone.now(),
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
