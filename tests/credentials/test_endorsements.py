"""An advisory board's approval as a signed EndorsementCredential."""

import copy

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from credentials import jsonld, services
from credentials.models import Endorsement
from reviews import services as reviews
from tests import builders
from tests.credentials.jsverifier import verify_with_node


@pytest.fixture
def approved(cast):
    board = builders.make_board(cast)
    version = builders.make_module(cast, "M-9", publish=False).version
    review = reviews.submit_for_review(version, by=cast["designer"], board=board)
    for name in ("practitioner_1", "practitioner_2"):
        reviews.declare_interest(review, user=cast[name], has_conflict=False)
        reviews.cast_vote(review, user=cast[name], decision="approve", reason="Good.")
    review.refresh_from_db()
    assert review.status == "approved"
    return review


def test_an_approval_is_signed_as_an_endorsement_of_the_achievement(cast, approved):
    endorsement = services.endorse_approved_review(
        approved, by=cast["admin"], comment="Meets industry practice."
    )
    credential = endorsement.credential
    assert credential["type"] == ["VerifiableCredential", "EndorsementCredential"]
    subject = credential["credentialSubject"]
    assert subject["type"] == ["EndorsementSubject"]
    assert subject["endorsementComment"] == "Meets industry practice."
    assert subject["id"].endswith("/")  # the version's public page
    jsonld.check_defined_terms({k: v for k, v in credential.items() if k != "proof"})
    assert services.verify_credential(credential).status == "valid"


@pytest.mark.node
def test_the_endorsement_verifies_and_fails_when_tampered(cast, approved):
    credential = services.endorse_approved_review(
        approved, by=cast["admin"], comment="Endorsed."
    ).credential
    assert verify_with_node(credential)["verified"] is True
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["endorsementComment"] = "Something else."
    assert verify_with_node(tampered)["verified"] is False


def test_only_an_approved_review_is_endorsed_once(cast, approved):
    with pytest.raises(ValidationError, match="Say what"):
        services.endorse_approved_review(approved, by=cast["admin"], comment=" ")
    services.endorse_approved_review(approved, by=cast["admin"], comment="Yes.")
    with pytest.raises(ValidationError, match="already been endorsed"):
        services.endorse_approved_review(approved, by=cast["admin"], comment="Again.")
    board = approved.board
    version = builders.make_module(cast, "M-10", publish=False).version
    open_review = reviews.submit_for_review(version, by=cast["designer"], board=board)
    with pytest.raises(ValidationError, match="Only a review the board approved"):
        services.endorse_approved_review(open_review, by=cast["admin"], comment="No.")
    assert Endorsement.objects.count() == 1


def test_admins_endorse_in_the_browser(client, cast, approved):
    url = reverse("credentials:endorsements", args=[cast.organization.slug])
    client.force_login(cast["designer"])
    assert client.get(url).status_code == 403
    client.force_login(cast["admin"])
    assert approved.version_label in client.get(url).text
    empty = client.post(url, {"review": approved.pk, "comment": ""})
    assert empty.status_code == 400
    assert "Say what the board endorses." in empty.text
    client.post(url, {"review": approved.pk, "comment": "Endorsed by the board."})
    endorsement = Endorsement.objects.get()
    public = client.get(reverse("credentials:endorsement", args=[endorsement.uuid]))
    assert public.json() == endorsement.credential


def test_the_demo_endorses_approved_versions_once(cast, approved):
    from credentials.demo import extend_demo

    users = {"ada": cast["admin"]}
    extend_demo(cast.organization, users)
    extend_demo(cast.organization, users)
    assert Endorsement.objects.get().review == approved
