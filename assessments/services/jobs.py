"""Grade imports whose worker died, or whose message was lost, are started
again by the sweep (accounts/jobs.py, docs/decisions/0012-exactly-once-issuing.md)."""

from datetime import datetime

from accounts.jobs import jobs_to_run
from assessments import tasks
from assessments.models import GradeImport
from config.celery import send_each


def sweep_grade_imports(*, now: datetime | None = None) -> int:
    """Queue again every import a lost message never started and every one
    whose worker died; how many."""
    # A busy bulk queue may hold their messages still: sent once it is idle
    # (what was put back to waiting stays waiting for the next sweep).
    return send_each(
        tasks.run_grade_import, jobs_to_run(GradeImport, now=now), queue="bulk"
    )
