"""Bad input gets a clear message and changes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import services
from assessments.models import EvidenceFile, Grade, ModuleCompletion, Submission
from tests import builders

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
    b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00>\x00" + b"\x00" * 200


def test_an_oversized_upload_is_refused_and_nothing_is_saved(cast, pathway, settings):
    settings.CAIRN_MAX_UPLOAD_BYTES = 1024
    big = SimpleUploadedFile("report.pdf", b"%PDF-1.7\n" + b"0" * 2048)
    with pytest.raises(ValidationError, match="the limit is"):
        services.submit_evidence(
            pathway.tasks[0], learner=cast["learner"], text="See file", files=[big]
        )
    assert not Submission.objects.exists()
    assert not EvidenceFile.objects.exists()


def test_a_program_named_like_a_pdf_is_refused_by_its_content(cast, pathway):
    fake = SimpleUploadedFile("report.pdf", ELF, content_type="application/pdf")
    with pytest.raises(ValidationError, match="not a file type Cairn accepts"):
        services.submit_evidence(
            pathway.tasks[0], learner=cast["learner"], files=[fake]
        )
    assert not Submission.objects.exists()


def test_one_bad_file_among_good_ones_saves_none_of_them(cast, pathway):
    good = SimpleUploadedFile("chart.png", PNG)
    bad = SimpleUploadedFile("chart2.png", ELF)
    with pytest.raises(ValidationError):
        services.submit_evidence(
            pathway.tasks[0], learner=cast["learner"], files=[good, bad]
        )
    assert not Submission.objects.exists()
    assert not EvidenceFile.objects.exists()


def test_a_real_png_is_accepted_and_typed_by_content(cast, pathway):
    upload = SimpleUploadedFile(
        "chart.dat", PNG, content_type="application/octet-stream"
    )
    submission = services.submit_evidence(
        pathway.tasks[0], learner=cast["learner"], files=[upload]
    )
    assert submission.files.get().content_type == "image/png"


def test_the_upload_form_shows_the_error_and_keeps_nothing(client, cast, pathway):
    client.force_login(cast["learner"])
    url = reverse("assessments:task-detail", args=[pathway.tasks[0].pk])
    response = client.post(
        url, {"text": "Evidence", "files": SimpleUploadedFile("x.pdf", ELF)}
    )
    assert response.status_code == 200
    assert "not a file type Cairn accepts" in response.text
    assert not Submission.objects.exists()


def test_a_grade_missing_a_criterion_is_refused(cast, pathway):
    task = pathway.tasks[0]
    submission = builders.submit(task, cast["learner"])
    levels = builders.levels_for(task, 3)
    levels.pop(next(iter(levels)))
    with pytest.raises(ValidationError, match="Choose a level for “Accuracy”"):
        services.grade_submission(submission, grader=cast["faculty"], levels=levels)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert not Grade.objects.exists()
    assert not ModuleCompletion.objects.exists()


def test_a_grade_naming_a_level_of_another_criterion_is_refused(cast, pathway):
    task = pathway.tasks[0]
    submission = builders.submit(task, cast["learner"])
    levels = builders.levels_for(task, 3)
    first, second = list(levels)
    levels[first] = levels[second]
    with pytest.raises(ValidationError):
        services.grade_submission(submission, grader=cast["faculty"], levels=levels)
    assert not Grade.objects.exists()


def test_the_grading_form_names_the_missing_criterion(client, cast, pathway):
    task = pathway.tasks[0]
    submission = builders.submit(task, cast["learner"])
    levels = builders.levels_for(task, 3)
    criterion_id = next(iter(levels))
    client.force_login(cast["faculty"])
    response = client.post(
        reverse("assessments:grade", args=[submission.pk]),
        {f"level_{criterion_id}": levels[criterion_id]},
    )
    assert response.status_code == 200
    assert "Choose a level for “Communication”" in response.text
    assert not Grade.objects.exists()


def test_a_second_submission_while_one_waits_is_refused(cast, pathway):
    builders.submit(pathway.tasks[0], cast["learner"])
    with pytest.raises(ValidationError, match="still waiting to be graded"):
        builders.submit(pathway.tasks[0], cast["learner"])
    assert Submission.objects.count() == 1


def test_attempts_are_limited(cast, pathway):
    task = pathway.tasks[0]
    for _ in range(task.max_attempts):
        submission = builders.submit(task, cast["learner"])
        services.grade_submission(
            submission, grader=cast["faculty"], levels=builders.levels_for(task, 0)
        )
    with pytest.raises(ValidationError, match="used all 3 attempts"):
        builders.submit(task, cast["learner"])
