"""Grades from another system, imported from CSV: all rows or none."""

import csv
import io

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from accounts import jobs
from accounts.audit import log_action
from accounts.models import Membership
from accounts.permissions import has_role
from assessments import tasks
from assessments.models import AssessmentTask, GradeImport, Mark, Submission
from assessments.services.grading import _decide, save_mark
from assessments.services.submissions import attempt_problem

Role = Membership.Role
MAX_ROWS = 5000  # one cohort's marks; larger files belong in several imports


def _cell_error(line: int, column: str, message: str) -> str:
    return f"Line {line}, column “{column}”: {message}"


def check_grade_rows(
    task: AssessmentTask, *, by: AbstractBaseUser, data: bytes
) -> list[tuple]:
    """Columns: learner (username or e-mail), one per criterion (level name or
    number, 1 = lowest), optional comment. Every row is checked; one bad row
    raises a ValidationError listing each problem's line and column."""
    organization = task.version.organization
    if not has_role(by, organization, Role.FACULTY, Role.ADMIN):
        raise ValidationError("Only faculty or admins can import grades.")
    if task.version.status != task.version.Status.PUBLISHED:
        raise ValidationError("Import grades into a published module version.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            "The file is not UTF-8 text (save it as CSV UTF-8)."
        ) from error
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ValidationError(
            f"Line {line}: the file holds a NUL character, which no text can; "
            "save it again as CSV UTF-8."
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        table = list(reader)
    except csv.Error as error:
        raise _csv_error(reader.line_num, error) from error
    return _check_rows(task, table)


def _csv_error(line: int, error: csv.Error) -> ValidationError:
    if "field larger than field limit" in str(error):
        return ValidationError(
            f"Line {line}: a cell is longer than {csv.field_size_limit():,} "
            "characters; no grade or comment is that long."
        )
    return ValidationError(f"Line {line}: the file is not readable as CSV ({error}).")


def _check_rows(task: AssessmentTask, table: list[list[str]]) -> list[tuple]:
    organization = task.version.organization
    reader = iter(table)
    header = [h.strip() for h in next(reader, [])]
    criteria = list(task.rubric.criteria.prefetch_related("levels"))
    errors = []
    lowered = [h.lower() for h in header]
    if "learner" not in lowered:
        errors.append(_cell_error(1, "learner", "the header has no learner column."))
    for criterion in criteria:
        if criterion.name.lower() not in lowered:
            errors.append(
                _cell_error(1, criterion.name, "the header has no column for it.")
            )
    known = {c.name.lower() for c in criteria} | {"learner", "comment"}
    for name in header:
        if name.lower() not in known:
            errors.append(_cell_error(1, name, "not a criterion of this rubric."))
    if errors:
        raise ValidationError(errors)
    column = {name: index for index, name in enumerate(lowered)}
    users = get_user_model().objects
    rows = []
    seen: dict[int, int] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationError(f"Import at most {MAX_ROWS} rows at a time.")
        if len(row) != len(header):
            errors.append(
                f"Line {line}: {len(row)} cells where the header has {len(header)}."
            )
            continue
        who = row[column["learner"]].strip()
        learner = users.filter(Q(username=who) | Q(email__iexact=who)).first()
        if not who or learner is None:
            errors.append(_cell_error(line, "learner", f"no user “{who}”."))
        elif not has_role(learner, organization, Role.LEARNER):
            errors.append(_cell_error(line, "learner", f"{who} is not a learner here."))
        elif learner.pk in seen:
            errors.append(
                _cell_error(
                    line, "learner", f"{who} is also on line {seen[learner.pk]}."
                )
            )
        else:
            seen[learner.pk] = line
            problem = attempt_problem(task, learner)
            if problem:
                errors.append(_cell_error(line, "learner", f"{who}: {problem}"))
        levels = {}
        for criterion in criteria:
            value = row[column[criterion.name.lower()]].strip()
            options = list(criterion.levels.all())
            level = next(
                (lv for lv in options if lv.name.lower() == value.lower()), None
            )
            if level is None and value.isdigit() and 1 <= int(value) <= len(options):
                level = options[int(value) - 1]
            if level is None:
                names = ", ".join(lv.name for lv in options)
                errors.append(
                    _cell_error(
                        line,
                        criterion.name,
                        f"“{value}” is not a level (use {names}, or 1 to "
                        f"{len(options)}).",
                    )
                )
            else:
                levels[criterion.pk] = level.pk
        comment = row[column["comment"]].strip() if "comment" in column else ""
        rows.append((learner, levels, comment))
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError("The file has a header but no grades.")
    return rows


@transaction.atomic
def import_grades(
    task: AssessmentTask, *, by: AbstractBaseUser, data: bytes, filename: str = ""
) -> list[Submission]:
    """Import every row of a grades CSV, or none (see check_grade_rows)."""
    task = (
        AssessmentTask.objects.select_for_update(of=("self",))
        .select_related("version__module__organization", "rubric")
        .get(pk=task.pk)
    )
    organization = task.version.organization
    rows = check_grade_rows(task, by=by, data=data)
    imported = []
    now = timezone.now()
    for learner, levels, comment in rows:
        attempt = (
            task.submissions.filter(learner=learner).aggregate(n=Max("attempt"))["n"]
            or 0
        ) + 1
        submission = Submission.objects.create(
            task=task,
            learner=learner,
            attempt=attempt,
            status=Submission.Status.SUBMITTED,
            text=f"Grade imported from {filename or 'a CSV file'}.",
            submitted_at=now,
        )
        submission = Submission.objects.select_related(
            "task__version__module__organization", "task__rubric"
        ).get(pk=submission.pk)
        mark = save_mark(
            submission,
            grader=by,
            role=Mark.Role.FIRST,
            levels=levels,
            comments=None,
            comment=comment,
            finalise=True,
        )
        _decide(submission, mark, by=by)
        imported.append(submission)
    log_action(
        by,
        "grades.imported",
        task,
        organization=organization,
        rows=len(imported),
        filename=filename,
    )
    return imported


@transaction.atomic
def start_grade_import(
    task: AssessmentTask, *, by: AbstractBaseUser, upload: UploadedFile
) -> GradeImport:
    """Check an uploaded grades CSV now (a bad row is reported at once and
    nothing is kept), then keep it and queue the import on the bulk queue."""
    task = AssessmentTask.objects.select_related(
        "version__module__organization", "rubric"
    ).get(pk=task.pk)
    if upload.size > settings.CAIRN_MAX_UPLOAD_BYTES:
        raise ValidationError({"file": "The file is too large."})
    upload.seek(0)
    check_grade_rows(task, by=by, data=upload.read())
    upload.seek(0)
    job = GradeImport(task=task, filename=upload.name[:200], created_by=by)
    job.file.save(upload.name, upload, save=False)
    job.save()
    log_action(by, "grades.import_started", job, organization=task.version.organization)
    tasks.run_grade_import.delay_on_commit(job.pk)
    return job


def run_grade_import(job: GradeImport) -> GradeImport:
    """Import a waiting upload in one transaction; a second run does nothing.
    The rows are checked again: grades may have changed since the upload."""
    if not jobs.claim(GradeImport, job.pk):
        return GradeImport.objects.get(pk=job.pk)
    job.refresh_from_db()
    try:
        with job.file.open("rb") as handle:
            data = handle.read()
        with transaction.atomic():
            # Held to the end: a running job whose row is free has lost its
            # worker (accounts/jobs.py). Marked done in the same
            # transaction, so that no moment shows it imported yet running.
            jobs.hold(GradeImport, job.pk)
            imported = import_grades(
                job.task, by=job.created_by, data=data, filename=job.filename
            )
            job.status = GradeImport.Status.DONE
            job.imported = len(imported)
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "imported", "finished_at"])
    except ValidationError as error:
        job.status = GradeImport.Status.FAILED
        job.errors = error.messages
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "errors", "finished_at"])
    except Exception as error:
        # Nothing was imported (one transaction); the job must not stay
        # "running": its page says it failed and why, and the error is raised
        # for the worker's log.
        _fail(job, error)
        raise
    return job


def _fail(job: GradeImport, error: Exception) -> None:
    job.status = GradeImport.Status.FAILED
    reason = (
        "the uploaded file could not be read back from storage"
        if isinstance(error, OSError)
        else f"an unexpected error ({type(error).__name__})"
    )
    job.errors = [
        f"The import stopped: {reason}. Nothing was imported; upload it again."
    ]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "errors", "finished_at"])
