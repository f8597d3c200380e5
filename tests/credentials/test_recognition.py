"""The proof check recognition runs on an outside Open Badges 3.0 credential:
verified, failed or not checked, each with its reason."""

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import badgefiles
from assessments import services as assessments
from assessments.models import ModuleCompletion, RecognitionDecision
from credentials import dataintegrity, services
from credentials.models import Award
from credentials.recognition import check_recognition_proof
from tests import builders

DATA = Path(__file__).resolve().parent.parent / "data" / "openbadges3"
# 1EdTech's signed OB 3.0 test vector and the controller document that holds its
# key (provenance in tests/data/openbadges3/SOURCE.md).
VECTOR = DATA / "1edtech-ob3-test-vector.json"
CONTROLLER = DATA / "1edtech-ob3-test-vector.controller.json"
Status = RecognitionDecision.ProofStatus

# The check looks this site's own keys up in the database.
pytestmark = pytest.mark.django_db


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def check(document: dict) -> badgefiles.ProofCheck:
    """What recognition records: the registered verifiers, through badgefiles."""
    return badgefiles.check_proof(json.dumps(document).encode())


def signed_by_did_key(seed: bytes, **changes) -> dict:
    """An outside OB 3.0 credential, its issuer a did:key, signed with that key."""
    credential = load(DATA / "dcpv-ob30-simple.json")
    del credential["proof"]
    did = dataintegrity.did_key(dataintegrity.public_key_multibase(seed))
    credential["issuer"] = {"id": did, "type": ["Profile"], "name": "Elsewhere College"}
    credential.update(changes)
    return dataintegrity.sign_credential(
        credential,
        seed=seed,
        verification_method=dataintegrity.did_key_verification_method(
            dataintegrity.public_key_multibase(seed)
        ),
        created=datetime(2024, 5, 1, 9, 0, tzinfo=UTC),
    )


def test_the_credentials_app_registers_its_check():
    assert check_recognition_proof in badgefiles._proof_verifiers


def test_an_award_of_ours_is_verified_offline(issued):
    result = check(issued.credential)
    assert result.status == badgefiles.VERIFIED
    assert issued.organization.name in result.reason


def test_an_award_of_ours_on_did_web_is_verified_from_the_database(
    cast, pathway, settings, django_capture_on_commit_callbacks
):
    settings.CAIRN_DID_METHOD = "web"
    settings.SITE_URL = "https://credentials.example.edu"
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    credential = Award.objects.get().credential
    assert credential["issuer"]["id"].startswith("did:web:credentials.example.edu:")
    assert check(credential).status == badgefiles.VERIFIED
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["achievement"]["name"] = "Something grander"
    result = check(tampered)
    assert result.status == badgefiles.FAILED
    assert "altered" in result.reason


def test_a_revoked_award_of_ours_fails_and_cannot_be_accepted(cast, issued):
    services.revoke_award(issued, by=cast["admin"], reason="Issued in error.")
    result = check(issued.credential)
    assert result.status == badgefiles.FAILED
    assert "revoked" in result.reason
    other = builders.make_module(cast, "R-200")
    with pytest.raises(Exception, match="did not verify"):
        assessments.record_recognition(
            cast["other_learner"], other.version, by=cast["admin"], source="external",
            decision="accepted", reason="Equivalent module.",
            upload=SimpleUploadedFile("a.json", json.dumps(issued.credential).encode()),
        )  # fmt: skip
    assert not RecognitionDecision.objects.exists()


def test_an_outside_did_key_credential_verifies_and_a_tampered_one_fails():
    credential = signed_by_did_key(b"\x07" * 32)
    result = check(credential)
    assert result.status == badgefiles.VERIFIED
    assert "did:key" in result.reason
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["achievement"]["name"] = "Leadership"
    result = check(tampered)
    # The same words as verification by upload gives: one verdict for both.
    assert result.status == badgefiles.FAILED
    assert "altered after it was signed" in result.reason


def test_a_credential_signed_by_a_key_not_its_issuers_fails():
    credential = signed_by_did_key(b"\x07" * 32)
    credential["issuer"]["id"] = dataintegrity.did_key(
        dataintegrity.public_key_multibase(b"\x08" * 32)
    )
    result = check(credential)
    assert result.status == badgefiles.FAILED
    assert "not of its issuer" in result.reason


def test_the_1edtech_test_vector_verifies_with_its_pinned_controller_document(
    settings,
):
    settings.CAIRN_ISSUER_DOCUMENTS = [str(CONTROLLER)]
    result = check(load(VECTOR))
    assert result.status == badgefiles.VERIFIED
    assert "https://example.edu/issuers/565049" in result.reason
    tampered = load(VECTOR)
    tampered["validFrom"] = "2011-01-01T00:00:00Z"
    assert check(tampered).status == badgefiles.FAILED
    # A folder of documents works the same.
    settings.CAIRN_ISSUER_DOCUMENTS = [str(DATA)]
    assert check(load(VECTOR)).status == badgefiles.VERIFIED


def test_a_key_missing_from_the_pinned_document_fails(settings, tmp_path):
    document = load(CONTROLLER)
    document["assertionMethod"] = []
    path = tmp_path / "controller.json"
    path.write_text(json.dumps(document))
    settings.CAIRN_ISSUER_DOCUMENTS = [str(path)]
    result = check(load(VECTOR))
    assert result.status == badgefiles.FAILED
    assert "does not list the key" in result.reason


def test_without_its_controller_document_the_test_vector_is_not_checked(settings):
    settings.CAIRN_ISSUER_DOCUMENTS = []
    result = check(load(VECTOR))
    assert result.status == badgefiles.UNCHECKED
    assert result.reason == (
        "Its key is published in the issuer's controller document at "
        "https://example.edu/issuers/565049, which Cairn does not fetch."
    )


@pytest.mark.parametrize(
    ("method", "says"),
    [
        ("did:web:example.org#key-1",
         "The issuer DID method did:web (did:web:example.org) cannot be resolved "
         "offline: its DID document is published at "
         "https://example.org/.well-known/did.json, which Cairn does not fetch."),
        ("did:web:example.org:issuers:7#key-1",
         "https://example.org/issuers/7/did.json"),
        ("did:ion:EiClkZMDxPKqC9c-umQfTkR8#key-1",
         "The issuer DID method did:ion cannot be resolved offline."),
    ],
)  # fmt: skip
def test_issuers_that_cannot_be_resolved_offline_are_not_checked(method, says):
    credential = load(VECTOR)
    credential["proof"]["verificationMethod"] = method
    credential["issuer"]["id"] = method.partition("#")[0]
    result = check(credential)
    assert result.status == badgefiles.UNCHECKED
    assert says in result.reason


def test_a_proof_of_another_suite_is_not_checked():
    credential = load(VECTOR)
    credential["proof"]["cryptosuite"] = "ecdsa-rdfc-2019"
    result = check(credential)
    assert result.status == badgefiles.UNCHECKED
    assert "ecdsa-rdfc-2019" in result.reason


def test_the_decision_keeps_the_result_and_the_page_shows_it(client, cast, settings):
    settings.CAIRN_ISSUER_DOCUMENTS = [str(CONTROLLER)]
    task = builders.make_module(cast, "V-300")
    client.force_login(cast["admin"])
    response = client.post(
        reverse("assessments:recognition"),
        {"learner": cast["learner"].username, "version": task.version.pk,
         "source": "external", "decision": "accepted",
         "reason": "Teamwork badge from a partner college.",
         "file": SimpleUploadedFile("vector.json", VECTOR.read_bytes())},
        follow=True,
    )  # fmt: skip
    decision = RecognitionDecision.objects.get()
    assert decision.proof_status == Status.VERIFIED
    assert "listed for issuing" in decision.proof_reason
    assert decision.completion.source == ModuleCompletion.Source.EXTERNAL
    assert "Signature verified" in response.text
    assert decision.proof_reason in response.text.replace("&#x27;", "'")


def test_a_tampered_credential_is_declined_with_the_reason_kept(cast, settings):
    settings.CAIRN_ISSUER_DOCUMENTS = [str(CONTROLLER)]
    task = builders.make_module(cast, "V-301")
    tampered = load(VECTOR)
    tampered["credentialSubject"]["achievement"]["name"] = "Leadership"
    decision = assessments.record_recognition(
        cast["learner"], task.version, by=cast["admin"], source="external",
        decision="declined", reason="The badge was altered.",
        upload=SimpleUploadedFile("vector.json", json.dumps(tampered).encode()),
    )  # fmt: skip
    assert decision.proof_status == Status.FAILED
    assert "altered" in decision.proof_reason
