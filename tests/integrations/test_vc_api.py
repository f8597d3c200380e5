"""The W3C VC API of an organization: who may call it, issuing with status
entries, changing the status through the shared status lists, the audit
trail. What the W3C's suites ask is in test_vc_api_interop.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from credentials import services as credentials
from credentials import statuslist
from credentials.models import StatusList
from integrations.models import ApiToken, IssuedCredential
from integrations.tokens import services as tokens
from tests.credentials.conftest import served
from tests.credentials.jsverifier import verify_with_node
from tests.integrations.conftest import bearer, personal_token, service_token
from tests.integrations.vcapi_helpers import base, issue, post, valid_credential

ENDPOINTS = [
    ("credentials/issue", {"credential": valid_credential()}),
    (
        "credentials/status",
        {
            "credentialId": "urn:uuid:0",
            "credentialStatus": [{"type": "BitstringStatusListCredential"}],
        },
    ),
    ("credentials/verify", {"verifiableCredential": valid_credential()}),
    (
        "presentations/verify",
        {"verifiablePresentation": {"@context": [], "type": []}},
    ),
]
NEEDS = {
    "credentials/issue": "issue",
    "credentials/status": "issue",
    "credentials/verify": "read",
    "presentations/verify": "read",
}


@pytest.fixture
def issuer_api(cast, service_account):
    return bearer(service_token(service_account, cast["admin"], "issue", "read"))


def _status_bit(credential: dict, purpose: str) -> bool:
    entry = next(
        e for e in statuslist.entries_of(credential) if e["statusPurpose"] == purpose
    )
    status_list = StatusList.objects.get(
        pk=int(entry["statusListCredential"].rsplit("/", 1)[1])
    )
    bits = statuslist.decode(status_list.credential["credentialSubject"]["encodedList"])
    return statuslist.get_bit(bits, int(entry["statusListIndex"]))


@pytest.mark.parametrize(("path", "body"), ENDPOINTS)
def test_every_endpoint_refuses_a_call_without_a_token(cast, path, body):
    from rest_framework.test import APIClient

    response = post(APIClient(), cast.organization, path, body)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("path", "body"), ENDPOINTS)
def test_every_endpoint_refuses_an_expired_or_revoked_token(
    cast, service_account, path, body
):
    expired_raw = service_token(service_account, cast["admin"], name="old")
    ApiToken.objects.filter(name="old").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    revoked_raw = service_token(service_account, cast["admin"], name="gone")
    tokens.revoke_token(ApiToken.objects.get(name="gone"), by=cast["admin"])
    for raw in (expired_raw, revoked_raw, "cairn_sat_not-a-token"):
        response = post(bearer(raw), cast.organization, path, body)
        assert response.status_code == 401, raw
    assert not IssuedCredential.objects.exists()


@pytest.mark.parametrize(("path", "body"), ENDPOINTS)
def test_every_endpoint_refuses_a_token_without_its_scope(
    cast, service_account, path, body
):
    others = [s for s in ("read", "grade", "issue", "admin") if s != NEEDS[path]]
    raw = service_token(service_account, cast["admin"], *others)
    response = post(bearer(raw), cast.organization, path, body)
    assert response.status_code == 403
    assert NEEDS[path] in response.json()["detail"]
    assert not IssuedCredential.objects.exists()


@pytest.mark.parametrize(("path", "body"), ENDPOINTS)
def test_every_endpoint_refuses_another_organizations_token(cast, path, body):
    outsider = tokens.create_service_account(
        cast.other_organization,
        by=None,
        name="Elsewhere",
        roles=["admin", "faculty"],
    )
    raw = service_token(outsider, None)
    response = post(bearer(raw), cast.organization, path, body)
    assert response.status_code == 403
    assert not IssuedCredential.objects.exists()


def test_a_learner_or_a_designer_cannot_issue(cast):
    for person in ("learner", "designer", "faculty"):
        raw = personal_token(cast[person], "issue", "read")
        assert issue(bearer(raw), cast.organization).status_code == 403
    assert not IssuedCredential.objects.exists()


def test_an_unknown_organization_is_a_404(issuer_api, cast):
    response = issuer_api.post(
        "/api/organizations/nowhere/vc-api/credentials/issue",
        {"credential": valid_credential()},
        format="json",
    )
    assert response.status_code == 404


def test_an_admins_personal_token_and_session_may_issue(cast, client):
    raw = personal_token(cast["admin"], "issue")
    response = issue(bearer(raw), cast.organization)
    assert response.status_code == 201, response.json()
    client.force_login(cast["admin"])
    response = client.post(
        f"{base(cast.organization)}/credentials/issue",
        {"credential": valid_credential(id="urn:uuid:1")},
        content_type="application/json",
    )
    assert response.status_code == 201


def test_issuing_keeps_the_credential_with_its_status_entries_and_audits_it(
    issuer_api, cast
):
    response = issue(issuer_api, cast.organization)
    assert response.status_code == 201
    credential = response.json()["verifiableCredential"]
    record = IssuedCredential.objects.get()
    assert record.credential == credential
    assert record.credential_id == credential["id"]
    purposes = [e["statusPurpose"] for e in statuslist.entries_of(credential)]
    assert purposes == ["revocation", "suspension"]
    assert record.revocation_list.assigned_count == 1
    entry = AuditEntry.objects.get(action="vc_api.issued")
    assert entry.data["credential"] == credential["id"]
    assert entry.data["via"].startswith("token nightly")


def test_issuing_an_id_twice_is_refused_and_uses_no_status_entry(issuer_api, cast):
    assert issue(issuer_api, cast.organization).status_code == 201
    again = issue(issuer_api, cast.organization)
    assert again.status_code == 400
    assert "already issued" in again.json()["detail"]
    assert IssuedCredential.objects.count() == 1
    assert sum(s.assigned_count for s in StatusList.objects.all()) == 2


def test_a_credential_cairn_refuses_to_sign_gives_back_its_status_entries(
    issuer_api, cast
):
    bad = valid_credential(validFrom="2024-01-01T00:00:00Z")
    bad["validUntil"] = "2023-01-01T00:00:00Z"
    response = issue(issuer_api, cast.organization, bad)
    assert response.status_code == 400
    assert "4.9 Validity Period" in response.json()["detail"]
    assert not IssuedCredential.objects.exists()
    assert sum(s.assigned_count for s in StatusList.objects.all()) == 0


def _set(api, organization, credential_id: str, status: str):
    return post(
        api,
        organization,
        "credentials/status",
        {
            "credentialId": credential_id,
            "credentialStatus": [
                {"type": "BitstringStatusListCredential", "status": status}
            ],
        },
    )


def test_suspend_unsuspend_and_revoke_through_the_status_lists(
    issuer_api, cast, client
):
    credential = issue(issuer_api, cast.organization).json()["verifiableCredential"]
    cid = credential["id"]
    assert credentials.verify_credential(credential).status == "valid"

    suspended = _set(issuer_api, cast.organization, cid, "suspended")
    assert suspended.status_code == 200
    assert suspended.json() == {
        "credentialId": cid,
        "revoked": False,
        "suspended": True,
    }
    assert _status_bit(credential, "suspension") is True
    assert credentials.verify_credential(credential).status == "suspended"
    node = verify_with_node(credential, **served(client, credential))
    assert node["status"]["suspension"] is True

    assert _set(issuer_api, cast.organization, cid, "unsuspended").status_code == 200
    assert _status_bit(credential, "suspension") is False
    assert credentials.verify_credential(credential).status == "valid"

    revoked = _set(issuer_api, cast.organization, cid, "revoked")
    assert revoked.json()["revoked"] is True
    assert _status_bit(credential, "revocation") is True
    assert credentials.verify_credential(credential).status == "revoked"
    node = verify_with_node(credential, **served(client, credential))
    assert node["status"]["revocation"] is True

    final = _set(issuer_api, cast.organization, cid, "unsuspended")
    assert final.status_code == 400
    actions = list(
        AuditEntry.objects.filter(action__startswith="vc_api.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "vc_api.issued",
        "vc_api.suspended",
        "vc_api.unsuspended",
        "vc_api.revoked",
    ]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"credentialId": "urn:uuid:x"},
        {"credentialId": "urn:uuid:x", "credentialStatus": [{"status": "eaten"}]},
        {"credentialId": 4, "credentialStatus": [{"status": "revoked"}]},
        {
            "credentialId": "urn:uuid:x",
            "credentialStatus": [{"type": "StatusList2021", "status": "revoked"}],
        },
        [],
    ],
)
def test_a_malformed_status_request_is_a_400(issuer_api, cast, body):
    response = post(issuer_api, cast.organization, "credentials/status", body)
    assert response.status_code == 400
    assert response.json()["problemDetails"]


def test_a_status_change_for_a_credential_not_issued_here_is_a_404(
    issuer_api, cast, service_account
):
    credential = issue(issuer_api, cast.organization).json()["verifiableCredential"]
    other_admin = tokens.create_service_account(
        cast.other_organization, by=None, name="Other", roles=["admin"]
    )
    other_api = bearer(service_token(other_admin, None, "issue"))
    response = _set(other_api, cast.other_organization, credential["id"], "revoked")
    assert response.status_code == 404
    assert IssuedCredential.objects.get().revoked_at is None
    unknown = _set(issuer_api, cast.organization, "urn:uuid:unknown", "revoked")
    assert unknown.status_code == 404


def test_suspending_twice_or_lifting_nothing_is_a_400(issuer_api, cast):
    cid = issue(issuer_api, cast.organization).json()["verifiableCredential"]["id"]
    assert _set(issuer_api, cast.organization, cid, "unsuspended").status_code == 400
    assert _set(issuer_api, cast.organization, cid, "suspended").status_code == 200
    assert _set(issuer_api, cast.organization, cid, "suspended").status_code == 400


def test_the_audit_page_names_what_the_vc_api_did_in_words(issuer_api, cast, client):
    from django.urls import reverse

    cid = issue(issuer_api, cast.organization).json()["verifiableCredential"]["id"]
    _set(issuer_api, cast.organization, cid, "suspended")
    client.force_login(cast["admin"])
    page = client.get(reverse("accounts:audit", args=[cast.organization.slug])).text
    assert "Signed a credential for another system" in page
    assert "Suspended a credential signed for another system" in page
