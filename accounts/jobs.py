"""Bulk import jobs (grades, rosters, competency frameworks) that a lost
message never started, or whose worker died, are run again by the sweep
(docs/decisions/0012-exactly-once-issuing.md).

A job model has `status` (PENDING, RUNNING, DONE, FAILED), `created_at`,
`finished_at`, `heartbeat_at`, `attempts` and `note`. Its import claims it
(`claim`), then runs in one transaction that holds the job row's lock to the
end (`hold`) and marks it done in that same transaction. So a running job
whose row nobody locks belongs to a worker that died, and its transaction was
rolled back: nothing of that attempt was kept. The sweep puts it back to
waiting and queues it again, or, after MAX_ATTEMPTS, marks it failed: an
import that kills its worker each time is not tried for ever."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

MAX_ATTEMPTS = 3


def claim(model: type[models.Model], pk: int) -> bool:
    """Mark a waiting job running (one worker wins); False if it was not
    waiting (done, failed or running elsewhere)."""
    return bool(
        model.objects.filter(pk=pk, status=model.Status.PENDING).update(
            status=model.Status.RUNNING,
            heartbeat_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )


def beat(model: type[models.Model], pk: int) -> None:
    """Renew a running job's heartbeat: for work done before its transaction
    opens (reading another system), the sign, for the sweep, that its worker
    is alive."""
    model.objects.filter(pk=pk, status=model.Status.RUNNING).update(
        heartbeat_at=timezone.now()
    )


def hold(model: type[models.Model], pk: int) -> None:
    """Lock the job's row until the surrounding transaction ends: the sign,
    for the sweep, that its worker is alive."""
    model.objects.select_for_update().filter(pk=pk).exists()


def _take_over(model, pk: int, *, cutoff: datetime) -> bool:
    """Put a running job whose worker is gone back to waiting (True), or fail
    it after MAX_ATTEMPTS (False); False too if it is still running."""
    Status = model.Status
    with transaction.atomic():
        job = (
            model.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=Status.RUNNING, heartbeat_at__lt=cutoff)
            .first()
        )
        if job is None:
            return False  # still importing, or finished meanwhile
        when = timezone.localtime(job.heartbeat_at).strftime("%H:%M")
        stopped = (
            f"The worker importing it (attempt {job.attempts}, started {when}) "
            "stopped before the end; nothing of that attempt was kept"
        )
        if job.attempts >= MAX_ATTEMPTS:
            job.status = Status.FAILED
            job.finished_at = timezone.now()
            job.note = (
                f"{stopped}. It was tried {job.attempts} times and stopped each "
                "time, so it was not started again; nothing was imported. "
                "Upload the file again, or in smaller parts."
            )
            job.save(update_fields=["status", "finished_at", "note"])
            return False
        job.status = Status.PENDING
        job.note = f"{stopped} and the import was started again."
        job.save(update_fields=["status", "note"])
    return True


def jobs_to_run(model: type[models.Model], *, now: datetime | None = None) -> list:
    """The ids of jobs to queue again: each running one whose worker died (put
    back to waiting here) and each waiting one a lost message never started,
    older than the grace period."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.CAIRN_SWEEP_GRACE_SECONDS)
    Status = model.Status
    running = model.objects.filter(status=Status.RUNNING, heartbeat_at__lt=cutoff)
    waiting = model.objects.filter(status=Status.PENDING, created_at__lt=cutoff)
    ids: Iterable[int] = running.values_list("pk", flat=True)
    to_queue = [pk for pk in ids if _take_over(model, pk, cutoff=cutoff)]
    to_queue += waiting.exclude(pk__in=to_queue).values_list("pk", flat=True)
    return to_queue
