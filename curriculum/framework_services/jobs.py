"""Imports from the browser: an uploaded file, imported by a task."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts import jobs
from accounts.audit import log_action
from accounts.models import Organization
from config.celery import send_each
from curriculum import case, tasks
from curriculum.framework_services.case_import import import_case_package
from curriculum.framework_services.csv_import import (
    CsvError,
    import_competencies_csv,
)
from curriculum.models import FrameworkImport


def progress_key(job_id: int) -> str:
    return f"curriculum:import:{job_id}:progress"


def import_progress(job: FrameworkImport) -> tuple[int, int]:
    """(done, total) of a running import, as its task last reported."""
    done, total = cache.get(progress_key(job.pk), (0, 0))
    return done, total


@transaction.atomic
def start_framework_import(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    upload: UploadedFile,
    format: str,
    framework_name: str = "",
) -> FrameworkImport:
    """Keep an uploaded CASE or CSV file and queue its import."""
    if format == FrameworkImport.Format.CSV and not framework_name.strip():
        raise ValidationError({"framework_name": "Name the framework to import into."})
    if upload.size > settings.CAIRN_MAX_UPLOAD_BYTES:
        raise ValidationError({"file": "The file is too large."})
    job = FrameworkImport(
        organization=organization,
        format=format,
        filename=upload.name[:200],
        framework_name=framework_name.strip(),
        created_by=by,
    )
    job.file.save(upload.name, upload, save=False)
    job.save()
    log_action(by, "framework.import_started", job, organization=organization)
    tasks.run_framework_import.delay_on_commit(job.pk)
    return job


def run_framework_import(job: FrameworkImport) -> FrameworkImport:
    """Import a waiting upload; a second run of the same job does nothing."""
    if not jobs.claim(FrameworkImport, job.pk):
        return FrameworkImport.objects.get(pk=job.pk)
    job.refresh_from_db()

    def report(done: int, total: int) -> None:
        cache.set(progress_key(job.pk), (done, total), timeout=3600)

    fields = ["status", "error", "framework", "warnings", "finished_at"]
    try:
        with job.file.open("rb") as handle:
            raw = handle.read()
        with transaction.atomic():
            # Held to the end: a running job whose row is free has lost its
            # worker (accounts/jobs.py). Marked done in the same transaction.
            jobs.hold(FrameworkImport, job.pk)
            if job.format == FrameworkImport.Format.CASE:
                result = import_case_package(
                    job.organization, by=job.created_by, raw=raw, progress=report
                )
            else:
                result = import_competencies_csv(
                    job.organization,
                    by=job.created_by,
                    raw=raw,
                    framework_name=job.framework_name,
                    progress=report,
                )
            job.status = FrameworkImport.Status.DONE
            job.framework = result.framework
            job.warnings = result.warnings
            job.finished_at = timezone.now()
            job.save(update_fields=fields)
    except (case.CaseError, CsvError, ValidationError) as error:
        job.status = FrameworkImport.Status.FAILED
        job.error = "; ".join(getattr(error, "messages", None) or [str(error)])
        job.framework, job.warnings = None, []
        job.finished_at = timezone.now()
        job.save(update_fields=fields)
    return job


def sweep_framework_imports(*, now: datetime | None = None) -> int:
    """Queue again every import a lost message never started and every one
    whose worker died (accounts/jobs.py); how many."""
    to_queue = jobs.jobs_to_run(FrameworkImport, now=now)
    return send_each(tasks.run_framework_import, to_queue, queue="bulk")
