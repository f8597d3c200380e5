"""The thin path through the REST API, with the same rules as the pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from assessments.models import Submission
from credentials.models import Award
from curriculum.models import ModuleVersion
from tests import builders
from tests.assessments.test_bad_input import ELF


@pytest.fixture
def api():
    return APIClient()


def test_the_openapi_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/submissions/{id}/grade/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn." not in docs.content  # served from the installed package


def test_a_designer_builds_a_module_and_an_admin_publishes_it(api, cast):
    api.force_authenticate(cast["designer"])
    created = api.post(
        "/api/module-versions/",
        {"organization": cast.organization.slug, "code": "API-1", "title": "By API"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    outcome = api.post(
        f"/api/module-versions/{pk}/outcomes/",
        {"statement": "Do a thing."},
        format="json",
    )
    assert outcome.status_code == 201
    levels = [{"name": "No", "points": 0}, {"name": "Yes", "points": 2}]
    criteria = [{"name": "Did it", "outcomes": [outcome.json()["id"]]}]
    task = api.post(
        f"/api/module-versions/{pk}/tasks/",
        {"title": "T", "levels": levels, "criteria": criteria, "pass_min_total": 2},
        format="json",
    )
    assert task.status_code == 201, task.json()
    assert task.json()["criteria"][0]["levels"][1]["points"] == 2
    denied = api.post(f"/api/module-versions/{pk}/publish/", {"changelog": "v1"})
    assert denied.status_code == 403
    api.force_authenticate(cast["admin"])
    published = api.post(f"/api/module-versions/{pk}/publish/", {"changelog": "v1"})
    assert published.json()["status"] == "published"
    frozen = api.post(
        f"/api/module-versions/{pk}/outcomes/", {"statement": "Late"}, format="json"
    )
    assert frozen.status_code == 400  # admins may not edit a frozen version either
    assert "can no longer be edited" in str(frozen.json())
    assert ModuleVersion.objects.get(pk=pk).outcomes.count() == 1


def test_editing_a_published_version_through_the_api_says_why(api, cast):
    task = builders.make_module(cast, "M-1")
    api.force_authenticate(cast["designer"])
    response = api.post(
        f"/api/module-versions/{task.version.pk}/outcomes/",
        {"statement": "Late"},
        format="json",
    )
    assert response.status_code == 400
    assert "can no longer be edited" in str(response.json())


def test_learner_submits_faculty_grades_and_awards_appear(
    api, cast, pathway, django_capture_on_commit_callbacks
):
    task = pathway.tasks[0]
    api.force_authenticate(cast["learner"])
    assert (
        api.post(f"/api/pathway-versions/{pathway.version.pk}/enrol/").status_code
        == 201
    )
    upload = SimpleUploadedFile("notes.txt", b"My working notes.\n")
    submitted = api.post(
        f"/api/tasks/{task.pk}/submissions/",
        {"text": "See notes", "files": [upload]},
        format="multipart",
    )
    assert submitted.status_code == 201, submitted.json()
    submission_id = submitted.json()["id"]
    assert submitted.json()["files"][0]["content_type"] == "text/plain"

    api.force_authenticate(cast["faculty"])
    queue = api.get("/api/grading-queue/").json()
    assert [s["id"] for s in queue["results"]] == [submission_id]
    levels = {str(c): lv for c, lv in builders.levels_for(task, 3).items()}
    with django_capture_on_commit_callbacks(execute=True):
        graded = api.post(
            f"/api/submissions/{submission_id}/grade/",
            {"levels": levels},
            format="json",
        )
    assert graded.status_code == 201, graded.json()
    assert graded.json()["passed"] is True

    api.force_authenticate(cast["learner"])
    progress = api.get("/api/progress/").json()
    assert (progress[0]["done"], progress[0]["required"]) == (1, 3)
    awards = api.get("/api/awards/").json()["results"]
    assert awards[0]["credential"]["type"] == [
        "VerifiableCredential",
        "OpenBadgeCredential",
    ]
    anonymous = APIClient()
    check = anonymous.get(f"/api/credentials/{awards[0]['uuid']}/verification/").json()
    assert check["status"] == "valid"


@pytest.mark.parametrize(
    ("role", "status"),
    [("other_learner", 404), ("stranger", 404), ("faculty", 200)],
)
def test_who_can_read_a_submission_through_the_api(api, cast, pathway, role, status):
    submission = builders.submit(pathway.tasks[0], cast["learner"])
    api.force_authenticate(cast[role])
    assert api.get(f"/api/submissions/{submission.pk}/").status_code == status


def test_a_bad_upload_through_the_api_is_refused_and_changes_nothing(
    api, cast, pathway
):
    api.force_authenticate(cast["learner"])
    response = api.post(
        f"/api/tasks/{pathway.tasks[0].pk}/submissions/",
        {"files": [SimpleUploadedFile("a.pdf", ELF)]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "not a file type Cairn accepts" in str(response.json())
    assert not Submission.objects.exists()


def test_a_grade_missing_a_criterion_through_the_api_is_refused(api, cast, pathway):
    task = pathway.tasks[0]
    submission = builders.submit(task, cast["learner"])
    api.force_authenticate(cast["faculty"])
    levels = builders.levels_for(task, 3)
    levels.popitem()
    response = api.post(
        f"/api/submissions/{submission.pk}/grade/",
        {"levels": {str(k): v for k, v in levels.items()}},
        format="json",
    )
    assert response.status_code == 400
    assert "Choose a level for" in str(response.json())
    assert not Award.objects.exists()


def test_anonymous_api_users_read_only_public_things(db, cast, pathway):
    api = APIClient()
    assert api.get("/api/pathway-versions/").status_code == 200
    # No credentials: 401 with a Bearer challenge, so that a client knows how
    # to authenticate (RFC 6750 §3).
    refused = api.get("/api/grading-queue/")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert api.get("/api/submissions/").status_code == 401
    assert api.post("/api/module-versions/", {}).status_code == 401


def test_the_openapi_schema_is_valid_and_generates_without_warnings(tmp_path, db):
    """Client generators need a valid schema: drf-spectacular's validator
    (OpenAPI 3 JSON schema), failing on any warning too."""
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/organizations/{slug}/analytics/" in text
    for operation in (
        "credentials/issue",
        "credentials/status",
        "credentials/verify",
        "presentations/verify",
    ):
        assert f"/api/organizations/{{slug}}/vc-api/{operation}:" in text
