"""The issuer page's actions through the API: the profile and how it signs,
the logo and certificate samples, signing keys, endorsements, and an admin's
work on credentials (the list, reissuing, renewing)."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from accounts.models import AuditEntry, Organization
from credentials import services
from credentials.models import Award, Endorsement, IssuerProfile, SigningKey
from integrations.tokens import services as tokens
from tests.credentials.test_endorsements import approved  # noqa: F401
from tests.credentials.test_expiry import _module_award
from tests.integrations.conftest import bearer, personal_token, service_token


def _org(cast) -> str:
    return f"/api/organizations/{cast.organization.slug}"


@pytest.fixture
def issued(cast, pathway, django_capture_on_commit_callbacks):
    from tests import builders

    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    return Award.objects.get()


def _png() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "navy").save(out, "PNG")
    out.seek(0)
    out.name = "logo.png"
    return out


def test_an_admin_token_reads_and_changes_the_issuer_profile(cast):
    api = bearer(personal_token(cast["admin"], "read", "admin", name="branding"))
    profile = api.get(f"{_org(cast)}/issuer/").json()
    assert profile["name"] == cast.organization.name
    assert profile["proof_format"] == "eddsa-rdfc-2022"
    changed = api.patch(
        f"{_org(cast)}/issuer/",
        {
            "name": "Northfield College of Arts",
            "url": "https://northfield.example.edu",
            "proof_format": "Ed25519Signature2020",
            "suspension_entry": True,
        },
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["name"] == "Northfield College of Arts"
    assert changed.json()["suspension_entry"] is True
    organization = Organization.objects.get(pk=cast.organization.pk)
    assert organization.url == "https://northfield.example.edu"
    signing = IssuerProfile.objects.get(organization=organization)
    assert (signing.proof_format, signing.suspension_entry) == (
        "Ed25519Signature2020",
        True,
    )
    for action in ("issuer.details_changed", "issuer.signing_changed"):
        entry = AuditEntry.objects.get(action=action)
        assert entry.data["via"].startswith("token branding (cairn_pat_")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"url": "ftp://files.example.edu/"}, "url"),
        ({"url": "not a site"}, "url"),
        ({"email": "nobody"}, "email"),
        ({"proof_format": "RsaSignature2018"}, "proof_format"),
        ({"name": "Fine", "suspension_entry": "maybe"}, "suspension_entry"),
    ],
)
def test_a_bad_profile_change_is_refused_with_400_and_nothing_changes(
    cast, body, field
):
    api = bearer(personal_token(cast["admin"]))
    before = (
        list(Organization.objects.values("name", "url", "email")),
        list(IssuerProfile.objects.values()),
        AuditEntry.objects.count(),
    )
    answer = api.patch(f"{_org(cast)}/issuer/", body, format="json")
    assert answer.status_code == 400
    assert field in answer.json()
    assert (
        list(Organization.objects.values("name", "url", "email")),
        list(IssuerProfile.objects.values()),
        AuditEntry.objects.count(),
    ) == before


def test_the_logo_is_replaced_and_checked(cast):
    api = bearer(personal_token(cast["admin"], "read", "admin", name="branding"))
    url = f"{_org(cast)}/issuer/logo/"
    done = api.put(url, {"logo": _png()}, format="multipart")
    assert done.status_code == 200, done.json()
    assert done.json()["logo_url"].endswith(f"/issuers/{cast.organization.slug}/logo")
    assert IssuerProfile.objects.get().logo_type == "image/png"
    assert AuditEntry.objects.get(action="issuer.logo_changed").data["via"]
    text = io.BytesIO(b"<svg/>")
    text.name = "logo.svg"
    before = (IssuerProfile.objects.get().logo, AuditEntry.objects.count())
    refused = api.put(url, {"logo": text}, format="multipart")
    assert refused.status_code == 400
    assert "logo" in refused.json()
    assert api.put(url, {}, format="multipart").status_code == 400
    assert (IssuerProfile.objects.get().logo, AuditEntry.objects.count()) == before


def test_certificate_samples_come_as_pdf(cast):
    api = bearer(personal_token(cast["admin"], "read"))
    sample = api.get(f"{_org(cast)}/issuer/certificate-samples/long/")
    assert sample.status_code == 200
    assert sample["Content-Type"] == "application/pdf"
    assert sample.content.startswith(b"%PDF")
    missing = api.get(f"{_org(cast)}/issuer/certificate-samples/huge/")
    assert missing.status_code == 404


def test_keys_are_listed_rotated_and_marked_compromised(cast, issued):
    api = bearer(personal_token(cast["admin"], "read", "admin", name="keys"))
    keys = api.get(f"{_org(cast)}/keys/").json()
    assert [k["is_active"] for k in keys] == [True]
    old = keys[0]["id"]
    rotated = api.post(f"{_org(cast)}/keys/rotate/")
    assert rotated.status_code == 201
    assert rotated.json()["is_active"] is True
    assert not SigningKey.objects.get(pk=old).is_active
    assert (
        AuditEntry.objects.get(action="key.rotated")
        .data["via"]
        .startswith("token keys (")
    )
    since = issued.issued_at - timedelta(minutes=1)
    marked = api.post(
        f"{_org(cast)}/keys/{old}/compromised/",
        {"since": since.isoformat(), "reason": "The backup was stolen."},
        format="json",
    )
    assert marked.status_code == 200, marked.json()
    assert marked.json()["revoked"] == 1
    assert marked.json()["key"]["compromised_at"] is not None
    assert Award.objects.get(pk=issued.pk).is_revoked
    entry = AuditEntry.objects.get(action="key.compromised")
    assert entry.data["via"].startswith("token keys (")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"since": "{future}", "reason": "Leaked."}, "since"),
        ({"since": "{past}", "reason": "  "}, "reason"),
        ({"since": "yesterday", "reason": "Leaked."}, "since"),
        ({"reason": "Leaked."}, "since"),
    ],
)
def test_a_bad_compromise_is_refused_with_400_and_revokes_nothing(
    cast, issued, body, field
):
    moments = {
        "{future}": (timezone.now() + timedelta(days=1)).isoformat(),
        "{past}": (timezone.now() - timedelta(days=1)).isoformat(),
    }
    body = {key: moments.get(value, value) for key, value in body.items()}
    api = bearer(personal_token(cast["admin"]))
    before = AuditEntry.objects.count()
    answer = api.post(
        f"{_org(cast)}/keys/{issued.signing_key_id}/compromised/", body, format="json"
    )
    assert answer.status_code == 400
    assert field in answer.json()
    key = SigningKey.objects.get(pk=issued.signing_key_id)
    assert (key.is_active, key.compromised_at) == (True, None)
    assert not Award.objects.get(pk=issued.pk).is_revoked
    assert AuditEntry.objects.count() == before


def test_another_organization_s_key_is_not_found_here(cast, issued):
    theirs = services.get_signing_key(cast.other_organization)
    api = bearer(personal_token(cast["admin"]))
    answer = api.post(
        f"{_org(cast)}/keys/{theirs.pk}/compromised/",
        {"since": timezone.now().isoformat(), "reason": "Leaked."},
        format="json",
    )
    assert answer.status_code == 404
    assert SigningKey.objects.get(pk=theirs.pk).compromised_at is None


def test_an_approval_is_endorsed_through_the_api(cast, approved):  # noqa: F811
    api = bearer(personal_token(cast["admin"], "read", "admin", name="quality"))
    waiting = api.get(f"{_org(cast)}/endorsements/").json()
    assert [(r["review"], r["endorsement"]) for r in waiting] == [(approved.pk, None)]
    refused = api.post(
        f"{_org(cast)}/endorsements/",
        {"review": approved.pk, "comment": " "},
        format="json",
    )
    assert refused.status_code == 400
    assert "comment" in refused.json()
    assert not Endorsement.objects.exists()
    done = api.post(
        f"{_org(cast)}/endorsements/",
        {"review": approved.pk, "comment": "Meets industry practice."},
        format="json",
    )
    assert done.status_code == 201, done.json()
    assert done.json()["credential"]["proof"]
    entry = AuditEntry.objects.get(action="endorsement.issued")
    assert entry.data["via"].startswith("token quality (")
    twice = api.post(
        f"{_org(cast)}/endorsements/",
        {"review": approved.pk, "comment": "Again."},
        format="json",
    )
    assert twice.status_code == 400
    assert Endorsement.objects.count() == 1


def test_a_service_account_lists_revokes_and_reissues_credentials(cast, issued):
    account = tokens.create_service_account(
        cast.organization, by=cast["admin"], name="Registry", roles=["admin"]
    )
    api = bearer(service_token(account, cast["admin"], "read", "issue", name="sis"))
    listed = api.get(f"{_org(cast)}/awards/", {"status": "valid"}).json()
    assert [a["uuid"] for a in listed["results"]] == [str(issued.uuid)]
    early = api.post(f"/api/credentials/{issued.uuid}/reissue/")
    assert early.status_code == 400  # only a revoked credential is issued again
    assert Award.objects.count() == 1
    revoked = api.post(
        f"/api/credentials/{issued.uuid}/revoke/",
        {"reason": "The name was misspelt."},
        format="json",
    )
    assert revoked.status_code == 200
    again = api.post(f"/api/credentials/{issued.uuid}/reissue/")
    assert again.status_code == 201, again.json()
    assert again.json()["uuid"] != str(issued.uuid)
    assert Award.objects.filter(revoked_at__isnull=True).count() == 1
    entry = AuditEntry.objects.filter(action="award.issued").latest("pk")
    assert entry.data["via"].startswith("token sis (cairn_sat_")
    assert api.get(f"{_org(cast)}/awards/", {"status": "revoked"}).json()["count"] == 1


def test_an_expired_credential_is_renewed_with_a_reason(cast, pathway):
    expired = _module_award(cast, pathway, days=30, completed_days_ago=40)
    api = bearer(personal_token(cast["admin"], "issue", name="renewals"))
    before = Award.objects.count()
    refused = api.post(f"/api/credentials/{expired.uuid}/renew/", {}, format="json")
    assert refused.status_code == 400
    assert "reason" in refused.json()
    assert Award.objects.count() == before
    renewed = api.post(
        f"/api/credentials/{expired.uuid}/renew/",
        {"reason": "Checked the logbook."},
        format="json",
    )
    assert renewed.status_code == 201, renewed.json()
    assert renewed.json()["renewal_of"] == str(expired.uuid)
    assert Award.objects.count() == before + 1
