"""Bulk awards through the API: the dry run's problems by line and column,
the start, the job followed to the end; only the organization's admins with an
issuing token."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone

from credentials.models import Award, BulkAward
from tests import builders
from tests.credentials.bulk.conftest import HEADER
from tests.integrations.conftest import bearer, personal_token

DAY = (timezone.localdate() - timedelta(days=1)).isoformat()


def _url(cast, rest: str = "") -> str:
    return f"/api/organizations/{cast.organization.slug}/bulk-awards/{rest}"


def upload(api, url: str, text: str):
    body = encode_multipart(
        BOUNDARY, {"file": SimpleUploadedFile("awards.csv", text.encode())}
    )
    return api.generic("POST", url, body, content_type=MULTIPART_CONTENT)


def test_a_bulk_award_is_checked_started_and_followed_to_the_end(
    cast, django_capture_on_commit_callbacks
):
    builders.make_module(cast, "XL-200")
    api = bearer(personal_token(cast["admin"], "read", "issue", name="sis"))
    bad = upload(api, _url(cast), HEADER + f"nobody@example.edu,,XL-200,{DAY},,,\n")
    assert bad.status_code == 400
    assert [(p["line"], p["column"]) for p in bad.json()["problems"]] == [(2, "email")]
    assert not BulkAward.objects.exists()

    text = HEADER + f"{cast['learner'].email},,XL-200,{DAY},Clinic,,\n"
    checked = upload(api, _url(cast), text)
    assert checked.status_code == 201, checked.json()
    job = checked.json()
    assert (job["status"], job["plan"]["to_award"]) == ("checked", 1)
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(_url(cast, f"{job['id']}/start/"))
    assert started.status_code == 202
    followed = api.get(_url(cast, f"{job['id']}/")).json()
    assert followed["status"] == "done"
    assert followed["done"] == followed["total"] == 1
    assert followed["lines"] == [
        {
            "line": 2,
            "person": cast["learner"].email,
            "achievement": "XL-200",
            "outcome": "awarded",
        }
    ]
    assert Award.objects.count() == 1
    assert [j["id"] for j in api.get(_url(cast)).json()["results"]] == [job["id"]]


def test_others_are_refused(cast):
    builders.make_module(cast, "XL-200")
    text = HEADER + f"{cast['learner'].email},,XL-200,{DAY},Clinic,,\n"
    other = builders.make_cast()
    for person in (cast["faculty"], cast["designer"], other["admin"]):
        api = bearer(personal_token(person, "read", "issue"))
        assert upload(api, _url(cast), text).status_code == 403
        assert api.get(_url(cast)).status_code == 403
    # An admin's token without the issuing scope.
    api = bearer(personal_token(cast["admin"], "read", "admin"))
    assert upload(api, _url(cast), text).status_code == 403
    assert not BulkAward.objects.exists()
