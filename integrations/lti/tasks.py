"""LTI's Celery tasks: each loads a course by id and calls one service. A
platform that is down fails its own course's task (retried later); the others
go on."""

from celery import shared_task

from integrations.lti import ags, nrps, writeback
from integrations.lti.services_client import PlatformUnavailable
from integrations.models import LtiContext


@shared_task(
    autoretry_for=(PlatformUnavailable,),
    retry_backoff=60,
    max_retries=3,
)
def sync_course(context_id: int) -> dict:
    """Members first (a new member's results need their identity), then results."""
    context = LtiContext.objects.select_related("platform__organization").get(
        pk=context_id
    )
    members = nrps.sync_members(context)
    results = ags.sync_results(context)
    return {**members, **results}


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
    """The periodic sync: one task per course, so a slow platform holds no other."""
    ids = list(LtiContext.objects.values_list("pk", flat=True))
    for context_id in ids:
        sync_course.delay(context_id)
    # Write-back's repair: a post lost with its message, or a member new since,
    # is posted here; only what changed is sent.
    writing = LtiContext.objects.filter(gradebook_columns__is_on=True).distinct()
    for context_id in writing.values_list("pk", flat=True):
        post_course_progress.delay(context_id)
    return len(ids)
