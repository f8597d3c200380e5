"""The Ed25519Signature2020 on VC Data Model 1.1 option, for older wallets."""

import copy

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import ModuleCompletion
from credentials import schemas, services
from credentials.models import Award, IssuerProfile
from pathways import services as pathway_services
from tests import builders
from tests.credentials.conftest import served
from tests.credentials.jsverifier import verify_with_node


@pytest.fixture
def legacy(cast):
    services.set_signing_options(
        cast.organization,
        by=cast["admin"],
        proof_format=IssuerProfile.ProofFormat.ED25519_2020,
        suspension_entry=False,
    )


def _issue_every_kind(cast, pathway, capture) -> dict[str, Award]:
    with capture(execute=True):
        pathway_services.enrol(cast["learner"], pathway.version)
    for task in pathway.tasks:
        with capture(execute=True):
            builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    rpl = ModuleCompletion.objects.create(
        learner=cast["other_learner"],
        version=pathway.tasks[0].version,
        source=ModuleCompletion.Source.RECOGNITION,
        completed_at=timezone.now(),
    )
    services.issue_module_award(rpl)
    awards = Award.objects.select_related("module_completion")
    return {
        a.module_completion.source if a.module_completion else a.kind: a for a in awards
    }


@pytest.mark.node
@pytest.mark.parametrize("method", ["key", "web"])
def test_every_kind_verifies_and_matches_the_vc_1_1_schema(
    client, cast, pathway, legacy, settings, method, django_capture_on_commit_callbacks
):
    settings.CAIRN_DID_METHOD = method
    if method == "web":
        settings.SITE_URL = "https://credentials.example.edu"
    awards = _issue_every_kind(cast, pathway, django_capture_on_commit_callbacks)
    assert set(awards) == {"graded", "pathway", "recognition"}
    for kind, award in awards.items():
        credential = award.credential
        assert credential["@context"][0] == "https://www.w3.org/2018/credentials/v1"
        assert "issuanceDate" in credential
        assert "validFrom" not in credential
        assert credential["proof"][0]["type"] == "Ed25519Signature2020"
        assert "cryptosuite" not in credential["proof"][0]
        assert schemas.achievement_credential_errors(credential) == [], kind
        documents = served(client, credential)
        result = verify_with_node(credential, **documents)
        assert result["verified"] is True, (kind, result)
        assert services.verify_award(award).status == "valid", kind
        assert "(Ed25519Signature2020, on VC Data Model 1.1)" in (
            client.get(award.get_absolute_url()).text
        )
        tampered = copy.deepcopy(credential)
        tampered["credentialSubject"]["achievement"]["name"] = "Other"
        assert verify_with_node(tampered, **documents)["verified"] is False, kind
        assert services.verify_credential(tampered).status == "tampered", kind
    if method == "web":
        did = awards["graded"].credential["issuer"]["id"]
        document = served(client, awards["graded"].credential)["did_documents"][did]
        assert {m["type"] for m in document["verificationMethod"]} == {
            "Ed25519VerificationKey2020"
        }


@pytest.mark.node
def test_a_revoked_vc_1_1_credential_fails_through_its_status_list(
    client, cast, issued, legacy, pathway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[1], cast["learner"], cast["faculty"])
    award = Award.objects.exclude(pk=issued.pk).get()
    assert award.credential["proof"][0]["type"] == "Ed25519Signature2020"
    services.revoke_award(award, by=cast["admin"], reason="Appeal upheld.")
    result = verify_with_node(award.credential, **served(client, award.credential))
    assert result["verified"] is False
    assert result["status"]["revocation"] is True
    # The earlier eddsa-rdfc-2022 credential of the same issuer still verifies.
    assert verify_with_node(issued.credential)["verified"] is True


def test_admins_choose_the_format_in_the_browser(client, cast, db):
    url = reverse("credentials:signing", args=[cast.organization.slug])
    client.force_login(cast["designer"])
    assert client.post(url, {"proof_format": "Ed25519Signature2020"}).status_code == 403
    client.force_login(cast["admin"])
    client.post(url, {"proof_format": "nonsense", "suspension_entry": "on"})
    assert not IssuerProfile.objects.filter(organization=cast.organization).exists()
    client.post(url, {"proof_format": "Ed25519Signature2020"})
    profile = IssuerProfile.objects.get(organization=cast.organization)
    assert profile.proof_format == "Ed25519Signature2020"
    assert profile.suspension_entry is False
    page = client.get(reverse("credentials:issuer", args=[cast.organization.slug]))
    assert 'value="Ed25519Signature2020" checked' in page.text
    assert 'name="suspension_entry" aria-describedby="suspension-help">' in page.text


@pytest.mark.node
@pytest.mark.parametrize("method", ["key", "web"])
def test_a_vc_1_1_issuers_record_restates_its_credentials_on_vc_2_0(
    client, cast, pathway, legacy, settings, method, django_capture_on_commit_callbacks
):
    """CLR 2.0 embeds credentials on VC Data Model 2.0 only, so an organization
    that signs on 1.1 has each one restated for the record: same id, claims and
    status entry, an eddsa-rdfc-2022 proof that the JavaScript libraries verify,
    and the whole record valid against 1EdTech's CLR 2.0 schema."""
    import json

    from jsonschema import Draft201909Validator

    from tests.credentials.test_clr_schema import CLR_SCHEMA_PATH

    settings.CAIRN_DID_METHOD = method
    if method == "web":
        settings.SITE_URL = "https://credentials.example.edu"
    awards = _issue_every_kind(cast, pathway, django_capture_on_commit_callbacks)
    # A rotation in between: under did:key each award stays with its own key.
    services.rotate_signing_key(cast.organization, by=cast["admin"])
    record = services.learner_clr(cast["learner"], cast.organization)
    validator = Draft201909Validator(
        json.loads(CLR_SCHEMA_PATH.read_text(encoding="utf-8")),
        format_checker=Draft201909Validator.FORMAT_CHECKER,
    )
    assert [e.message for e in validator.iter_errors(record)] == []
    assert verify_with_node(record, **served(client, record))["verified"] is True
    embedded = record["credentialSubject"]["verifiableCredential"]
    issued = {
        a.credential["id"]: a for a in Award.objects.filter(learner=cast["learner"])
    }
    assert {c["id"] for c in embedded} == set(issued)
    for credential in embedded:
        original = issued[credential["id"]].credential
        assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
        assert credential["validFrom"] == original["issuanceDate"]
        assert credential["credentialSubject"] == original["credentialSubject"]
        assert credential["credentialStatus"] == original["credentialStatus"]
        assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
        if method == "key":
            assert credential["issuer"]["id"] == original["issuer"]["id"]
        result = verify_with_node(credential, **served(client, credential))
        assert result["verified"] is True, result
        assert schemas.achievement_credential_errors(credential) == []
    # Revoking an award shows in its restated copy, through the shared bit.
    award = awards["graded"]
    services.revoke_award(award, by=cast["admin"], reason="Issued in error.")
    restated = next(c for c in embedded if c["id"] == award.credential["id"])
    result = verify_with_node(restated, **served(client, restated))
    assert result["verified"] is False
    assert result["status"]["revocation"] is True
