"""Grade imports whose worker died, or whose message was lost, are started
again by the sweep (docs/decisions/0012-exactly-once-issuing.md)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assessments import tasks
from assessments.models import GradeImport
from config.celery import send_each

Status = GradeImport.Status


def _grace() -> timedelta:
    return timedelta(seconds=settings.CAIRN_SWEEP_GRACE_SECONDS)


def _take_over(job_id: int, *, cutoff: datetime) -> bool:
    """Put a running import whose worker is gone back to waiting. The import
    holds its row's lock for its whole transaction: a row nobody locks belongs
    to a worker that died, and its transaction was rolled back."""
    with transaction.atomic():
        job = (
            GradeImport.objects.select_for_update(skip_locked=True)
            .filter(pk=job_id, status=Status.RUNNING, heartbeat_at__lt=cutoff)
            .first()
        )
        if job is None:
            return False  # still importing, or finished meanwhile
        when = timezone.localtime(job.heartbeat_at).strftime("%H:%M")
        job.status = Status.PENDING
        job.note = (
            f"The worker importing it (attempt {job.attempts}, started {when}) "
            "stopped before the end; nothing of that attempt was kept and the "
            "import was started again."
        )
        job.save(update_fields=["status", "note"])
    return True


def sweep_grade_imports(*, now: datetime | None = None) -> int:
    """Queue again every import a lost message never started and every one
    whose worker died; how many."""
    now = now or timezone.now()
    cutoff = now - _grace()
    running = GradeImport.objects.filter(status=Status.RUNNING, heartbeat_at__lt=cutoff)
    waiting = GradeImport.objects.filter(status=Status.PENDING, created_at__lt=cutoff)
    to_queue = [
        pk
        for pk in running.values_list("pk", flat=True)
        if _take_over(pk, cutoff=cutoff)
    ]
    to_queue += waiting.exclude(pk__in=to_queue).values_list("pk", flat=True)
    # A busy bulk queue may hold their messages still: sent once it is idle
    # (what was put back to waiting stays waiting for the next sweep).
    return send_each(tasks.run_grade_import, to_queue, queue="bulk")
