"""Self-registration and erasure requests through the API: the pages'
services with a person's or a service account's token; bad input is a 400
that changes nothing; another organization is refused."""

import pytest
from django.core import mail

from accounts.lifecycle import services
from accounts.models import AuditEntry, ErasureRequest, SignupPolicy
from curriculum import services as curriculum
from integrations.tokens import services as tokens
from tests.integrations.conftest import bearer, personal_token, service_token


def _org(cast, rest: str) -> str:
    return f"/api/organizations/{cast.organization.slug}/{rest}"


@pytest.fixture
def outsider(cast):
    """An admin of the other organization, with every scope."""
    curriculum.add_member(cast.other_organization, cast["stranger"], role="admin")
    return bearer(personal_token(cast["stranger"], name="theirs"))


# ------------------------------------------------------ self-registration


def test_an_admin_token_reads_and_opens_self_registration(cast):
    api = bearer(personal_token(cast["admin"], "read", "admin", name="sis"))
    read = api.get(_org(cast, "registration/"))
    assert read.status_code == 200
    assert read.json()["is_open"] is False
    assert read.json()["join_url"].endswith(f"/accounts/join/{cast.organization.slug}/")
    put = api.put(
        _org(cast, "registration/"),
        {"is_open": True, "email_domains": ["@College.edu", "students.college.edu"]},
        format="json",
    )
    assert put.status_code == 200, put.json()
    assert put.json()["email_domains"] == ["college.edu", "students.college.edu"]
    policy = SignupPolicy.objects.get(organization=cast.organization)
    assert policy.is_open
    entry = AuditEntry.objects.get(action="signup.policy_changed")
    assert entry.data["via"].startswith("token sis (cairn_pat_")
    # PATCH changes only what it names.
    patched = api.patch(_org(cast, "registration/"), {"is_open": False}, format="json")
    assert patched.json() == {**put.json(), "is_open": False}


@pytest.mark.parametrize(
    "body",
    [
        {"is_open": True, "email_domains": []},
        {"is_open": True, "email_domains": ["not a domain!"]},
        {"is_open": "perhaps", "email_domains": ["college.edu"]},
        {"email_domains": "college.edu"},
    ],
)
def test_bad_settings_are_a_400_and_change_nothing(cast, body):
    api = bearer(personal_token(cast["admin"]))
    entries = AuditEntry.objects.count()
    answer = api.put(_org(cast, "registration/"), body, format="json")
    assert answer.status_code == 400, answer.json()
    assert not SignupPolicy.objects.exists()
    assert AuditEntry.objects.count() == entries


def test_opening_with_no_domain_kept_is_refused_on_patch_too(cast):
    api = bearer(personal_token(cast["admin"]))
    answer = api.patch(_org(cast, "registration/"), {"is_open": True}, format="json")
    assert answer.status_code == 400
    assert "email_domains" in answer.json()
    assert not SignupPolicy.objects.exists()


def test_a_service_account_sets_self_registration(cast):
    account = tokens.create_service_account(
        cast.organization, by=cast["admin"], name="Portal", roles=["admin"]
    )
    api = bearer(service_token(account, cast["admin"]))
    answer = api.put(
        _org(cast, "registration/"),
        {"is_open": True, "email_domains": ["college.edu"]},
        format="json",
    )
    assert answer.status_code == 200, answer.json()


def test_self_registration_is_refused_to_others(cast, outsider):
    body = {"is_open": True, "email_domains": ["evil.example"]}
    assert outsider.get(_org(cast, "registration/")).status_code == 403
    assert (
        outsider.put(_org(cast, "registration/"), body, format="json").status_code
        == 403
    )
    faculty = bearer(personal_token(cast["faculty"]))
    assert faculty.get(_org(cast, "registration/")).status_code == 403
    reader = bearer(personal_token(cast["admin"], "read"))
    assert (
        reader.put(_org(cast, "registration/"), body, format="json").status_code == 403
    )
    assert not SignupPolicy.objects.exists()


# --------------------------------------------------------------- erasure


@pytest.fixture
def erasure(cast):
    return services.request_erasure(cast["learner"], note="Please.")


def test_an_admin_token_lists_and_declines_a_request(cast, erasure):
    api = bearer(personal_token(cast["admin"], "read", "admin", name="dpo"))
    listed = api.get(_org(cast, "erasure-requests/")).json()["results"]
    assert [(e["id"], e["username"], e["note"]) for e in listed] == [
        (erasure.pk, cast["learner"].username, "Please.")
    ]
    answer = api.post(
        _org(cast, f"erasure-requests/{erasure.pk}/decline/"),
        {"reason": "We must keep records for six years."},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "declined"
    erasure.refresh_from_db()
    assert erasure.decision_reason == "We must keep records for six years."
    entry = AuditEntry.objects.get(action="erasure.declined")
    assert entry.data["via"].startswith("token dpo (cairn_pat_")
    assert api.get(_org(cast, "erasure-requests/")).json()["results"] == []
    every = api.get(_org(cast, "erasure-requests/?status=all")).json()["results"]
    assert [e["status"] for e in every] == ["declined"]
    # Deciding again is a 400 that changes nothing.
    again = api.post(_org(cast, f"erasure-requests/{erasure.pk}/confirm/"))
    assert again.status_code == 400
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.DECLINED


def test_a_service_account_confirms_a_request(
    cast, erasure, django_capture_on_commit_callbacks
):
    account = tokens.create_service_account(
        cast.organization, by=cast["admin"], name="Privacy desk", roles=["admin"]
    )
    api = bearer(service_token(account, cast["admin"], name="desk"))
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(_org(cast, f"erasure-requests/{erasure.pk}/confirm/"))
    assert answer.status_code == 200, answer.json()
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.DONE
    assert any("being erased" in message.subject for message in mail.outbox)
    entry = AuditEntry.objects.get(action="erasure.confirmed")
    assert entry.data["via"].startswith("token desk (cairn_sat_")


@pytest.mark.parametrize("body", [{}, {"reason": "   "}, {"reason": "x" * 2001}])
def test_declining_without_a_reason_is_a_400_and_changes_nothing(cast, erasure, body):
    api = bearer(personal_token(cast["admin"]))
    entries = AuditEntry.objects.count()
    answer = api.post(
        _org(cast, f"erasure-requests/{erasure.pk}/decline/"), body, format="json"
    )
    assert answer.status_code == 400
    assert "reason" in answer.json()
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.PENDING
    assert AuditEntry.objects.count() == entries


def test_a_bad_status_filter_is_a_400(cast):
    api = bearer(personal_token(cast["admin"]))
    assert api.get(_org(cast, "erasure-requests/?status=maybe")).status_code == 400


def test_erasure_requests_are_refused_to_others(cast, erasure, outsider):
    reader = bearer(personal_token(cast["admin"], "read"))
    entries = AuditEntry.objects.count()
    confirm = _org(cast, f"erasure-requests/{erasure.pk}/confirm/")
    decline = _org(cast, f"erasure-requests/{erasure.pk}/decline/")
    assert outsider.get(_org(cast, "erasure-requests/")).status_code == 403
    assert outsider.post(confirm).status_code == 403
    answer = outsider.post(decline, {"reason": "No."}, format="json")
    assert answer.status_code == 403
    # Under their own organization's address, the request is not found.
    theirs = f"/api/organizations/{cast.other_organization.slug}/erasure-requests/"
    assert outsider.post(f"{theirs}{erasure.pk}/confirm/").status_code == 404
    assert outsider.get(theirs).json()["results"] == []
    assert reader.post(confirm).status_code == 403
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.PENDING
    assert AuditEntry.objects.count() == entries
