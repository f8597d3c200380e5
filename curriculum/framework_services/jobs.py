"""Imports from the browser: an uploaded file, imported by a task."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Organization
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
    claimed = FrameworkImport.objects.filter(
        pk=job.pk, status=FrameworkImport.Status.PENDING
    ).update(status=FrameworkImport.Status.RUNNING)
    if not claimed:
        return FrameworkImport.objects.get(pk=job.pk)
    job.refresh_from_db()

    def report(done: int, total: int) -> None:
        cache.set(progress_key(job.pk), (done, total), timeout=3600)

    try:
        with job.file.open("rb") as handle:
            raw = handle.read()
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
    except (case.CaseError, CsvError, ValidationError) as error:
        job.status = FrameworkImport.Status.FAILED
        job.error = "; ".join(getattr(error, "messages", None) or [str(error)])
    else:
        job.status = FrameworkImport.Status.DONE
        job.framework = result.framework
        job.warnings = result.warnings
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "framework", "warnings", "finished_at"])
    return job
