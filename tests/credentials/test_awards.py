"""Awards: one per completion, verifiable by anyone, exportable."""

import copy
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from assessments.models import ModuleCompletion
from credentials import services, tasks
from credentials.models import Award
from pathways import services as pathway_services
from tests import builders
from tests.credentials.conftest import served
from tests.credentials.jsverifier import verify_with_node


@pytest.fixture
def award(cast, pathway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    return Award.objects.get()


def test_a_task_delivered_twice_issues_one_award(award):
    completion = award.module_completion
    tasks.issue_module_award.delay(completion.pk)
    tasks.issue_module_award(completion.pk)
    assert Award.objects.filter(module_completion=completion).count() == 1


def test_the_database_refuses_a_second_award_for_one_completion(award):
    duplicate = copy.copy(award)
    duplicate.pk = None
    duplicate.uuid = None
    with pytest.raises(IntegrityError):
        Award.objects.create(
            kind=award.kind,
            learner=award.learner,
            organization=award.organization,
            module_completion=award.module_completion,
            achievement_name=award.achievement_name,
            signing_key=award.signing_key,
            credential=award.credential,
            issued_at=award.issued_at,
        )


def test_the_sweep_issues_what_a_lost_message_left_behind(cast, pathway):
    # Graded without running on-commit callbacks: the message is "lost".
    builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    assert not Award.objects.exists()
    assert services.sweep_unissued() == 1
    award = Award.objects.get()
    assert award.notified_at  # told in the same sweep (its PDF: when asked for)
    assert services.sweep_unissued() == 0


def test_the_credential_carries_the_rubric_result_and_alignments(award):
    subject = award.credential["credentialSubject"]
    achievement = subject["achievement"]
    assert achievement["name"] == "Module A-101"
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["alignment"][0]["targetUrl"].startswith(
        "http://data.europa.eu/esco/"
    )
    levels = {r["achievedLevel"] for r in subject["result"]}
    assert len(levels) == 2
    assert all(level.endswith(tuple("0123456789")) for level in levels)
    assert award.credential["issuer"]["id"].startswith("did:key:z6Mk")


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        (None, "valid", "Genuine"),
        ("revoke", "revoked", "Revoked"),
        ("tamper", "tampered", "has been altered"),
    ],
)
def test_the_verification_page_says_what_it_found(client, award, change, status, words):
    if change == "revoke":
        services.revoke_award(award, by=None, reason="Grade overturned on appeal.")
    elif change == "tamper":
        award.credential["credentialSubject"]["achievement"]["name"] = "Module A-999"
        award.save(update_fields=["credential"])
    response = client.get(reverse("credentials:verify", args=[award.uuid]))
    assert response.status_code == 200
    assert f'class="verdict {status}"' in response.text
    assert words in response.text


def test_the_json_and_pdf_are_public(client, award):
    response = client.get(reverse("credentials:json", args=[award.uuid]))
    assert response.status_code == 200
    assert response.json() == award.credential
    pdf = client.get(reverse("credentials:pdf", args=[award.uuid]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_an_unknown_credential_is_a_404(client, db):
    url = reverse("credentials:verify", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 404


def test_export_credential_prints_the_json(award, capsys):
    call_command("export_credential", str(award.uuid))
    assert json.loads(capsys.readouterr().out) == award.credential


def test_export_credential_writes_every_award(award, tmp_path):
    call_command("export_credential", "--all", "--out", str(tmp_path / "out"))
    written = json.loads((tmp_path / "out" / f"{award.uuid}.json").read_text())
    assert written == award.credential


def test_export_credential_explains_a_bad_identifier(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not an award identifier"):
        call_command("export_credential", "nope")


@pytest.mark.node
def test_a_did_web_credential_verifies_with_its_served_did_document(
    client, cast, pathway, settings, django_capture_on_commit_callbacks
):
    settings.CAIRN_DID_METHOD = "web"
    settings.SITE_URL = "https://credentials.example.edu"
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    award = Award.objects.get()
    assert award.credential["issuer"]["id"] == (
        f"did:web:credentials.example.edu:credentials:issuers:{cast.organization.slug}"
    )
    documents = served(client, award.credential)
    assert list(documents["did_documents"]) == [award.credential["issuer"]["id"]]
    result = verify_with_node(award.credential, **documents)
    assert result["verified"] is True, result


def test_the_did_document_is_not_served_for_did_key(client, db, settings):
    settings.CAIRN_DID_METHOD = "key"
    assert client.get("/.well-known/did.json").status_code == 404


def test_a_voided_completion_gets_no_award(cast, pathway):
    builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    completion = ModuleCompletion.objects.get()
    completion.voided_at = timezone.now()
    completion.save(update_fields=["voided_at"])
    assert services.issue_module_award(completion) is None
    assert not Award.objects.exists()


def test_module_completions_before_enrolling_count(
    cast, pathway, django_capture_on_commit_callbacks
):
    for task in pathway.tasks:
        builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    with django_capture_on_commit_callbacks(execute=True):
        pathway_services.enrol(cast["learner"], pathway.version)
    assert Award.objects.filter(kind="pathway").count() == 1


@pytest.mark.node
def test_every_kind_of_issued_award_passes_the_schema_and_an_independent_verifier(
    client, cast, pathway, schema_validator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pathway_services.enrol(cast["learner"], pathway.version)
    for task in pathway.tasks:
        with django_capture_on_commit_callbacks(execute=True):
            builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    awards = list(Award.objects.all())
    assert {a.kind for a in awards} == {"module", "pathway"}
    for award in awards:
        # 1EdTech's schema exactly as published, nothing relaxed.
        errors = [e.message for e in schema_validator.iter_errors(award.credential)]
        assert errors == [], (award.kind, errors)
        result = verify_with_node(award.credential, **served(client, award.credential))
        assert result["verified"] is True, (award.kind, result)


def test_by_default_an_award_has_one_revocation_entry_and_cannot_be_suspended(award):
    entry = award.credential["credentialStatus"]
    assert isinstance(entry, dict)  # one object, as 1EdTech's schema requires
    assert entry["statusPurpose"] == "revocation"
    with pytest.raises(ValidationError, match="without a suspension status entry"):
        services.suspend_award(award, by=None, reason="Under investigation")
    award.refresh_from_db()
    assert award.suspended_at is None
