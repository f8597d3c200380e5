"""Drafts, locking, numbered attempts, retake waits and accepted evidence."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import EvidenceFile, Grade, Submission
from tests import builders
from tests.assessments.test_bad_input import PNG

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def fail(task, learner, grader):
    submission = builders.submit(task, learner)
    return services.grade_submission(
        submission, grader=grader, levels=builders.levels_for(task, 0)
    )


def test_a_draft_is_kept_until_submitted_and_then_locked(cast, task):
    learner = cast["learner"]
    draft = services.save_draft(
        task, learner=learner, text="First notes", links=["https://example.org/a"],
        files=[SimpleUploadedFile("chart.png", PNG)],
    )  # fmt: skip
    assert draft.status == Submission.Status.DRAFT
    assert draft.submitted_at is None
    again = services.save_draft(
        task, learner=learner, text="Better notes",
        links=["https://example.org/a", "https://example.org/b"],
        files=[SimpleUploadedFile("report.pdf", PDF)],
    )  # fmt: skip
    assert again.pk == draft.pk
    assert again.attempt == 1
    assert again.text == "Better notes"
    assert again.links == ["https://example.org/a", "https://example.org/b"]
    assert sorted(again.files.values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/png",
    ]
    submitted = services.submit_draft(again, learner=learner)
    assert submitted.status == Submission.Status.SUBMITTED
    assert submitted.submitted_at is not None
    with pytest.raises(ValidationError, match="already submitted and locked"):
        services.submit_draft(submitted, learner=learner)
    with pytest.raises(ValidationError, match="locked"):
        services.remove_draft_file(submitted.files.first(), learner=learner)
    # A new draft now would be a second attempt while the first waits: refused.
    with pytest.raises(ValidationError, match="still waiting"):
        services.save_draft(task, learner=learner, text="more")
    submitted.refresh_from_db()
    assert submitted.text == "Better notes"


def test_drafts_are_not_in_the_grading_queue_nor_visible_to_faculty(client, cast, task):
    draft = services.save_draft(task, learner=cast["learner"], text="Not yet")
    client.force_login(cast["faculty"])
    assert "Grade</a>" not in client.get(reverse("assessments:queue")).text
    url = reverse("assessments:submission-detail", args=[draft.pk])
    assert client.get(url).status_code == 404


def test_a_learner_can_remove_a_file_from_a_draft(client, cast, task):
    draft = services.save_draft(
        task, learner=cast["learner"], files=[SimpleUploadedFile("a.png", PNG)]
    )
    evidence = draft.files.get()
    client.force_login(cast["other_learner"])
    url = reverse("assessments:draft-file-remove", args=[evidence.pk])
    assert client.post(url).status_code == 404
    client.force_login(cast["learner"])
    assert client.post(url).status_code == 302
    assert not EvidenceFile.objects.exists()


def test_the_task_page_saves_a_draft_and_submits_it(client, cast, task):
    client.force_login(cast["learner"])
    url = reverse("assessments:task-detail", args=[task.pk])
    client.post(url, {"text": "Draft words", "action": "draft"})
    draft = Submission.objects.get()
    assert draft.status == Submission.Status.DRAFT
    page = client.get(url)
    assert "Your draft (attempt 1)" in page.text
    assert "Draft words" in page.text
    response = client.post(
        url, {"text": "Final words", "links": "https://example.org/x\n"}
    )
    draft.refresh_from_db()
    assert response.url == draft.get_absolute_url()
    assert draft.status == Submission.Status.SUBMITTED
    assert draft.links == ["https://example.org/x"]


def test_a_bad_link_is_refused_and_changes_nothing(cast, task):
    with pytest.raises(ValidationError, match="not a web address"):
        services.submit_evidence(
            task, learner=cast["learner"], text="x", links=["javascript:alert(1)"]
        )
    assert not Submission.objects.exists()


def test_attempts_are_numbered(cast, task):
    first = fail(task, cast["learner"], cast["faculty"]).submission
    second = builders.submit(task, cast["learner"])
    assert (first.attempt, second.attempt) == (1, 2)


def test_the_last_allowed_attempt_is_accepted_and_the_next_refused(cast, task):
    task.max_attempts = 2
    task.save(update_fields=["max_attempts"])
    fail(task, cast["learner"], cast["faculty"])
    fail(task, cast["learner"], cast["faculty"])  # the second and last attempt
    with pytest.raises(ValidationError, match="used all 2 attempts"):
        builders.submit(task, cast["learner"])
    with pytest.raises(ValidationError, match="used all 2 attempts"):
        services.save_draft(task, learner=cast["learner"], text="again")


def test_a_retake_waits_until_the_wait_is_over(cast, task):
    task.retake_wait_days = 3
    task.save(update_fields=["retake_wait_days"])
    grade = fail(task, cast["learner"], cast["faculty"])
    # A draft may be prepared during the wait; submitting it may not.
    draft = services.save_draft(task, learner=cast["learner"], text="Try again")
    with pytest.raises(ValidationError, match="You can try again from"):
        services.submit_draft(draft, learner=cast["learner"])
    # One minute before the wait ends: still refused.
    Grade.objects.filter(pk=grade.pk).update(
        graded_at=timezone.now() - timedelta(days=3) + timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="You can try again from"):
        services.submit_draft(draft, learner=cast["learner"])
    # Exactly when it ends: accepted.
    Grade.objects.filter(pk=grade.pk).update(
        graded_at=timezone.now() - timedelta(days=3)
    )
    assert services.submit_draft(draft, learner=cast["learner"]).attempt == 2


def test_a_failing_grade_tells_the_learner_when_to_retry(client, cast, task):
    task.retake_wait_days = 7
    task.save(update_fields=["retake_wait_days"])
    grade = fail(task, cast["learner"], cast["faculty"])
    client.force_login(cast["learner"])
    page = client.get(grade.submission.get_absolute_url())
    ready = timezone.localtime(grade.graded_at + timedelta(days=7))
    assert f"You can try again from {ready:%-d %b %Y}" in page.text


def test_a_task_takes_only_the_evidence_kinds_it_accepts(cast, task):
    task.accepts_files = True
    task.file_types = ["application/pdf"]
    task.accepts_links = False
    task.save(update_fields=["accepts_files", "file_types", "accepts_links"])
    with pytest.raises(ValidationError, match="this task takes PDF document"):
        services.submit_evidence(
            task, learner=cast["learner"], files=[SimpleUploadedFile("a.png", PNG)]
        )
    with pytest.raises(ValidationError, match="does not take links"):
        services.submit_evidence(
            task, learner=cast["learner"], text="x", links=["https://example.org"]
        )
    assert not Submission.objects.exists()
    submission = services.submit_evidence(
        task, learner=cast["learner"], files=[SimpleUploadedFile("r.pdf", PDF)]
    )
    assert submission.files.get().content_type == "application/pdf"


def test_designers_set_conditions_tools_and_evidence_on_a_draft_task(client, cast):
    task = builders.make_module(cast, "EDIT", publish=False)
    client.force_login(cast["designer"])
    response = client.post(
        reverse("assessments:task-edit", args=[task.pk]),
        {"title": "Pivot task", "instructions": "Build it.",
         "conditions": "Two hours, open book.", "tools": "Any spreadsheet; no macros.",
         "success_criteria": "The table answers the question.",
         "accepts_files": "on", "file_types": ["application/pdf"],
         "max_attempts": "2", "retake_wait_days": "5"},
    )  # fmt: skip
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.tools == "Any spreadsheet; no macros."
    assert (task.accepts_text, task.accepts_links, task.accepts_files) == (
        False,
        False,
        True,
    )
    assert task.file_types == ["application/pdf"]
    assert (task.max_attempts, task.retake_wait_days) == (2, 5)


def test_a_task_accepting_no_evidence_is_refused(client, cast):
    task = builders.make_module(cast, "NONE", publish=False)
    client.force_login(cast["designer"])
    response = client.post(
        reverse("assessments:task-edit", args=[task.pk]),
        {"title": "T", "max_attempts": "2", "retake_wait_days": "0"},
    )
    assert "Accept at least one kind of evidence." in response.text
    task.refresh_from_db()
    assert task.accepts_text


def test_a_published_task_cannot_be_edited(client, cast, task):
    client.force_login(cast["designer"])
    response = client.post(
        reverse("assessments:task-edit", args=[task.pk]),
        {"title": "Changed", "accepts_text": "on", "max_attempts": "2",
         "retake_wait_days": "0"},
    )  # fmt: skip
    task.refresh_from_db()
    assert task.title == "Task of T-100"
    assert response.status_code in (200, 403)
