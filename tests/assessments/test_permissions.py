"""Who may see and do what with submissions. Each denial is its own case."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import services
from assessments.models import Grade
from tests import builders


@pytest.fixture
def submission(cast, pathway):
    return builders.submit(pathway.tasks[0], cast["learner"])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("learner", 200),  # their own work
        ("faculty", 200),
        ("admin", 200),
        ("other_learner", 404),  # must not learn that it exists
        ("designer", 404),
        ("reviewer", 404),
        ("stranger", 404),
        ("outside_faculty", 404),
    ],
)
def test_who_can_see_a_submission(client, cast, submission, role, status):
    client.force_login(cast[role])
    response = client.get(
        reverse("assessments:submission-detail", args=[submission.pk])
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("faculty", 200),
        ("learner", 403),  # may see their own submission, never grade it
        ("admin", 403),
        ("other_learner", 404),
        ("stranger", 404),
        ("outside_faculty", 404),
    ],
)
def test_who_can_open_the_grading_page(client, cast, submission, role, status):
    client.force_login(cast[role])
    response = client.get(reverse("assessments:grade", args=[submission.pk]))
    assert response.status_code == status


def test_a_learner_cannot_post_a_grade(client, cast, submission, pathway):
    client.force_login(cast["learner"])
    levels = builders.levels_for(pathway.tasks[0], 3)
    data = {f"level_{c}": lv for c, lv in levels.items()}
    response = client.post(reverse("assessments:grade", args=[submission.pk]), data)
    assert response.status_code == 403
    assert not Grade.objects.exists()


def test_faculty_of_another_organization_cannot_grade(cast, submission, pathway):
    with pytest.raises(ValidationError, match="Only faculty of this organization"):
        services.grade_submission(
            submission,
            grader=cast["outside_faculty"],
            levels=builders.levels_for(pathway.tasks[0], 3),
        )
    assert not Grade.objects.exists()


def test_the_grading_queue_shows_only_the_graders_organizations(
    client, cast, submission
):
    client.force_login(cast["outside_faculty"])
    response = client.get(reverse("assessments:queue"))
    assert response.status_code == 200
    assert submission.task.title not in response.text
    client.force_login(cast["faculty"])
    assert submission.task.title in client.get(reverse("assessments:queue")).text


def test_a_learner_cannot_download_another_learners_evidence(client, cast, pathway):
    from django.core.files.uploadedfile import SimpleUploadedFile

    submission = services.submit_evidence(
        pathway.tasks[0],
        learner=cast["learner"],
        files=[SimpleUploadedFile("notes.txt", b"my private notes\n")],
    )
    evidence = submission.files.get()
    url = reverse("assessments:evidence", args=[evidence.pk])
    client.force_login(cast["other_learner"])
    assert client.get(url).status_code == 404
    client.force_login(cast["learner"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"my private notes\n"


@pytest.mark.parametrize(
    "url_name",
    ["home", "pathways:catalogue", "login"],
)
def test_anonymous_visitors_see_public_pages(client, db, url_name):
    assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize(
    ("url_name", "args"),
    [
        ("assessments:queue", []),
        ("curriculum:module-list", []),
        ("curriculum:module-create", []),
        ("pathways:create", []),
        ("credentials:mine", []),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, db, url_name, args):
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_anonymous_visitors_cannot_see_submissions_or_grade(client, submission):
    for name in ("assessments:submission-detail", "assessments:grade"):
        response = client.get(reverse(name, args=[submission.pk]))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_anonymous_visitors_cannot_see_a_draft_module(client, cast):
    task = builders.make_module(cast, "DRAFT-1", publish=False)
    url = reverse("curriculum:version-detail", args=[task.version.pk])
    assert client.get(url).status_code == 404
    client.force_login(cast["designer"])
    assert client.get(url).status_code == 200
