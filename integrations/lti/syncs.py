"""A course sync as a recoverable job: each reading of a course's members
(NRPS) and results (AGS) is an LtiSync row, claimed by one worker, which
reads the platform (renewing the row's heartbeat each page) and then applies
what it read in one transaction that holds the row's lock (accounts/jobs.py);
no row is locked while the platform answers. A sync whose
worker died is found by the sweep (credentials/services/sweeping.py, which
integrations registers with) and started again, or failed after MAX_ATTEMPTS.
A platform that is down fails its own sync with the reason; no retry is
scheduled for it, the next launch or the schedule asks again."""

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import jobs
from config.celery import send_each
from integrations.lti import ags, nrps, tasks
from integrations.lti.services_client import PlatformUnavailable
from integrations.models import LtiContext, LtiSync

MAX_ATTEMPTS = jobs.MAX_ATTEMPTS
RECENT = 5  # syncs shown on the course page


def queue_sync(context: LtiContext, *, trigger: str) -> LtiSync:
    """A waiting sync of the course, sent to a worker after commit; the one
    already waiting, if any (a burst of launches reads the course once)."""
    if waiting := context.syncs.filter(status=LtiSync.Status.PENDING).first():
        return waiting
    try:
        with transaction.atomic():
            sync = LtiSync.objects.create(context=context, trigger=trigger)
    except IntegrityError:
        # Another request queued one first: the constraint decided.
        return context.syncs.get(status=LtiSync.Status.PENDING)
    tasks.run_sync.delay_on_commit(sync.pk)
    return sync


def _still_mine(sync: LtiSync) -> bool:
    """Whether the (locked) row is still this attempt's: a sweep that judged
    the worker dead while it read the platform put it back to waiting, and
    the attempt it queued does the work."""
    now = LtiSync.objects.values("status", "attempts").get(pk=sync.pk)
    return now == {"status": LtiSync.Status.RUNNING, "attempts": sync.attempts}


def _finish(sync: LtiSync, status: str, note: str = "") -> None:
    sync.status, sync.note, sync.finished_at = status, note, timezone.now()
    sync.save(update_fields=["status", "note", "finished_at", "counts"])


def run_sync(sync_id: int) -> LtiSync:
    """Read the course's members, then its results (a new member's results
    need their identity). A second run of the same sync does nothing."""
    if not jobs.claim(LtiSync, sync_id):
        return LtiSync.objects.get(pk=sync_id)
    sync = LtiSync.objects.select_related("context__platform__organization").get(
        pk=sync_id
    )
    sync.started_at = timezone.now()
    sync.save(update_fields=["started_at"])
    context = sync.context
    try:
        # The platform is read before the transaction opens, so no row stays
        # locked while it answers (up to a timeout a page); each page renews
        # the heartbeat, so the sweep leaves a live worker alone.
        beat = partial(jobs.beat, LtiSync, sync.pk)
        roster = nrps.read_members(context, on_page=beat)
        scores = ags.read_results(context, on_page=beat)
        with transaction.atomic():
            # Held to the end: a running sync whose row is free has lost its
            # worker. Done is written in the same transaction.
            jobs.hold(LtiSync, sync.pk)
            if not _still_mine(sync):
                return LtiSync.objects.get(pk=sync.pk)
            members = (
                nrps.apply_members(context, roster)
                if roster is not None
                else {"added": 0, "withdrawn": 0}
            )
            results = (
                ags.apply_scores(context, scores)
                if scores is not None
                else {"recorded": 0, "voided": 0}
            )
            sync.counts = {**members, **results}
            _finish(sync, LtiSync.Status.DONE, sync.note)
    except PlatformUnavailable as error:
        # Nothing of this sync was kept; the others go on.
        sync.counts = {}
        _finish(
            sync,
            LtiSync.Status.FAILED,
            f"The learning platform did not answer or refused: {error}",
        )
    except Exception:
        # The instructor reads the note: the error's text is for the worker's log.
        sync.counts = {}
        _finish(
            sync,
            LtiSync.Status.FAILED,
            "Cairn could not finish reading the course; the error was logged.",
        )
        raise
    return sync


def _take_over(pk: int, *, cutoff: datetime) -> bool:
    """Put a sync whose worker died back to waiting (True), or fail it after
    MAX_ATTEMPTS (False); False too if its worker still holds it."""
    with transaction.atomic():
        sync = (
            LtiSync.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=LtiSync.Status.RUNNING, heartbeat_at__lt=cutoff)
            .first()
        )
        if sync is None:
            return False
        when = timezone.localtime(sync.heartbeat_at).strftime("%H:%M")
        stopped = (
            f"The worker reading it (attempt {sync.attempts}, started {when}) "
            "stopped before the end; nothing of that attempt was kept"
        )
        if sync.attempts >= MAX_ATTEMPTS:
            sync.status, sync.finished_at = LtiSync.Status.FAILED, timezone.now()
            sync.note = (
                f"{stopped}. It was tried {sync.attempts} times and stopped each "
                "time, so it was not started again."
            )
            sync.save(update_fields=["status", "finished_at", "note"])
            return False
        if sync.context.syncs.filter(status=LtiSync.Status.PENDING).exists():
            # A newer sync of the course waits already: it reads the same.
            sync.status, sync.finished_at = LtiSync.Status.FAILED, timezone.now()
            sync.note = f"{stopped}; the sync waiting after it reads the course."
            sync.save(update_fields=["status", "finished_at", "note"])
            return False
        sync.status = LtiSync.Status.PENDING
        sync.note = f"{stopped} and it was started again."
        sync.save(update_fields=["status", "note"])
    return True


def syncs_to_run(*, now: datetime | None = None) -> list[int]:
    """Syncs whose worker died (put back to waiting here) and waiting syncs a
    lost message never started, older than the grace period."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.CAIRN_SWEEP_GRACE_SECONDS)
    running = LtiSync.objects.filter(
        status=LtiSync.Status.RUNNING, heartbeat_at__lt=cutoff
    ).values_list("pk", flat=True)
    to_queue = [pk for pk in running if _take_over(pk, cutoff=cutoff)]
    waiting = LtiSync.objects.filter(
        status=LtiSync.Status.PENDING, created_at__lt=cutoff
    ).exclude(pk__in=to_queue)
    return to_queue + list(waiting.values_list("pk", flat=True))


def sweep_syncs(*, now: datetime | None = None) -> int:
    """Queue again every sync a lost message or a dead worker left; how many."""
    return send_each(tasks.run_sync, syncs_to_run(now=now), queue="webhooks")


def recent_syncs(context: LtiContext) -> list[LtiSync]:
    return list(context.syncs.all()[:RECENT])
