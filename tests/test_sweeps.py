"""The sweeps find, from the database alone, every step of grade → completion →
evaluation → pathway completion → award → PDF that a lost message or a dead
worker left undone, finish it once, and leave young work to its message."""

import threading
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessments
from assessments.models import Grade, GradeImport, ModuleCompletion
from assessments.services import jobs
from credentials import services as credentials
from credentials.models import Award
from pathways import services as pathways
from pathways import sweeps
from pathways.models import Enrolment, PathwayCompletion, Reevaluation
from tests import builders
from tests.assessments.conftest import learners


@pytest.fixture
def one_module_pathway(cast, django_capture_on_commit_callbacks):
    built = builders.make_pathway(cast, codes=("A-101",))
    with django_capture_on_commit_callbacks(execute=True):
        pathways.enrol(cast["learner"], built.version)
    return built


def test_a_lost_evaluation_is_recreated_and_the_pathway_award_issued(
    cast, one_module_pathway
):
    # Graded with its on-commit messages lost (never sent): the completion
    # stands, nothing above it happened.
    builders.submit_and_pass(
        one_module_pathway.tasks[0], cast["learner"], cast["faculty"]
    )
    assert ModuleCompletion.objects.count() == 1
    assert not PathwayCompletion.objects.exists()

    call_command("sweep")

    completion = PathwayCompletion.objects.get()
    assert completion.learner == cast["learner"]
    awards = Award.objects.order_by("kind")
    assert [a.kind for a in awards] == ["module", "pathway"]
    assert all(a.notified_at for a in awards)
    # Nothing is left: a second sweep queues nothing and issues nothing more.
    assert sweeps.sweep_unevaluated() == 0
    assert credentials.sweep_unissued() == 0
    assert Award.objects.count() == 2


def test_the_sweep_leaves_work_younger_than_the_grace_period_to_its_message(
    cast, one_module_pathway, settings
):
    settings.CAIRN_SWEEP_GRACE_SECONDS = 120
    builders.submit_and_pass(
        one_module_pathway.tasks[0], cast["learner"], cast["faculty"]
    )
    assert sweeps.sweep_unevaluated() == 0
    assert credentials.sweep_unissued() == 0
    assert not Award.objects.exists()

    later = timezone.now() + timedelta(minutes=3)
    assert sweeps.sweep_unevaluated(now=later) == 1
    assert credentials.sweep_unissued(now=later) == 2  # module and pathway
    assert Award.objects.count() == 2


def test_an_evaluation_that_may_have_missed_a_completion_is_run_again_once(
    cast, one_module_pathway, settings
):
    """A completion committed while an evaluation ran can carry an earlier time
    than the evaluation's: anything within the grace period before it counts
    as unseen, and is evaluated again, once."""
    settings.CAIRN_SWEEP_GRACE_SECONDS = 60
    builders.submit_and_pass(
        one_module_pathway.tasks[0], cast["learner"], cast["faculty"]
    )
    five_minutes_ago = timezone.now() - timedelta(minutes=5)
    ModuleCompletion.objects.update(
        completed_at=five_minutes_ago, recorded_at=five_minutes_ago
    )
    # The evaluation "started" 10 s after the completion's time but did not see it.
    Enrolment.objects.update(evaluated_at=five_minutes_ago + timedelta(seconds=10))
    assert sweeps.sweep_unevaluated() == 1
    assert PathwayCompletion.objects.count() == 1
    assert sweeps.sweep_unevaluated() == 0
    # Evaluated well after the grace period, it is not evaluated again.
    Enrolment.objects.update(evaluated_at=five_minutes_ago + timedelta(seconds=61))
    assert sweeps.sweep_unevaluated() == 0


def test_a_back_dated_completion_whose_evaluation_was_lost_is_found(
    cast, one_module_pathway, settings
):
    """A completion dated last month (a bulk award, an LMS result) recorded
    after the learner's last evaluation: the sweep goes by when it was
    recorded, not by the date it carries."""
    settings.CAIRN_SWEEP_GRACE_SECONDS = 60
    Enrolment.objects.update(evaluated_at=timezone.now() - timedelta(minutes=10))
    last_month = timezone.now() - timedelta(days=30)
    assessments.record_completion(
        cast["learner"],
        one_module_pathway.tasks[0].version,
        source=ModuleCompletion.Source.AWARDED,
        on=last_month,
    )  # its evaluation message is lost: on-commit callbacks never run here
    ModuleCompletion.objects.update(recorded_at=timezone.now() - timedelta(minutes=2))
    assert sweeps.sweep_unevaluated() == 1
    assert PathwayCompletion.objects.count() == 1


def test_a_lost_void_is_found_and_the_pathway_completion_voided(
    cast, one_module_pathway, django_capture_on_commit_callbacks
):
    task = one_module_pathway.tasks[0]
    with django_capture_on_commit_callbacks(execute=True):
        submission = builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    pathway_completion = PathwayCompletion.objects.get()
    # The appeal fails the grade; its messages are lost.
    assessments.change_grade(
        Grade.objects.get(submission=submission),
        by=cast["admin"],
        levels=builders.levels_for(task, 0),
        reason="Plagiarism found.",
    )
    assert ModuleCompletion.objects.get().voided_at is not None
    pathway_completion.refresh_from_db()
    assert pathway_completion.voided_at is None

    call_command("sweep")

    pathway_completion.refresh_from_db()
    assert pathway_completion.voided_at is not None


def run_sweep_in_process() -> int:
    return jobs.sweep_grade_imports()


@pytest.fixture
def grade_import(cast):
    (a,) = learners(cast, 1)
    task = builders.make_module(cast, "T-100")
    upload = SimpleUploadedFile(
        "grades.csv", f"learner,Accuracy,Communication\n{a.username},3,3\n".encode()
    )
    # Queued with its message lost.
    return assessments.start_grade_import(task, by=cast["faculty"], upload=upload)


def test_a_waiting_grade_import_whose_message_was_lost_is_run(grade_import):
    assert grade_import.status == GradeImport.Status.PENDING
    assert run_sweep_in_process() == 1
    grade_import.refresh_from_db()
    assert (grade_import.status, grade_import.imported) == ("done", 1)
    assert grade_import.attempts == 1


def test_a_grade_import_whose_worker_died_is_taken_over_and_says_so(
    client, cast, grade_import
):
    # What a worker killed mid-import leaves: the claim committed, the import's
    # transaction rolled back.
    long_ago = timezone.now() - timedelta(minutes=5)
    GradeImport.objects.filter(pk=grade_import.pk).update(
        status=GradeImport.Status.RUNNING, heartbeat_at=long_ago, attempts=1
    )
    assert run_sweep_in_process() == 1

    grade_import.refresh_from_db()
    assert (grade_import.status, grade_import.imported) == ("done", 1)
    assert grade_import.attempts == 2
    assert "stopped before the end" in grade_import.note
    assert Grade.objects.count() == 1
    client.force_login(cast["faculty"])
    page = client.get(grade_import.get_absolute_url())
    assert "stopped before the end" in page.text
    assert "1 grade imported." in page.text


@pytest.mark.django_db(transaction=True)
def test_a_grade_import_still_running_in_a_live_worker_is_left_alone():
    cast = builders.make_cast()
    (a,) = learners(cast, 1)
    task = builders.make_module(cast, "T-100")
    upload = SimpleUploadedFile(
        "grades.csv", f"learner,Accuracy,Communication\n{a.username},3,3\n".encode()
    )
    from tests.conftest import DEAD_BROKER, broker_at

    with broker_at(DEAD_BROKER):
        job = assessments.start_grade_import(task, by=cast["faculty"], upload=upload)
    long_ago = timezone.now() - timedelta(minutes=5)
    GradeImport.objects.filter(pk=job.pk).update(
        status=GradeImport.Status.RUNNING, heartbeat_at=long_ago, attempts=1
    )
    locked, release = threading.Event(), threading.Event()

    def live_worker() -> None:
        # A long import holds its row's lock for its whole transaction.
        try:
            with transaction.atomic():
                GradeImport.objects.select_for_update().filter(pk=job.pk).exists()
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=live_worker)
    thread.start()
    try:
        assert locked.wait(timeout=30)
        assert run_sweep_in_process() == 0
    finally:
        release.set()
        thread.join(timeout=30)
    job.refresh_from_db()
    assert (job.status, job.note) == ("running", "")


def test_a_reevaluation_whose_worker_died_is_resumed_and_says_so(
    client, cast, one_module_pathway, django_capture_on_commit_callbacks
):
    builders.submit_and_pass(
        one_module_pathway.tasks[0], cast["learner"], cast["faculty"]
    )
    run = pathways.start_reevaluation(
        one_module_pathway.version, by=cast["admin"], reason="New rule"
    )
    long_ago = timezone.now() - timedelta(minutes=10)
    Reevaluation.objects.filter(pk=run.pk).update(
        status=Reevaluation.Status.RUNNING, heartbeat_at=long_ago, attempts=1
    )

    assert sweeps.sweep_stale_reevaluations() == 1

    run.refresh_from_db()
    assert (run.status, run.processed, run.recorded) == ("done", 1, 1)
    assert run.attempts == 2
    assert "stopped after 0 of 1 learners" in run.note
    client.force_login(cast["admin"])
    page = client.get(reverse("pathways:reevaluation", args=[run.pk]))
    assert "started again" in page.text
    # A running job that still beats is left alone.
    Reevaluation.objects.filter(pk=run.pk).update(
        status=Reevaluation.Status.RUNNING, heartbeat_at=timezone.now()
    )
    assert sweeps.sweep_stale_reevaluations() == 0


def test_a_pdf_left_by_a_worker_that_died_is_replaced_not_duplicated(
    cast, one_module_pathway, settings
):
    builders.submit_and_pass(
        one_module_pathway.tasks[0], cast["learner"], cast["faculty"]
    )
    award = credentials.issue_module_award(ModuleCompletion.objects.get())
    assert not award.pdf
    # A first request wrote the file, then died before its transaction
    # committed; the next request renders it again.
    folder = settings.MEDIA_ROOT / "certificates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{award.uuid}.pdf").write_bytes(b"half a PDF")

    call_command("sweep")  # renders nothing: certificates wait to be asked for
    assert not Award.objects.get(pk=award.pk).pdf
    credentials.certificate_for_download(award)

    award.refresh_from_db()
    assert award.pdf.name == f"certificates/{award.uuid}.pdf"
    assert [p.name for p in folder.iterdir() if str(award.uuid) in p.name] == [
        f"{award.uuid}.pdf"
    ]
    assert award.pdf.read().startswith(b"%PDF")
