"""LTI's Celery tasks: each loads by id and calls one service. A platform that
is down fails its own course's sync (integrations/lti/syncs.py) and delays no
other; a sync whose worker died is started again by the sweep, not by Celery."""

from celery import shared_task

from integrations.lti import syncs, writeback
from integrations.lti.services_client import PlatformUnavailable
from integrations.models import LtiContext, LtiSync


@shared_task
def run_sync(sync_id: int) -> dict:
    """Members first (a new member's results need their identity), then results."""
    sync = syncs.run_sync(sync_id)
    return {"status": sync.status, **sync.counts}


@shared_task(
    autoretry_for=(PlatformUnavailable,),
    retry_backoff=60,
    max_retries=3,
)
def post_course_progress(context_id: int) -> int:
    """Post the course's changed pathway progress scores; a re-run posts none."""
    context = LtiContext.objects.select_related("platform__organization").get(
        pk=context_id
    )
    return writeback.post_progress(context)


@shared_task
def sync_all_courses() -> int:
    """The periodic sync: one sync per course, so a slow platform holds no other."""
    contexts = list(LtiContext.objects.all())
    for context in contexts:
        syncs.queue_sync(context, trigger=LtiSync.Trigger.SCHEDULE)
    # Write-back's repair: a post lost with its message, or a member new since,
    # is posted here; only what changed is sent. Sent after the syncs (both on
    # commit, in order), so a worker tends to read a course before posting to it.
    writing = LtiContext.objects.filter(gradebook_columns__is_on=True).distinct()
    for context_id in writing.values_list("pk", flat=True):
        post_course_progress.delay_on_commit(context_id)
    return len(contexts)
