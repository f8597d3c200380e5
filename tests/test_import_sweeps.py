"""Grade, roster and framework imports whose worker died are taken over by the
sweep alike (accounts/jobs.py, docs/decisions/0012): started again with
a note on their page, failed after three attempts, and left alone while a live
worker holds the job's lock."""

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.utils import timezone

from accounts import jobs
from accounts.models import Organization, RosterImport
from assessments import services as assessments
from assessments.models import Grade, GradeImport
from assessments.services import jobs as assessment_jobs
from curriculum import framework_services
from curriculum.models import Competency, FrameworkImport
from pathways import roster, sweeps
from tests import builders
from tests.assessments.conftest import learners
from tests.conftest import DEAD_BROKER, broker_at

SHEET = b"""code,statement,type,parent
D,Work with data,Domain,
D.1,Build a pivot table that answers a question,Skill,D
"""
ROSTER = (
    b"email,given_name,family_name,student_number,role,cohort\n"
    b"p1@roster.example.edu,Given1,Family1,S000001,learner,Autumn\n"
)
User = get_user_model()


def make_roster_job(cast) -> RosterImport:
    plan, job = roster.check_roster_upload(
        cast.organization,
        by=cast["admin"],
        upload=SimpleUploadedFile("roster.csv", ROSTER, content_type="text/csv"),
    )
    assert not plan.problems, plan.problems
    with broker_at(DEAD_BROKER):  # queued with its message lost
        return roster.start_roster_import(job, by=cast["admin"])


def make_framework_job(cast) -> FrameworkImport:
    with broker_at(DEAD_BROKER):  # queued with its message lost
        return framework_services.start_framework_import(
            cast.organization,
            by=cast["designer"],
            upload=SimpleUploadedFile("sheet.csv", SHEET, "text/csv"),
            format="csv",
            framework_name="Data",
        )


def make_grade_job(cast) -> GradeImport:
    (a,) = learners(cast, 1)
    task = builders.make_module(cast, "T-100")
    upload = SimpleUploadedFile(
        "grades.csv", f"learner,Accuracy,Communication\n{a.username},3,3\n".encode()
    )
    with broker_at(DEAD_BROKER):  # queued with its message lost
        return assessments.start_grade_import(task, by=cast["faculty"], upload=upload)


KINDS = {
    "grade": (make_grade_job, assessment_jobs.sweep_grade_imports, "faculty"),
    "roster": (make_roster_job, sweeps.sweep_roster_imports, "admin"),
    "framework": (
        make_framework_job,
        framework_services.jobs.sweep_framework_imports,
        "designer",
    ),
}


def died(job, *, attempts: int) -> None:
    """What a worker killed mid-import leaves: the claim committed, the
    import's transaction rolled back."""
    long_ago = timezone.now() - timedelta(minutes=5)
    type(job).objects.filter(pk=job.pk).update(
        status=job.Status.RUNNING, heartbeat_at=long_ago, attempts=attempts
    )


def imported(kind: str) -> bool:
    if kind == "grade":
        return Grade.objects.count() == 1
    if kind == "roster":
        return User.objects.filter(email="p1@roster.example.edu").exists()
    return Competency.objects.count() == 2


@pytest.mark.parametrize("kind", KINDS)
def test_a_waiting_import_whose_message_was_lost_is_run(cast, kind):
    make, sweep, _ = KINDS[kind]
    job = make(cast)
    assert job.status == "pending"
    # Sent "long ago", past the grace period.
    long_ago = timezone.now() - timedelta(minutes=5)
    type(job).objects.filter(pk=job.pk).update(created_at=long_ago)
    assert sweep() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.note) == ("done", 1, "")
    assert imported(kind)


@pytest.mark.parametrize("kind", KINDS)
def test_an_import_whose_worker_died_is_taken_over_and_says_so(client, cast, kind):
    make, sweep, role = KINDS[kind]
    job = make(cast)
    died(job, attempts=1)
    assert sweep() == 1

    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    assert "stopped before the end" in job.note
    assert "started again" in job.note
    assert imported(kind)
    client.force_login(cast[role])
    page = client.get(job.get_absolute_url())
    assert "stopped before the end" in page.text
    assert sweep() == 0  # done: never run twice


@pytest.mark.parametrize("kind", KINDS)
def test_an_import_that_died_three_times_is_failed_with_a_note(client, cast, kind):
    make, sweep, role = KINDS[kind]
    job = make(cast)
    died(job, attempts=jobs.MAX_ATTEMPTS)
    assert sweep() == 0

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.finished_at is not None
    assert "tried 3 times" in job.note
    assert not imported(kind)
    client.force_login(cast[role])
    page = client.get(job.get_absolute_url())
    assert "Nothing was imported" in page.text
    assert "tried 3 times" in page.text
    assert sweep() == 0


@pytest.mark.parametrize("kind", KINDS)
def test_a_young_running_import_is_left_to_its_worker(cast, kind, settings):
    settings.CAIRN_SWEEP_GRACE_SECONDS = 120
    make, sweep, _ = KINDS[kind]
    job = make(cast)
    type(job).objects.filter(pk=job.pk).update(
        status=job.Status.RUNNING, heartbeat_at=timezone.now(), attempts=1
    )
    assert sweep() == 0
    job.refresh_from_db()
    assert (job.status, job.note) == ("running", "")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", KINDS)
def test_an_import_still_running_in_a_live_worker_is_left_alone(kind):
    cast = builders.make_cast()
    make, sweep, _ = KINDS[kind]
    job = make(cast)
    died(job, attempts=1)
    locked, release = threading.Event(), threading.Event()

    def live_worker() -> None:
        # A long import holds its row's lock for its whole transaction.
        try:
            with transaction.atomic():
                jobs.hold(type(job), job.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=live_worker)
    thread.start()
    try:
        assert locked.wait(timeout=30)
        assert sweep() == 0
    finally:
        release.set()
        thread.join(timeout=30)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.note) == ("running", 1, "")
    assert not imported(kind)


def row_is_locked(job) -> bool:
    with transaction.atomic():
        free = type(job).objects.select_for_update(skip_locked=True).filter(pk=job.pk)
        return not free.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["roster", "framework"])
def test_a_real_import_holds_its_job_lock_until_it_is_done(kind):
    """Not a stand-in lock: the import itself holds the job's row while it
    runs, so the sweep leaves a slow import alone."""
    cast = builders.make_cast()
    make, sweep, _ = KINDS[kind]
    job = make(cast)
    run = {
        "roster": lambda: roster.run_roster_import(RosterImport.objects.get(pk=job.pk)),
        "framework": lambda: framework_services.run_framework_import(
            FrameworkImport.objects.get(pk=job.pk)
        ),
    }[kind]
    blocked, release = threading.Event(), threading.Event()

    def slow_down() -> None:
        # Whatever the import writes for the organization waits for this.
        try:
            with transaction.atomic():
                Organization.objects.select_for_update().filter(
                    pk=cast.organization.pk
                ).exists()
                blocked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    def worker() -> None:
        try:
            run()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=slow_down), threading.Thread(target=worker)]
    threads[0].start()
    try:
        assert blocked.wait(timeout=30)
        threads[1].start()
        deadline = time.monotonic() + 20
        while not (
            type(job).objects.filter(pk=job.pk, status="running").exists()
            and row_is_locked(job)
        ):
            assert time.monotonic() < deadline, "the import never held its row"
            time.sleep(0.05)
        assert sweep() == 0
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=30)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.note) == ("done", 1, "")
    assert imported(kind)
