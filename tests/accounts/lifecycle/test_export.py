"""A learner downloads everything Cairn holds about them as one ZIP archive."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from tests.credentials.jsverifier import verify_with_node

URL = reverse("credentials:personal-data-export")


def _archive(client, user) -> zipfile.ZipFile:
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert response.streaming
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.node
def test_the_archive_holds_every_part(client, cast, pathway, graded):
    submission, award = graded
    learner = cast["learner"]
    archive = _archive(client, learner)
    assert archive.testzip() is None
    names = set(archive.namelist())

    profile = json.loads(archive.read("profile.json"))
    assert profile["username"] == learner.username
    assert profile["email"] == learner.email
    assert profile["given_name"] == learner.first_name
    assert {"organization": cast.organization.name, "role": "learner"} in profile[
        "memberships"
    ]

    enrolments = json.loads(archive.read("enrolments.json"))
    assert [e["pathway"] for e in enrolments["enrolments"]] == [
        str(e.version) for e in learner.enrolments.all()
    ]
    completions = json.loads(archive.read("completions.json"))
    assert [c["module"] for c in completions] == [str(submission.task.version)]

    record = json.loads(archive.read(f"submissions/{submission.pk}/submission.json"))
    assert record["text"] == "My spreadsheet and its chart."
    assert record["links"] == ["https://example.org/my-work"]
    assert record["grade"]["feedback"] == "Good work, clear chart."
    assert record["grade"]["passed"] is True
    assert len(record["grade"]["criteria"]) == submission.grade.criteria.count()
    evidence = submission.files.get()
    stored = f"submissions/{submission.pk}/evidence/{evidence.pk}-chart.png"
    assert stored in names
    with evidence.file.open("rb") as original:
        assert archive.read(stored) == original.read()

    signed = json.loads(archive.read(f"credentials/{award.uuid}.json"))
    assert signed == award.credential
    assert verify_with_node(signed)["verified"] is True
    award.refresh_from_db()
    pdf = archive.read(f"credentials/{award.uuid}.pdf")
    assert pdf.startswith(b"%PDF")
    assert "README.txt" in names


def test_the_archive_holds_only_the_persons_own_data(client, cast, graded):
    archive = _archive(client, cast["other_learner"])
    assert not [
        n for n in archive.namelist() if n.startswith(("submissions/", "credentials/"))
    ]
    profile = json.loads(archive.read("profile.json"))
    assert profile["username"] == cast["other_learner"].username


@pytest.mark.django_db
def test_strangers_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
