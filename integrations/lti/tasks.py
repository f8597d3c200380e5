"""LTI's Celery tasks: each loads by id and calls one service. A platform that
is down fails its own course's sync (integrations/lti/syncs.py) and delays no
other; a sync whose worker died is started again by the sweep, not by Celery."""

from celery import shared_task

from integrations.lti import syncs
from integrations.models import LtiContext, LtiSync


@shared_task
def run_sync(sync_id: int) -> dict:
    """Members first (a new member's results need their identity), then results."""
    sync = syncs.run_sync(sync_id)
    return {"status": sync.status, **sync.counts}


@shared_task
def sync_all_courses() -> int:
    """The periodic sync: one sync per course, so a slow platform holds no other."""
    contexts = list(LtiContext.objects.all())
    for context in contexts:
        syncs.queue_sync(context, trigger=LtiSync.Trigger.SCHEDULE)
    return len(contexts)
