"""Finding, from the database alone, pathway work that a lost message left
undone, and queuing it again (docs/decisions/0012-exactly-once-issuing.md).

Run by the periodic sweep beside live workers: everything queued is idempotent,
and work younger than the grace period is left to the message already sent.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.jobs import jobs_to_run
from accounts.models import RosterImport
from assessments.models import ModuleCompletion
from config.celery import send_each
from pathways import tasks
from pathways.models import Enrolment, Reevaluation


def grace() -> timedelta:
    """How long work is left to the message sent for it (and the longest a
    transaction that records a completion is expected to stay open)."""
    return timedelta(seconds=settings.CAIRN_SWEEP_GRACE_SECONDS)


def enrolments_to_evaluate(*, now: datetime | None = None):
    """Enrolments never evaluated, and those whose learner completed or lost a
    module around or after the last evaluation.

    An evaluation records the time it started; a completion committed while it
    ran may have been recorded earlier and be unseen, so anything within the grace
    period before the evaluation counts as unseen too. Each change is thus
    evaluated again at most once by the sweep.
    """
    now = now or timezone.now()
    cutoff = now - grace()
    since = OuterRef("evaluated_at") - grace()
    # By when each completion was recorded, not the date it carries: a bulk
    # award or an LMS result may be dated before the last evaluation.
    changed = ModuleCompletion.objects.filter(learner=OuterRef("learner")).filter(
        Q(recorded_at__gt=since, recorded_at__lt=cutoff)
        | Q(voided_at__gt=since, voided_at__lt=cutoff)
    )
    return Enrolment.objects.filter(
        Q(evaluated_at__isnull=True, enrolled_at__lt=cutoff)
        | Q(evaluated_at__isnull=False) & Exists(changed)
    )


def sweep_unevaluated(*, now: datetime | None = None) -> int:
    """Queue an evaluation for every learner the sweep finds; how many."""
    learners = (
        enrolments_to_evaluate(now=now)
        .order_by("learner_id")
        .values_list("learner_id", flat=True)
        .distinct()
    )
    return send_each(
        tasks.evaluate_learner_pathways, learners.iterator(), queue="default"
    )


def stale_reevaluations(*, now: datetime | None = None):
    """Re-evaluations a lost message never started, or whose worker stopped
    writing its heartbeat (it died)."""
    now = now or timezone.now()
    Status = Reevaluation.Status
    return Reevaluation.objects.filter(
        Q(status=Status.QUEUED, created_at__lt=now - grace())
        | Q(
            status=Status.RUNNING,
            heartbeat_at__lt=now - timedelta(seconds=settings.CAIRN_JOB_STALE_SECONDS),
        )
    )


def sweep_stale_reevaluations(*, now: datetime | None = None) -> int:
    """Queue each stale re-evaluation again; it resumes from its start (every
    step is idempotent) and its page says why it ran again."""
    now = now or timezone.now()
    to_queue = []
    for run in stale_reevaluations(now=now):
        if run.status == Reevaluation.Status.RUNNING:
            when = timezone.localtime(run.heartbeat_at).strftime("%H:%M")
            taken = Reevaluation.objects.filter(
                pk=run.pk, status=run.status, heartbeat_at=run.heartbeat_at
            ).update(
                status=Reevaluation.Status.QUEUED,
                note=(
                    f"The worker running it stopped after {run.processed} of "
                    f"{run.total} learners (last seen {when}); it was started "
                    "again."
                ),
            )
            if not taken:  # it moved on meanwhile: its worker is alive
                continue
        to_queue.append(run.pk)
    # A busy bulk queue may hold their messages still: sent once it is idle.
    return send_each(tasks.run_reevaluation, to_queue, queue="bulk")


def sweep_roster_imports(*, now: datetime | None = None) -> int:
    """Queue again every roster import a lost message never started and every
    one whose worker died (accounts/jobs.py); how many."""
    return send_each(
        tasks.run_roster_import, jobs_to_run(RosterImport, now=now), queue="bulk"
    )
