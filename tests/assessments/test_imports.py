"""CSV grade import: every row checked first; one bad row imports nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import services
from assessments.models import Grade, GradeImport, ModuleCompletion, Submission
from tests import builders
from tests.assessments.conftest import learners


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def test_grades_are_imported_and_passes_record_completions(cast, task):
    a, b = learners(cast, 2)
    data = csv_bytes(
        "learner,Accuracy,Communication,comment",
        f"{a.username},Competent,Exemplary,From the old LMS",
        f"{b.email},1,2,",  # by e-mail, levels by number (1 = lowest)
    )
    imported = services.import_grades(
        task, by=cast["faculty"], data=data, filename="t.csv"
    )
    assert len(imported) == 2
    first, second = (Grade.objects.get(submission__learner=p) for p in (a, b))
    assert (first.total, first.passed, first.comment) == (5, True, "From the old LMS")
    assert (second.total, second.passed) == (1, False)
    assert ModuleCompletion.objects.live().filter(learner=a).exists()
    assert not ModuleCompletion.objects.filter(learner=b).exists()
    assert Submission.objects.get(learner=a).text == "Grade imported from t.csv."


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["learner,Accuracy", "x,1"],
         "Line 1, column “Communication”: the header has no column"),
        (["name,Accuracy,Communication"], "Line 1, column “learner”"),
        (["learner,Accuracy,Communication,Extra"],
         "Line 1, column “Extra”: not a criterion"),
        (["learner,Accuracy,Communication", "{a},Competent,Great"],
         "Line 2, column “Communication”: “Great” is not a level"),
        (["learner,Accuracy,Communication", "{a},2,2", "nobody,2,2"],
         "Line 3, column “learner”: no user “nobody”"),
        (["learner,Accuracy,Communication", "{a},2,2", "{a},3,3"],
         "Line 3, column “learner”: {a} is also on line 2"),
        (["learner,Accuracy,Communication", "{a},2,2", "{stranger},2,2"],
         "Line 3, column “learner”: {stranger} is not a learner here"),
        (["learner,Accuracy,Communication", "{a},2"],
         "Line 2: 2 cells where the header has 3"),
        (["learner,Accuracy,Communication", "{a},0,2"], "Line 2, column “Accuracy”"),
        (["learner,Accuracy,Communication"], "no grades"),
    ],
)  # fmt: skip
def test_a_bad_row_names_its_line_and_column_and_nothing_is_imported(
    cast, task, lines, message
):
    (a,) = learners(cast, 1)
    names = {"a": a.username, "stranger": cast["stranger"].username}
    data = csv_bytes(*(line.format(**names) for line in lines))
    with pytest.raises(ValidationError) as raised:
        services.import_grades(task, by=cast["faculty"], data=data)
    assert any(message.format(**names) in m for m in raised.value.messages)
    assert not Submission.objects.exists()
    assert not Grade.objects.exists()


def test_a_learner_waiting_for_a_grade_is_not_imported_over(cast, task):
    builders.submit(task, cast["learner"])
    data = csv_bytes(
        "learner,Accuracy,Communication", f"{cast['learner'].username},3,3"
    )
    with pytest.raises(ValidationError, match="Line 2.*still waiting"):
        services.import_grades(task, by=cast["faculty"], data=data)
    assert not Grade.objects.exists()


def test_only_faculty_or_admins_import(cast, task):
    data = csv_bytes(
        "learner,Accuracy,Communication", f"{cast['learner'].username},3,3"
    )
    with pytest.raises(ValidationError, match="Only faculty or admins"):
        services.import_grades(task, by=cast["designer"], data=data)


def test_the_import_page_lists_every_problem(client, cast, task):
    client.force_login(cast["faculty"])
    url = reverse("assessments:grades-import", args=[task.pk])
    assert "learner,Accuracy,Communication,comment" in client.get(url).text
    upload = SimpleUploadedFile(
        "grades.csv", csv_bytes("learner,Accuracy,Communication", "ghost,9,Top")
    )
    response = client.post(url, {"file": upload})
    assert "Line 2, column “learner”: no user “ghost”." in response.text
    assert "Line 2, column “Accuracy”" in response.text
    assert "Line 2, column “Communication”" in response.text
    assert not Grade.objects.exists()
    client.force_login(cast["learner"])
    assert client.get(url).status_code == 403


def test_an_uploaded_file_is_checked_then_imported_by_the_bulk_task(
    client, cast, task, django_capture_on_commit_callbacks
):
    (a,) = learners(cast, 1)
    client.force_login(cast["faculty"])
    upload = SimpleUploadedFile(
        "grades.csv",
        csv_bytes("learner,Accuracy,Communication", f"{a.username},3,3"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessments:grades-import", args=[task.pk]), {"file": upload}
        )
    job = GradeImport.objects.get()
    assert response.url == job.get_absolute_url()
    assert (job.status, job.imported) == (GradeImport.Status.DONE, 1)
    assert Grade.objects.get(submission__learner=a).total == 4
    fragment = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert "1 grade imported." in fragment.text
    assert "<html" not in fragment.text
    # A second delivery of the task changes nothing.
    assert services.run_grade_import(job).status == GradeImport.Status.DONE
    assert Grade.objects.count() == 1


def test_a_file_made_stale_before_the_task_runs_fails_and_imports_nothing(
    cast, task, django_capture_on_commit_callbacks
):
    a, b = learners(cast, 2)
    upload = SimpleUploadedFile(
        "grades.csv",
        csv_bytes(
            "learner,Accuracy,Communication", f"{a.username},3,3", f"{b.username},2,2"
        ),
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.start_grade_import(task, by=cast["faculty"], upload=upload)
    builders.submit(task, b)  # b now waits for a grade: the row is no longer valid
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == GradeImport.Status.FAILED
    assert any("Line 3" in e and "still waiting" in e for e in job.errors)
    assert not Grade.objects.exists()


def test_a_bad_file_is_refused_at_upload_and_nothing_is_kept(cast, task):
    upload = SimpleUploadedFile("g.csv", csv_bytes("learner,Accuracy", "x,1"))
    with pytest.raises(ValidationError, match="Line 1"):
        services.start_grade_import(task, by=cast["faculty"], upload=upload)
    assert not GradeImport.objects.exists()
