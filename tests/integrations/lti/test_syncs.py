"""Each reading of a course is an LtiSync: queued, claimed by a worker, done or
failed with its reason; the sweep takes over a sync whose worker died and
gives up after three attempts; the course page shows the latest five."""

from datetime import timedelta

import pytest
from django.utils import timezone

from credentials import services as credential_services
from integrations.lti import registration, syncs, tasks
from integrations.models import LtiContext, LtiMember, LtiSync
from tests.integrations.lti.conftest import launch, teach
from tests.integrations.lti.platform import INSTRUCTOR, Platform


@pytest.fixture
def course(cast, client, platform, django_capture_on_commit_callbacks):
    platform.add_member("student-1", name="Sam Ray", email="sam@example.edu")
    return teach(client, platform, django_capture_on_commit_callbacks)


def _died(sync: LtiSync, *, attempts: int) -> None:
    """A worker claimed the sync and was killed: running, its row unlocked."""
    long_ago = timezone.now() - timedelta(minutes=10)
    LtiSync.objects.filter(pk=sync.pk).update(
        status=LtiSync.Status.RUNNING,
        attempts=attempts,
        heartbeat_at=long_ago,
        started_at=long_ago,
        created_at=long_ago,
    )


def test_a_launch_queues_a_sync_that_a_worker_runs(course):
    sync = LtiSync.objects.get(context=course)
    assert sync.trigger == LtiSync.Trigger.LAUNCH
    assert (sync.status, sync.attempts) == (LtiSync.Status.DONE, 1)
    assert sync.started_at <= sync.finished_at
    assert sync.counts == {"added": 1, "withdrawn": 0, "recorded": 0, "voided": 0}
    assert LtiMember.objects.filter(context=course).count() == 2


def test_launches_in_a_burst_share_the_waiting_sync(course):
    first = syncs.queue_sync(course, trigger=LtiSync.Trigger.LAUNCH)
    second = syncs.queue_sync(course, trigger=LtiSync.Trigger.LAUNCH)
    assert first == second
    assert course.syncs.filter(status=LtiSync.Status.PENDING).count() == 1


def test_a_sync_run_twice_reads_once(course):
    sync = syncs.queue_sync(course, trigger=LtiSync.Trigger.INSTRUCTOR)
    syncs.run_sync(sync.pk)
    again = syncs.run_sync(sync.pk)
    assert (again.status, again.attempts) == (LtiSync.Status.DONE, 1)


def test_a_platform_that_is_down_fails_its_sync_and_delays_no_other(
    cast, client, platform, course, django_capture_on_commit_callbacks
):
    other = Platform(client_id="other-tool")
    try:
        registration.register_platform(
            cast.organization,
            by=cast["admin"],
            **{**other.tool_fields(), "name": "Other LMS"},
        )
        base = "http://testserver/integrations/lti/" + cast.organization.slug
        other.register_tool(
            login_url=base + "/login/",
            launch_url=base + "/launch/",
            tool_jwks=client.get(
                f"/integrations/lti/{cast.organization.slug}/jwks/"
            ).json(),
        )
        other.add_member(
            "teacher-9", name="Bo Kim", email="bo@example.edu", roles=(INSTRUCTOR,)
        )
        with django_capture_on_commit_callbacks(execute=True):
            launch(client, other, "teacher-9", roles=(INSTRUCTOR,))
        elsewhere = LtiContext.objects.exclude(pk=course.pk).get()
        other.add_member("student-9", name="Al Fox", email="al@example.edu")

        platform.stop()
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.sync_all_courses() == 2
    finally:
        other.stop()
    failed = course.syncs.first()
    assert failed.trigger == LtiSync.Trigger.SCHEDULE
    assert failed.status == LtiSync.Status.FAILED
    assert failed.note.startswith("The learning platform did not answer")
    assert failed.finished_at is not None
    done = elsewhere.syncs.first()
    assert (done.status, done.counts["added"]) == (LtiSync.Status.DONE, 1)

    client.force_login(cast["admin"])
    page = client.get(f"/integrations/lti/courses/{course.pk}/").content.decode()
    assert "Failed" in page
    assert "The learning platform did not answer" in page
    assert "The regular schedule" in page


def test_no_transaction_is_open_while_the_platform_answers(course, platform):
    """The roster is read before the sync's transaction opens: a platform slow
    to answer keeps no row locked (its page renews the heartbeat instead)."""
    from django.db import connections

    worker = connections["default"]  # this thread's, not the platform's
    depth = len(worker.atomic_blocks)  # the test's own
    seen = []
    platform.on_service_request = lambda path: seen.append(
        len(worker.atomic_blocks) - depth
    )
    sync = syncs.queue_sync(course, trigger=LtiSync.Trigger.INSTRUCTOR)
    claimed_at = timezone.now()
    assert syncs.run_sync(sync.pk).status == LtiSync.Status.DONE
    assert seen == [0]
    sync.refresh_from_db()
    assert sync.heartbeat_at >= claimed_at
    assert LtiMember.objects.filter(context=course).count() == 2


def test_a_sync_taken_over_while_reading_leaves_the_work_to_its_next_attempt(
    course, platform
):
    """The sweep judged the worker dead while it read the platform and queued
    the sync again: the late worker writes nothing, the next attempt does."""
    from django.db import connections

    sync = syncs.queue_sync(course, trigger=LtiSync.Trigger.INSTRUCTOR)
    # The sweep's update, made on the test's connection (its rows are not
    # committed) from the platform's thread while the worker waits for it.
    worker = connections["default"]

    def taken_over(path):
        with worker.cursor() as cursor:
            cursor.execute(
                f"UPDATE {LtiSync._meta.db_table} SET status = %s WHERE id = %s",
                [LtiSync.Status.PENDING, sync.pk],
            )

    platform.add_member("student-2", name="Kim Oh", email="kim@example.edu")
    platform.on_service_request = taken_over
    worker.inc_thread_sharing()
    try:
        late = syncs.run_sync(sync.pk)
    finally:
        worker.dec_thread_sharing()
    assert late.status == LtiSync.Status.PENDING
    assert not LtiMember.objects.filter(identity__subject="student-2").exists()
    platform.on_service_request = None
    assert syncs.run_sync(sync.pk).status == LtiSync.Status.DONE
    assert LtiMember.objects.filter(identity__subject="student-2").exists()


def test_the_sync_task_leaves_retries_to_the_sweep():
    assert not getattr(tasks.run_sync, "autoretry_for", ())


def test_the_sweep_takes_over_a_sync_whose_worker_died(course):
    sync = syncs.queue_sync(course, trigger=LtiSync.Trigger.INSTRUCTOR)
    _died(sync, attempts=1)
    assert credential_services.sweep()["LMS syncs"] == 1
    sync.refresh_from_db()
    assert (sync.status, sync.attempts) == (LtiSync.Status.DONE, 2)
    assert "stopped before the end" in sync.note
    assert "started again" in sync.note
    assert credential_services.sweep()["LMS syncs"] == 0  # done: never twice


def test_the_sweep_runs_a_waiting_sync_whose_message_was_lost(course):
    sync = syncs.queue_sync(course, trigger=LtiSync.Trigger.INSTRUCTOR)
    long_ago = timezone.now() - timedelta(minutes=10)
    LtiSync.objects.filter(pk=sync.pk).update(created_at=long_ago)
    assert credential_services.sweep()["LMS syncs"] == 1
    sync.refresh_from_db()
    assert (sync.status, sync.attempts) == (LtiSync.Status.DONE, 1)


def test_a_sync_whose_worker_died_three_times_is_failed(client, cast, course):
    sync = syncs.queue_sync(course, trigger=LtiSync.Trigger.INSTRUCTOR)
    _died(sync, attempts=syncs.MAX_ATTEMPTS)
    assert credential_services.sweep()["LMS syncs"] == 0
    sync.refresh_from_db()
    assert sync.status == LtiSync.Status.FAILED
    assert sync.finished_at is not None
    assert "tried 3 times" in sync.note
    client.force_login(cast["admin"])
    page = client.get(f"/integrations/lti/courses/{course.pk}/").content.decode()
    assert "tried 3 times" in page


def test_the_course_page_shows_the_last_five_syncs_in_plain_words(cast, client, course):
    for _ in range(6):
        sync = syncs.queue_sync(course, trigger=LtiSync.Trigger.INSTRUCTOR)
        syncs.run_sync(sync.pk)
    client.force_login(cast["admin"])
    page = client.get(f"/integrations/lti/courses/{course.pk}/")
    shown = page.context["syncs"]
    assert len(shown) == 5
    assert shown == list(course.syncs.order_by("-created_at", "-pk")[:5])
    text = page.content.decode()
    assert text.count("An instructor asked for it") == 5
    assert "Someone opened Cairn from the course" not in text  # the sixth-oldest
    assert "members added" in text
