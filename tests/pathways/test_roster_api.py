"""Roster imports through the API: the dry run with every problem by line and
column, the start, the progress; with a person's or a service account's
token, and refused to another organization."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from accounts.models import AuditEntry, Membership, RosterImport
from assessments.models import Cohort
from curriculum import services as curriculum
from integrations.tokens import services as tokens
from tests.accounts.people.test_roster import counts, csv_bytes, learners
from tests.integrations.conftest import bearer, personal_token, service_token


def _url(cast, rest: str = "") -> str:
    return f"/api/organizations/{cast.organization.slug}/roster-imports/{rest}"


def upload(api, url: str, data: bytes, name: str = "roster.csv"):
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile(name, data)})
    return api.generic("POST", url, body, content_type=MULTIPART_CONTENT)


def test_a_clean_roster_is_checked_started_and_followed_to_the_end(
    cast, django_capture_on_commit_callbacks
):
    api = bearer(personal_token(cast["admin"], "read", "admin", name="sis"))
    checked = upload(api, _url(cast), csv_bytes(learners(3)))
    assert checked.status_code == 201, checked.json()
    job = checked.json()
    assert job["status"] == "checked"
    assert job["plan"]["rows"] == 3
    assert job["plan"]["new_people"] == 3
    assert not Membership.objects.filter(user__email__endswith="roster.example.edu")
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(_url(cast, f"{job['id']}/start/"))
    assert started.status_code == 202, started.json()
    followed = api.get(_url(cast, f"{job['id']}/")).json()
    assert followed["status"] == "done", followed
    assert followed["done"] == followed["total"] == 9
    assert followed["result"]["rows"] == 3
    assert (
        Membership.objects.filter(
            organization=cast.organization, user__email__endswith="roster.example.edu"
        ).count()
        == 3
    )
    assert Cohort.objects.get(name="Autumn").learners.count() == 3
    started = AuditEntry.objects.get(action="roster.import_started")
    assert started.data["via"].startswith("token sis (cairn_pat_")
    listed = api.get(_url(cast)).json()["results"]
    assert [j["id"] for j in listed] == [job["id"]]
    # Starting it again changes nothing.
    again = api.post(_url(cast, f"{job['id']}/start/"))
    assert again.status_code == 202
    assert again.json()["status"] == "done"
    assert AuditEntry.objects.filter(action="roster.import_started").count() == 1


def test_the_dry_run_answers_every_problem_by_line_and_column_and_keeps_nothing(cast):
    api = bearer(personal_token(cast["admin"]))
    data = csv_bytes(
        [
            ["ok@x.edu", "A", "B", "1", "learner", ""],
            ["not-an-email", "A", "B", "2", "learner", ""],
            ["c@x.edu", "A", "B", "3", "wizard", ""],
        ]
    )
    before, entries = counts(), AuditEntry.objects.count()
    answer = upload(api, _url(cast), data)
    assert answer.status_code == 400
    problems = answer.json()["problems"]
    assert [(p["line"], p["column"]) for p in problems] == [(3, "email"), (4, "role")]
    assert "not an e-mail" in problems[0]["message"]
    assert answer.json()["counts"]["rows"] == 1  # the rows without problems
    assert not RosterImport.objects.exists()
    assert counts() == before
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,phone\nAnn,123\n", "no e-mail column"),
        ("email\nélodie@x.edu\n".encode("latin-1"), "not UTF-8 text"),
    ],
)
def test_an_unreadable_file_is_a_400_naming_the_file(cast, data, message):
    api = bearer(personal_token(cast["admin"]))
    answer = upload(api, _url(cast), data)
    assert answer.status_code == 400
    assert message in " ".join(answer.json()["file"])
    assert not RosterImport.objects.exists()


def test_no_file_is_a_400(cast):
    api = bearer(personal_token(cast["admin"]))
    answer = api.generic(
        "POST",
        _url(cast),
        encode_multipart(BOUNDARY, {}),
        content_type=MULTIPART_CONTENT,
    )
    assert answer.status_code == 400
    assert "file" in answer.json()


def test_a_service_account_of_the_organization_imports(cast):
    account = tokens.create_service_account(
        cast.organization, by=cast["admin"], name="Registry", roles=["admin"]
    )
    api = bearer(service_token(account, cast["admin"], "read", "admin"))
    checked = upload(api, _url(cast), csv_bytes(learners(2)))
    assert checked.status_code == 201, checked.json()
    assert api.get(_url(cast, f"{checked.json()['id']}/")).status_code == 200


def test_another_organization_s_admin_cannot_see_or_start_the_import(cast):
    api = bearer(personal_token(cast["admin"]))
    job_id = upload(api, _url(cast), csv_bytes(learners(2))).json()["id"]
    curriculum.add_member(cast.other_organization, cast["stranger"], role="admin")
    theirs = bearer(personal_token(cast["stranger"]))
    assert theirs.get(_url(cast)).status_code == 403
    assert theirs.get(_url(cast, f"{job_id}/")).status_code == 403
    assert theirs.post(_url(cast, f"{job_id}/start/")).status_code == 403
    assert upload(theirs, _url(cast), csv_bytes(learners(2))).status_code == 403
    # Under their own organization's address, this job is not found.
    own = f"/api/organizations/{cast.other_organization.slug}/roster-imports/"
    assert theirs.get(f"{own}{job_id}/").status_code == 404
    assert theirs.post(f"{own}{job_id}/start/").status_code == 404
    assert RosterImport.objects.get().status == "checked"


def test_starting_needs_the_admin_scope(cast):
    api = bearer(personal_token(cast["admin"]))
    job_id = upload(api, _url(cast), csv_bytes(learners(2))).json()["id"]
    reader = bearer(personal_token(cast["admin"], "read"))
    assert reader.get(_url(cast, f"{job_id}/")).status_code == 200
    assert reader.post(_url(cast, f"{job_id}/start/")).status_code == 403
    assert upload(reader, _url(cast), csv_bytes(learners(2))).status_code == 403
    assert RosterImport.objects.get().status == "checked"
