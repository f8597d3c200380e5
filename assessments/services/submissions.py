"""A learner's evidence: drafts kept until submitted, numbered attempts."""

from collections.abc import Sequence
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone

from accounts.audit import log_action
from accounts.models import Membership
from accounts.permissions import has_role
from assessments.models import AssessmentTask, EvidenceFile, Submission
from assessments.prerequisites import check_prerequisites
from assessments.uploads import ACCEPTED_TYPES, check_upload

MAX_LINKS = 10


def attempt_problem(
    task: AssessmentTask, learner: AbstractBaseUser, *, starting: bool = False
) -> str | None:
    """Why the learner cannot submit a new attempt now, or None. With starting,
    only what stops a draft being begun (a retake wait does not)."""
    previous = list(
        task.submissions.filter(learner=learner)
        .exclude(status=Submission.Status.DRAFT)
        .select_related("grade")
        .order_by("attempt")
    )
    if any(s.status in Submission.PENDING for s in previous):
        return "Your last submission is still waiting to be graded."
    if any(s.status == Submission.Status.GRADED and s.grade.passed for s in previous):
        return "You have already passed this task."
    # An attempt whose pass was overturned on appeal does not count against the
    # limit. The learner was told they had passed and, relying on it, used no
    # other attempt; counting it could leave them none at all (a pass overturned
    # on the last allowed attempt), so that only recognition could restore the
    # module: a learner must not be worse off for a decision later withdrawn.
    # The overturned attempt stays on record, graded as it now stands.
    counted = [s for s in previous if not _overturned(s)]
    if len(counted) >= task.max_attempts:
        return f"You have used all {task.max_attempts} attempts at this task."
    if previous and task.retake_wait_days and not starting:
        ready = retake_ready_at(task, previous[-1])
        if ready and timezone.now() < ready:
            when = formats.date_format(timezone.localtime(ready), "DATETIME_FORMAT")
            return f"You can try again from {when}."
    return None


def _overturned(submission: Submission) -> bool:
    grade = getattr(submission, "grade", None)
    return grade is not None and grade.overturned_at is not None and not grade.passed


def retake_ready_at(task: AssessmentTask, last: Submission):
    """The wait runs from the last decision the learner was told: the grade, or
    its change on appeal."""
    grade = getattr(last, "grade", None)
    if grade is None:
        return None
    decided = max(grade.graded_at, grade.changed_at or grade.graded_at)
    return decided + timedelta(days=task.retake_wait_days)


def _clean_links(links: Sequence[str]) -> list[str]:
    cleaned = []
    validate = URLValidator(schemes=["http", "https"])
    for link in links:
        link = link.strip()
        if not link:
            continue
        try:
            validate(link)
        except ValidationError as error:
            raise ValidationError(
                {"links": f"“{link[:80]}” is not a web address."}
            ) from error
        if link not in cleaned:
            cleaned.append(link)
    if len(cleaned) > MAX_LINKS:
        raise ValidationError({"links": f"Add at most {MAX_LINKS} links."})
    return cleaned


def _check_kinds(task: AssessmentTask, *, text: str, links: list, files: list) -> None:
    errors = {}
    if text.strip() and not task.accepts_text:
        errors["text"] = "This task does not take written evidence."
    if links and not task.accepts_links:
        errors["links"] = "This task does not take links as evidence."
    if files and not task.accepts_files:
        errors["files"] = "This task does not take files as evidence."
    for item in files:
        if task.file_types and item.content_type not in task.file_types:
            wanted = ", ".join(ACCEPTED_TYPES.get(t, t) for t in task.file_types)
            errors["files"] = (
                f"{item.upload.name} is a {ACCEPTED_TYPES[item.content_type]}; "
                f"this task takes {wanted}."
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_draft(
    task: AssessmentTask,
    *,
    learner: AbstractBaseUser,
    text: str = "",
    link: str = "",
    links: Sequence[str] = (),
    files: Sequence = (),
) -> Submission:
    """Keep the learner's evidence as a draft of their next attempt. Text and
    links replace the draft's; files are added. Bad files change nothing."""
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
    all_links = _clean_links([link, *links])
    _check_kinds(task, text=text, links=all_links, files=checked)
    draft = task.submissions.filter(
        learner=learner, status=Submission.Status.DRAFT
    ).first()
    if draft is None:
        check_prerequisites(learner, version)
        problem = attempt_problem(task, learner, starting=True)
        if problem:
            raise ValidationError(problem, code="attempt")
        attempt = (
            task.submissions.filter(learner=learner).aggregate(n=Max("attempt"))["n"]
            or 0
        ) + 1
        draft = Submission(
            task=task, learner=learner, attempt=attempt, status=Submission.Status.DRAFT
        )
    draft.text = text.strip()
    draft.links = all_links
    draft.link = all_links[0] if all_links else ""
    if draft.pk:
        draft.save(update_fields=["text", "links", "link", "updated_at"])
    else:
        draft.save()
    for item in checked:
        EvidenceFile.objects.create(
            submission=draft,
            file=item.upload,
            original_name=item.upload.name[:255],
            content_type=item.content_type,
            size=item.upload.size,
        )
    return draft


@transaction.atomic
def submit_draft(submission: Submission, *, learner: AbstractBaseUser) -> Submission:
    """Submit a draft for grading; from now on it cannot change."""
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("task__version__module__organization")
        .get(pk=submission.pk)
    )
    if submission.learner_id != learner.pk:
        raise ValidationError("Only the learner can submit their own work.")
    if submission.status != Submission.Status.DRAFT:
        raise ValidationError("This attempt is already submitted and locked.")
    if not (submission.text or submission.links or submission.files.exists()):
        raise ValidationError("Add some evidence: text, a link or a file.")
    check_prerequisites(learner, submission.task.version)
    problem = attempt_problem(submission.task, learner)
    if problem:
        raise ValidationError(problem, code="attempt")
    submission.status = Submission.Status.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.save(update_fields=["status", "submitted_at", "updated_at"])
    log_action(
        learner,
        "submission.submitted",
        submission,
        organization=submission.task.version.organization,
        attempt=submission.attempt,
    )
    return submission


@transaction.atomic
def submit_evidence(
    task: AssessmentTask,
    *,
    learner: AbstractBaseUser,
    text: str = "",
    link: str = "",
    links: Sequence[str] = (),
    files: Sequence = (),
) -> Submission:
    """Record a learner's evidence for a task and submit it at once (added to
    any draft they kept). Bad files change nothing."""
    draft = save_draft(
        task, learner=learner, text=text, link=link, links=links, files=files
    )
    return submit_draft(draft, learner=learner)


@transaction.atomic
def remove_draft_file(evidence: EvidenceFile, *, learner: AbstractBaseUser) -> None:
    submission = Submission.objects.select_for_update().get(pk=evidence.submission_id)
    if submission.learner_id != learner.pk:
        raise ValidationError("Only the learner can change their draft.")
    if submission.status != Submission.Status.DRAFT:
        raise ValidationError("This attempt is submitted and locked.")
    stored = evidence.file
    evidence.delete()
    transaction.on_commit(lambda: stored.delete(save=False))
