"""A bulk award whose worker died is taken over by the sweep like the other
bulk jobs (accounts/jobs.py): run again with a note on its page, failed after
three attempts, left alone while a live worker holds it."""

import threading
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone

from accounts import jobs
from credentials import services
from credentials.models import Award, BulkAward, DirectAward
from credentials.services import bulk_awards
from tests import builders
from tests.conftest import DEAD_BROKER, broker_at
from tests.credentials.bulk.conftest import HEADER, check
from tests.test_import_sweeps import died


def make_job(cast) -> BulkAward:
    builders.make_module(cast, "XL-200")
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    text = HEADER + "".join(
        f"{cast[who].email},,XL-200,{day},Clinic,,\n"
        for who in ("learner", "other_learner")
    )
    plan, job = check(cast, text)
    assert not plan.problems, plan.problems
    with broker_at(DEAD_BROKER):  # queued with its message lost
        return bulk_awards.start_bulk_award(job, by=cast["admin"])


def test_the_sweep_runs_bulk_awards_with_the_other_jobs(cast):
    job = make_job(cast)
    BulkAward.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    assert services.sweep()["bulk awards"] == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.note) == ("done", 1, "")
    assert DirectAward.objects.count() == 2


def test_a_bulk_award_whose_worker_died_is_taken_over_and_says_so(
    client, cast, django_capture_on_commit_callbacks
):
    job = make_job(cast)
    died(job, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert bulk_awards.sweep_bulk_awards() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    assert "stopped before the end" in job.note
    assert DirectAward.objects.count() == 2
    assert Award.objects.count() == 2  # issued once each, by the pipeline
    client.force_login(cast["admin"])
    page = client.get(job.get_absolute_url())
    assert "stopped before the end" in page.text
    assert "started again" in page.text
    assert bulk_awards.sweep_bulk_awards() == 0


def test_a_bulk_award_that_died_three_times_is_failed_with_its_reason(client, cast):
    job = make_job(cast)
    died(job, attempts=jobs.MAX_ATTEMPTS)
    assert bulk_awards.sweep_bulk_awards() == 0
    job.refresh_from_db()
    assert job.status == "failed"
    assert "tried 3 times" in job.note
    assert not DirectAward.objects.exists()
    client.force_login(cast["admin"])
    page = client.get(job.get_absolute_url())
    assert "tried 3 times" in page.text
    assert "Nothing was awarded" in page.text


@pytest.mark.django_db(transaction=True)
def test_a_bulk_award_held_by_a_live_worker_is_left_alone():
    cast = builders.make_cast()
    job = make_job(cast)
    died(job, attempts=1)
    locked, release = threading.Event(), threading.Event()

    def live_worker() -> None:
        try:
            with transaction.atomic():
                jobs.hold(BulkAward, job.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=live_worker)
    thread.start()
    try:
        assert locked.wait(timeout=30)
        assert bulk_awards.sweep_bulk_awards() == 0
    finally:
        release.set()
        thread.join(timeout=30)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.note) == ("running", 1, "")
