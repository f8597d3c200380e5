"""A learner's whole record as a signed CLR 2.0 ClrCredential."""

import copy

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from credentials import jsonld, services
from credentials.models import Award
from pathways import services as pathway_services
from tests import builders
from tests.credentials.jsverifier import verify_with_node


@pytest.fixture
def record(cast, pathway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pathway_services.enrol(cast["learner"], pathway.version)
    for task in pathway.tasks:
        with django_capture_on_commit_callbacks(execute=True):
            builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    return services.learner_clr(cast["learner"], cast.organization)


def test_the_record_holds_every_credential_and_how_modules_stack(record, cast):
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    subject = record["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    awards = Award.objects.filter(learner=cast["learner"])
    assert len(subject["verifiableCredential"]) == awards.count() == 4
    assert {c["id"] for c in subject["verifiableCredential"]} == {
        a.credential["id"] for a in awards
    }
    achievements = {a["id"]: a for a in subject["achievement"]}
    pathway_id = Award.objects.get(kind="pathway").credential["credentialSubject"][
        "achievement"
    ]["id"]
    associations = subject["association"]
    assert len(associations) == 3
    for association in associations:
        assert association["associationType"] == "isPartOf"
        assert association["targetId"] == pathway_id
        assert achievements[association["sourceId"]]["achievementType"] == (
            "MicroCredential"
        )
    # Every term is defined by the CLR, VC and OB contexts.
    jsonld.check_defined_terms({k: v for k, v in record.items() if k != "proof"})


@pytest.mark.node
def test_the_record_verifies_and_fails_when_tampered(record):
    assert verify_with_node(record)["verified"] is True
    tampered = copy.deepcopy(record)
    tampered["credentialSubject"]["association"].pop()
    assert verify_with_node(tampered)["verified"] is False
    assert services.verify_credential(record).status == "valid"
    assert services.verify_credential(tampered).status == "tampered"


def test_a_revoked_award_leaves_the_record(cast, record):
    award = Award.objects.filter(kind="module").first()
    services.revoke_award(award, by=cast["admin"], reason="Appeal.")
    again = services.learner_clr(cast["learner"], cast.organization)
    ids = {c["id"] for c in again["credentialSubject"]["verifiableCredential"]}
    assert award.credential["id"] not in ids
    assert len(again["credentialSubject"]["association"]) == 2


def test_a_learner_without_credentials_is_told(cast, db):
    with pytest.raises(ValidationError, match="no credentials"):
        services.learner_clr(cast["other_learner"], cast.organization)


def test_the_learner_downloads_their_record(client, cast, record):
    url = reverse("credentials:clr", args=[cast.organization.slug])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(cast["learner"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response.json()["type"] == ["VerifiableCredential", "ClrCredential"]
    client.force_login(cast["other_learner"])
    assert client.get(url).status_code == 404
