"""The API serves the same marking services as the pages."""

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from assessments import services
from assessments.models import Grade, ModuleCompletion, Submission
from tests import builders
from tests.assessments.conftest import level_ids


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(levels: dict[int, int], **extra) -> dict:
    return {"levels": {str(c): lv for c, lv in levels.items()}, **extra}


def test_first_second_mark_and_moderation_through_the_api(cast, task, faculty):
    services.set_marking_policy(
        task, by=cast["admin"], second_mark_percent=100, borderline_points=None,
        moderation_tolerance=0,
    )  # fmt: skip
    submission = builders.submit(task, cast["learner"])
    url = f"/api/submissions/{submission.pk}/grade/"
    draft = api_for(faculty[0]).post(
        url, body(level_ids(task, [3, 3]), finalise=False), format="json"
    )
    assert draft.status_code == 200
    assert draft.json()["finalised_at"] is None
    first = api_for(faculty[0]).post(url, body(level_ids(task, [3, 3])), format="json")
    assert first.status_code == 202
    assert first.json()["submission_status"] == "second_marking"
    learner_view = api_for(cast["learner"]).get(f"/api/submissions/{submission.pk}/")
    assert learner_view.json()["grade"] is None

    submission.refresh_from_db()
    second_marker = submission.second_marker
    moderator = next(f for f in faculty[1:] if f != second_marker)
    second = api_for(second_marker).post(
        url, body(level_ids(task, [1, 1])), format="json"
    )
    assert second.status_code == 202
    assert second.json()["submission_status"] == "moderation"
    decided = api_for(moderator).post(
        url, body(level_ids(task, [2, 2]), comment="Competent on both."), format="json"
    )
    assert decided.status_code == 201
    assert decided.json()["total"] == 4
    agreement = api_for(faculty[0]).get(f"/api/tasks/{task.pk}/agreement/").json()
    assert agreement["pairs"] == 2
    assert agreement["exact_percent"] == 0.0
    assert [row["label"] for row in agreement["by_criterion"]] == [
        "Accuracy",
        "Communication",
    ]


def test_grade_change_and_import_through_the_api(
    cast, task, django_capture_on_commit_callbacks
):
    submission = builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    change = api_for(cast["admin"]).post(
        f"/api/submissions/{submission.pk}/grade-change/",
        body(level_ids(task, [0, 0]), reason="Appeal upheld against the learner."),
        format="json",
    )
    assert change.status_code == 200
    assert change.json()["passed"] is False
    assert not ModuleCompletion.objects.live().exists()
    denied = api_for(cast["learner"]).post(
        f"/api/submissions/{submission.pk}/grade-change/",
        body(level_ids(task, [3, 3]), reason="Please"),
        format="json",
    )
    assert denied.status_code == 403

    csv = SimpleUploadedFile(
        "g.csv",
        f"learner,Accuracy,Communication\n{cast['other_learner'].username},3,4\n".encode(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        imported = api_for(cast["faculty"]).post(
            f"/api/tasks/{task.pk}/grades-import/", {"file": csv}, format="multipart"
        )
    assert imported.status_code == 202, imported.json()
    job = api_for(cast["faculty"]).get(f"/api/grade-imports/{imported.json()['id']}/")
    assert (job.json()["status"], job.json()["imported"]) == ("done", 1)
    assert Grade.objects.get(submission__learner=cast["other_learner"]).total == 5
    bad = SimpleUploadedFile("g.csv", b"learner,Accuracy,Communication\nghost,3,4\n")
    refused = api_for(cast["faculty"]).post(
        f"/api/tasks/{task.pk}/grades-import/", {"file": bad}, format="multipart"
    )
    assert refused.status_code == 400
    assert "Line 2" in str(refused.json())
    assert Submission.objects.filter(learner__username="ghost").count() == 0


def test_a_draft_submission_through_the_api(cast, task):
    response = api_for(cast["learner"]).post(
        f"/api/tasks/{task.pk}/submissions/",
        {"text": "Work in progress", "links": ["https://example.org/a"], "draft": True},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "draft"
    assert response.json()["links"] == ["https://example.org/a"]
