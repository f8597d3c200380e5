"""Recognition of prior learning through the API: an admin's token lists the
organization's decisions and records one, through the page's service."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEntry
from assessments.models import ModuleCompletion, RecognitionDecision
from curriculum import services as curriculum
from tests import builders
from tests.assessments.test_submissions import PDF
from tests.integrations.conftest import bearer, personal_token


@pytest.fixture
def version(cast):
    return builders.make_module(cast, "RPL-1").version


def _url(cast) -> str:
    return f"/api/organizations/{cast.organization.slug}/recognition/"


def test_an_admin_token_accepts_prior_learning(cast, version):
    api = bearer(personal_token(cast["admin"], name="registry"))
    answer = api.post(
        _url(cast),
        {
            "learner": cast["learner"].email.upper(),
            "version": version.pk,
            "source": "recognition",
            "decision": "accepted",
            "reason": "Passed the same course at a partner college.",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["learner"] == cast["learner"].username
    assert answer.json()["completion"] is not None
    completion = ModuleCompletion.objects.get(learner=cast["learner"], version=version)
    assert completion.source == "recognition"
    entry = AuditEntry.objects.get(action="recognition.accepted")
    assert entry.data["via"].startswith("token registry (")
    listed = api.get(_url(cast)).json()["results"]
    assert [d["id"] for d in listed] == [answer.json()["id"]]


def test_a_decline_keeps_its_evidence_file(cast, version):
    api = bearer(personal_token(cast["admin"]))
    answer = api.post(
        _url(cast),
        {
            "learner": cast["learner"].username,
            "version": version.pk,
            "source": "recognition",
            "decision": "declined",
            "reason": "The course covered half the outcomes.",
            "file": SimpleUploadedFile("transcript.pdf", PDF),
        },
        format="multipart",
    )
    assert answer.status_code == 201, answer.json()
    decision = RecognitionDecision.objects.get()
    assert decision.original_name == "transcript.pdf"
    assert not ModuleCompletion.objects.filter(learner=cast["learner"]).exists()


def test_bad_decisions_are_400s_that_record_nothing(cast, version):
    api = bearer(personal_token(cast["admin"]))
    theirs = builders.make_module(cast, "RPL-2", publish=False).version
    good = {
        "learner": cast["learner"].username,
        "version": version.pk,
        "source": "recognition",
        "decision": "accepted",
        "reason": "Shown.",
    }
    entries = AuditEntry.objects.count()
    for change in (
        {"learner": "nobody-at-all"},
        {"learner": cast["faculty"].username},  # not a learner here
        {"version": 999_999},
        {"version": theirs.pk},  # a draft
        {"source": "external"},  # an outside credential needs its file
        {"decision": "maybe"},
        {"reason": ""},
    ):
        answer = api.post(_url(cast), {**good, **change}, format="json")
        assert answer.status_code == 400, change
    assert not RecognitionDecision.objects.exists()
    assert not ModuleCompletion.objects.exists()
    assert AuditEntry.objects.count() == entries


def test_only_the_organization_s_admins_see_or_decide(cast, version):
    body = {
        "learner": cast["learner"].username,
        "version": version.pk,
        "source": "recognition",
        "decision": "accepted",
        "reason": "Shown.",
    }
    curriculum.add_member(cast.other_organization, cast["stranger"], role="admin")
    callers = [cast["faculty"], cast["designer"], cast["learner"], cast["stranger"]]
    for user in callers:
        api = bearer(personal_token(user))
        assert api.get(_url(cast)).status_code == 404
        assert api.post(_url(cast), body, format="json").status_code == 404
    reader = bearer(personal_token(cast["admin"], "read"))
    assert reader.post(_url(cast), body, format="json").status_code == 403
    assert not RecognitionDecision.objects.exists()
