"""Expiry in the credential, reminders ahead of it, and renewal (issue 15)."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import AuditEntry
from assessments.models import ModuleCompletion
from credentials import dataintegrity, services
from credentials.models import Award, ExpiryNotice
from credentials.services import expiry, verify_award, verify_credential
from curriculum.forms import ModuleVersionEditForm, ModuleVersionForm
from curriculum.models import ModuleVersion
from pathways.models import PathwayVersion
from tests import builders
from tests.credentials.jsverifier import verify_with_node


def _module_award(cast, pathway, *, days, completed_days_ago=0) -> Award:
    """A module award of a version valid for `days`, earned some days ago."""
    task = builders.make_module(cast, "EXP-1", valid_for_days=days)
    builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    completion = ModuleCompletion.objects.get(learner=cast["learner"])
    completion.completed_at = timezone.now() - timedelta(days=completed_days_ago)
    completion.save(update_fields=["completed_at"])
    return services.issue_module_award(completion)


def test_a_module_version_sets_the_validity_its_credential_carries(cast, pathway):
    award = _module_award(cast, pathway, days=365)
    completed = award.module_completion.completed_at
    until = dataintegrity.parse_datetime(award.credential["validUntil"])
    assert until == (completed + timedelta(days=365)).replace(microsecond=0)
    assert award.expires_at == completed + timedelta(days=365)
    assert verify_award(award).status == "valid"
    assert verify_with_node(award.credential)["verified"]
    later = award.expires_at + timedelta(days=1)
    assert verify_credential(award.credential, now=later).status == "expired"


def test_a_module_without_a_validity_period_never_expires(cast, pathway):
    award = _module_award(cast, pathway, days=None)
    assert "validUntil" not in award.credential
    assert award.expires_at is None


def test_a_pathway_credential_that_expires_is_signed_with_valid_until(
    cast, django_capture_on_commit_callbacks
):
    from pathways import services as pathways

    pathway = builders.make_pathway(cast, valid_for_days=730)
    pathways.enrol(cast["learner"], pathway.version)
    with django_capture_on_commit_callbacks(execute=True):
        for task in pathway.tasks:
            builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    award = Award.objects.get(kind=Award.Kind.PATHWAY)
    expires = award.pathway_completion.expires_at
    assert award.expires_at == expires
    signed = dataintegrity.parse_datetime(award.credential["validUntil"])
    assert signed == expires.replace(microsecond=0)
    later = expires + timedelta(seconds=1)
    assert verify_credential(award.credential, now=later).status == "expired"


def test_vc_1_1_credentials_carry_expiration_date(cast, pathway):
    services.set_signing_options(
        cast.organization,
        by=cast["admin"],
        proof_format="Ed25519Signature2020",
        suspension_entry=False,
    )
    award = _module_award(cast, pathway, days=90)
    assert "expirationDate" in award.credential
    assert "validUntil" not in award.credential
    later = award.expires_at + timedelta(days=1)
    assert verify_credential(award.credential, now=later).status == "expired"


def test_the_authoring_forms_offer_a_validity_period():
    assert "valid_for_days" in ModuleVersionForm.base_fields
    assert "valid_for_days" in ModuleVersionEditForm.base_fields
    field = ModuleVersionForm.base_fields["valid_for_days"]
    assert field.min_value == 1
    assert not field.required
    assert field.clean("") is None
    with pytest.raises(ValidationError):
        field.clean("0")


def test_a_draft_keeps_its_validity_period_into_publishing(cast, pathway):
    version = ModuleVersion.objects.get(pk=pathway.tasks[0].version_id)
    draft = services_curriculum().create_module_version(
        cast.organization,
        by=cast["designer"],
        code=version.module.code,
        title="Next",
        valid_for_days=400,
    )
    services_curriculum().update_module_version(
        draft, by=cast["designer"], valid_for_days=500
    )
    draft.refresh_from_db()
    assert draft.valid_for_days == 500


def services_curriculum():
    from curriculum import services as curriculum

    return curriculum


# Reminders ahead of expiry.


@pytest.mark.parametrize(
    ("left", "expected"),
    [(120, None), (89, 90), (30, 30), (29, 30), (7, 7), (1, 7)],
)
def test_the_notice_due_is_the_smallest_threshold_reached(
    cast, pathway, left, expected
):
    award = _module_award(cast, pathway, days=365)
    on = award.expires_at - timedelta(days=left)
    assert expiry.due_threshold(award, on) == expected


def test_learner_and_admin_are_told_once_per_threshold(
    cast, pathway, django_capture_on_commit_callbacks
):
    award = _module_award(cast, pathway, days=365)
    mail.outbox.clear()
    on = award.expires_at - timedelta(days=80)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_expiry_notices(on=on) == 1
        assert services.send_expiry_notices(on=on) == 0  # a second sweep
    recipients = sorted(address for m in mail.outbox for address in m.to)
    assert recipients == sorted([cast["learner"].email, cast["admin"].email])
    to_learner = next(m for m in mail.outbox if cast["learner"].email in m.to)
    assert "How to renew it" in to_learner.body
    assert award.achievement_name in to_learner.subject
    to_admin = next(m for m in mail.outbox if cast["admin"].email in m.to)
    assert reverse("credentials:renew", args=[award.uuid]) in to_admin.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_expiry_notices(on=award.expires_at - timedelta(days=6))
    assert len(mail.outbox) == 2
    assert set(ExpiryNotice.objects.values_list("days", flat=True)) == {90, 30, 7}
    assert AuditEntry.objects.filter(action="award.expiry_notice_sent").count() == 2


def test_an_award_issued_close_to_its_end_gets_one_notice(
    cast, pathway, django_capture_on_commit_callbacks
):
    award = _module_award(cast, pathway, days=20)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_expiry_notices() == 1
        assert services.send_expiry_notices() == 0
    assert len(mail.outbox) == 2
    days = ExpiryNotice.objects.filter(award=award).values_list("days", flat=True)
    assert sorted(days) == [30, 90]


def test_no_notice_for_revoked_or_renewed_awards(cast, pathway):
    award = _module_award(cast, pathway, days=20)
    services.revoke_award(award, by=cast["admin"], reason="Wrong learner.")
    assert services.send_expiry_notices() == 0


def test_the_beat_scheduler_runs_the_notices():
    from django.conf import settings

    schedule = settings.CELERY_BEAT_SCHEDULE.values()
    assert any(
        entry["task"] == "credentials.tasks.send_expiry_notices" for entry in schedule
    )


# An expired credential, everywhere it shows.


@pytest.fixture
def expired(cast, pathway):
    return _module_award(cast, pathway, days=30, completed_days_ago=40)


def test_an_expired_credential_says_so_on_its_page(client, cast, expired):
    client.force_login(cast["learner"])
    page = client.get(expired.get_absolute_url()).text
    assert "(expired)" in page
    assert "Expired: this credential is past its end date." in page
    assert "How to renew it" in page
    assert verify_award(expired).status == "expired"


def test_an_expired_credential_says_so_in_the_learners_record(client, cast, expired):
    client.force_login(cast["learner"])
    page = client.get(reverse("credentials:mine")).text
    assert f"Expired {expired.expires_at:%-d %b %Y}" in page


def test_an_expired_credential_says_so_in_the_api(client, cast, expired):
    client.force_login(cast["learner"])
    response = client.get("/api/awards/")
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    row = next(r for r in rows if r["uuid"] == str(expired.uuid))
    assert row["is_expired"] is True
    assert row["expires_at"]
    checked = client.post(
        "/api/verify", expired.credential, content_type="application/json"
    )
    assert checked.json()["status"] == "expired"


def test_an_expired_credential_says_so_on_its_pdf(expired):
    services.render_certificate(expired)
    expired.refresh_from_db()
    assert expired.pdf_design.endswith(":expired")
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(expired.pdf.read())).pages
    )
    assert "EXPIRED" in text
    assert "expired on" in text.lower()


# Renewal: a new credential, the history kept.


def test_renewing_issues_a_new_credential_and_keeps_the_old(cast, expired):
    new = services.renew_award(expired, by=cast["admin"], reason="Checked the logbook.")
    expired.refresh_from_db()
    assert new.pk != expired.pk
    assert new.renewal_of == expired
    assert not expired.is_revoked
    assert expired.renewed_at is not None
    assert verify_award(expired).status == "expired"  # history, not revoked
    assert verify_award(new).status == "valid"
    assert new.expires_at > timezone.now() + timedelta(days=29)
    assert "validUntil" in new.credential
    assert AuditEntry.objects.filter(action="award.renewed").exists()
    with pytest.raises(ValidationError):
        services.renew_award(expired, by=cast["admin"], reason="Twice.")


def test_a_credential_far_from_its_end_cannot_be_renewed_yet(cast, pathway):
    award = _module_award(cast, pathway, days=365)
    with pytest.raises(ValidationError, match="within 90 days"):
        services.renew_award(award, by=cast["admin"], reason="Early.")


@pytest.mark.parametrize(("role", "status"), [("admin", 302), ("learner", 403)])
def test_renewing_from_the_page(client, cast, expired, role, status):
    client.force_login(cast[role])
    response = client.post(
        reverse("credentials:renew", args=[expired.uuid]),
        {"reason": "Observed at work.", "confirm": "on"},
    )
    assert response.status_code == status
    assert Award.objects.filter(renewal_of=expired).exists() == (status == 302)


def test_a_renewal_without_a_reason_changes_nothing(client, cast, expired):
    client.force_login(cast["admin"])
    response = client.post(
        reverse("credentials:renew", args=[expired.uuid]), {"confirm": "on"}
    )
    assert response.status_code == 400
    assert not Award.objects.filter(renewal_of=expired).exists()


def test_a_pathway_recertification_renews_the_earlier_award(
    cast, django_capture_on_commit_callbacks
):
    from pathways import services as pathways

    pathway = builders.make_pathway(cast, valid_for_days=30)
    pathways.enrol(cast["learner"], pathway.version)
    with django_capture_on_commit_callbacks(execute=True):
        for task in pathway.tasks:
            builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    first = Award.objects.get(kind=Award.Kind.PATHWAY)
    later = first.expires_at + timedelta(days=1)
    version = PathwayVersion.objects.get(pk=pathway.version.pk)
    with django_capture_on_commit_callbacks(execute=True):
        pathways.record_pathway_completion(cast["learner"], version, trace={}, on=later)
    second = Award.objects.filter(kind=Award.Kind.PATHWAY).exclude(pk=first.pk).get()
    first.refresh_from_db()
    assert second.renewal_of == first
    assert first.renewed_at is not None
    assert not first.is_revoked
