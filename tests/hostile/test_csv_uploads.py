"""Hostile CSV uploads (a NUL character, a cell past the csv module's limit)
get a clear message at upload and nothing is kept; an import that fails in
the worker for any reason is marked failed with its reason, never left
running."""

import csv

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import services, tasks
from assessments.models import Grade, GradeImport, Submission
from curriculum.models import CompetencyFramework
from tests import builders
from tests.assessments.conftest import learners

HUGE = "x" * (csv.field_size_limit() + 10)


@pytest.fixture
def task(cast):
    return builders.make_module(cast, "T-100")


def _rows(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("{a},3,3,Great\x00work", "Line 2: the file holds a NUL character"),
        ("{a}\x00,3,3,", "Line 2: the file holds a NUL character"),
        ('{a},3,3,"' + HUGE + '"', "Line 2: a cell is longer than"),
    ],
)
def test_a_hostile_grades_csv_is_refused_at_upload(client, cast, task, row, message):
    (a,) = learners(cast, 1)
    client.force_login(cast["faculty"])
    upload = SimpleUploadedFile(
        "grades.csv",
        _rows("learner,Accuracy,Communication,comment", row.format(a=a.username)),
    )
    response = client.post(
        reverse("assessments:grades-import", args=[task.pk]), {"file": upload}
    )
    assert response.status_code == 200
    assert message in response.text
    assert not GradeImport.objects.exists()
    assert not Submission.objects.exists()


def test_a_huge_cell_in_a_competency_csv_is_refused(client, cast):
    client.force_login(cast["designer"])
    upload = SimpleUploadedFile(
        "skills.csv", _rows("code,statement", 'A,"' + HUGE + '"')
    )
    response = client.post(
        "/api/frameworks/import-csv/",
        {"organization": cast.organization.slug, "framework": "Big", "file": upload},
    )
    assert response.status_code == 400
    assert "a cell is longer than" in response.text
    assert not CompetencyFramework.objects.exists()


def test_an_import_that_fails_in_the_worker_is_marked_failed_with_its_reason(
    cast, task, django_capture_on_commit_callbacks
):
    (a,) = learners(cast, 1)
    upload = SimpleUploadedFile(
        "grades.csv", _rows("learner,Accuracy,Communication", f"{a.username},3,3")
    )
    with django_capture_on_commit_callbacks(execute=False):
        job = services.start_grade_import(task, by=cast["faculty"], upload=upload)
    job.file.storage.delete(job.file.name)  # the stored upload is lost
    with pytest.raises(FileNotFoundError):
        tasks.run_grade_import(job.pk)
    job.refresh_from_db()
    assert job.status == GradeImport.Status.FAILED
    assert job.finished_at is not None
    assert any("could not be read" in e for e in job.errors)
    assert not Grade.objects.exists()
