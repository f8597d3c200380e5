"""Revocation and suspension through W3C Bitstring Status Lists."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import AuditEntry
from assessments import services as assessments_services
from credentials import services, statuslist
from credentials.models import Award, StatusList
from tests import builders
from tests.credentials.conftest import served
from tests.credentials.jsverifier import verify_with_node


@pytest.fixture(autouse=True)
def _suspension_entries(request):
    """These tests exercise suspension, which needs its own status entry: the
    organization chooses it (tests that build no organization need nothing)."""
    if "cast" in request.fixturenames:
        builders.with_suspension_entries(request.getfixturevalue("cast"))


def _bit(award: Award, purpose: str) -> bool:
    """The award's bit as a stranger reads it: from the served, signed list."""
    entry = next(
        e for e in award.credential["credentialStatus"] if e["statusPurpose"] == purpose
    )
    listed = StatusList.objects.get(pk=entry["statusListCredential"].rsplit("/", 1)[1])
    bits = statuslist.decode(listed.credential["credentialSubject"]["encodedList"])
    return statuslist.get_bit(bits, int(entry["statusListIndex"]))


@pytest.mark.parametrize(
    ("index", "byte", "value"),
    [(0, 0, 0x80), (7, 0, 0x01), (8, 1, 0x80), (13, 1, 0x04)],
)
def test_index_zero_is_the_leftmost_bit(index, byte, value):
    bits = statuslist.set_bit(statuslist.new_bitstring(), index, True)
    assert bits[byte] == value
    assert statuslist.get_bit(statuslist.decode(statuslist.encode(bits)), index)
    assert not statuslist.get_bit(bits, index + 1)


def test_a_list_shorter_than_the_spec_minimum_or_garbage_is_refused():
    with pytest.raises(statuslist.StatusListError, match="minimum"):
        statuslist.decode(statuslist.encode(bytes(16)))
    with pytest.raises(statuslist.StatusListError):
        statuslist.decode("uAAAA")
    with pytest.raises(statuslist.StatusListError):
        statuslist.decode("zabc")


def test_every_award_carries_a_revocation_and_a_suspension_entry(client, issued):
    entries = issued.credential["credentialStatus"]
    assert [e["statusPurpose"] for e in entries] == ["revocation", "suspension"]
    for entry in entries:
        assert entry["type"] == "BitstringStatusListEntry"
        response = client.get(entry["statusListCredential"].split("8000", 1)[1])
        assert response.status_code == 200
        assert "max-age" in response["Cache-Control"]
        listed = response.json()
        assert listed["type"] == [
            "VerifiableCredential",
            "BitstringStatusListCredential",
        ]
        assert listed["issuer"] == issued.credential["issuer"]["id"]
        assert listed["credentialSubject"]["statusPurpose"] == entry["statusPurpose"]
        assert listed["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert not _bit(issued, "revocation")
    assert not _bit(issued, "suspension")


def test_two_awards_get_different_bits(cast, pathway, issued):
    builders.submit_and_pass(pathway.tasks[1], cast["learner"], cast["faculty"])
    services.sweep_unissued()
    first, second = Award.objects.order_by("pk")
    assert first.revocation_list_id == second.revocation_list_id
    assert first.revocation_index != second.revocation_index
    with pytest.raises(IntegrityError):
        Award.objects.filter(pk=second.pk).update(
            revocation_index=first.revocation_index
        )


@pytest.mark.node
def test_a_verifier_reads_revocation_suspension_and_reinstatement(
    client, cast, issued, django_capture_on_commit_callbacks
):
    def node() -> dict:
        award = Award.objects.get(pk=issued.pk)
        documents = served(client, award.credential)
        return verify_with_node(award.credential, **documents)

    fresh = node()
    assert fresh["verified"] is True, fresh
    assert fresh["status"] == {"revocation": False, "suspension": False}

    with django_capture_on_commit_callbacks(execute=True):
        services.suspend_award(issued, by=cast["admin"], reason="Under review.")
    suspended = node()
    assert suspended["verified"] is False
    assert suspended["status"]["suspension"] is True
    assert "suspension" in " ".join(suspended["errors"])

    with django_capture_on_commit_callbacks(execute=True):
        services.reinstate_award(issued, by=cast["admin"], reason="Review cleared.")
    assert node()["verified"] is True

    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_award(issued, by=cast["admin"], reason="Plagiarism found.")
    revoked = node()
    assert revoked["verified"] is False
    assert revoked["status"]["revocation"] is True


@pytest.mark.node
def test_a_tampered_status_list_fails_the_verifier(client, issued, cast):
    documents = served(client, issued.credential)
    url = next(iter(documents["status_lists"]))
    listed = documents["status_lists"][url]
    bits = statuslist.set_bit(
        statuslist.decode(listed["credentialSubject"]["encodedList"]),
        int(issued.credential["credentialStatus"][0]["statusListIndex"]),
        True,
    )
    listed["credentialSubject"]["encodedList"] = statuslist.encode(bits)
    result = verify_with_node(issued.credential, **documents)
    assert result["verified"] is False
    assert "not verified" in " ".join(result["errors"])


def test_revoking_tells_the_learner_and_logs_the_reason(
    cast, issued, django_capture_on_commit_callbacks
):
    mail.outbox.clear()  # the notice that it was issued is another test's
    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_award(issued, by=cast["admin"], reason="Grade overturned.")
    assert _bit(issued, "revocation")
    (message,) = mail.outbox
    assert message.to == [cast["learner"].email]
    assert "revoked" in message.subject
    assert "Grade overturned." in message.body
    assert str(issued.uuid) in message.body
    entry = AuditEntry.objects.get(action="award.revoked")
    assert entry.data["reason"] == "Grade overturned."
    assert entry.actor == cast["admin"]


@pytest.mark.parametrize(
    ("setup", "action", "message"),
    [
        (None, "revoke", "Give a reason"),
        ("revoke", "revoke", "already revoked"),
        ("revoke", "suspend", "cannot be suspended"),
        ("revoke", "reinstate", "cannot be reinstated"),
        (None, "reinstate", "not suspended"),
        ("suspend", "suspend", "already suspended"),
    ],
)
def test_a_status_change_that_cannot_happen_is_refused_and_changes_nothing(
    cast, issued, setup, action, message
):
    act = {
        "revoke": services.revoke_award,
        "suspend": services.suspend_award,
        "reinstate": services.reinstate_award,
    }
    if setup:
        act[setup](issued, by=cast["admin"], reason="First.")
    before = Award.objects.get(pk=issued.pk)
    reason = "" if message == "Give a reason" else "Again."
    with pytest.raises(ValidationError, match=message):
        act[action](issued, by=cast["admin"], reason=reason)
    after = Award.objects.get(pk=issued.pk)
    assert (after.revoked_at, after.suspended_at) == (
        before.revoked_at,
        before.suspended_at,
    )


def test_a_voided_completion_revokes_its_award_and_the_pathway_built_on_it(
    cast, pathway, django_capture_on_commit_callbacks
):
    for task in pathway.tasks:
        with django_capture_on_commit_callbacks(execute=True):
            builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    with django_capture_on_commit_callbacks(execute=True):
        from pathways import services as pathway_services

        pathway_services.enrol(cast["learner"], pathway.version)
    module_award = Award.objects.get(
        kind="module", module_completion__version=pathway.tasks[0].version
    )
    pathway_award = Award.objects.get(kind="pathway")
    with django_capture_on_commit_callbacks(execute=True):
        assessments_services.void_completion(
            module_award.module_completion, by=cast["admin"], reason="Appeal upheld."
        )
    module_award.refresh_from_db()
    assert module_award.is_revoked
    assert "voided" in module_award.revocation_reason
    assert _bit(module_award, "revocation")
    pathway_award.refresh_from_db()
    assert pathway_award.is_revoked
    assert _bit(pathway_award, "revocation")
    # The others still stand.
    assert Award.objects.filter(kind="module", revoked_at__isnull=True).count() == 2


def test_a_revoked_learner_can_earn_and_be_issued_again(
    cast, pathway, issued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assessments_services.void_completion(
            issued.module_completion, by=cast["admin"], reason="Appeal upheld."
        )
    # Earned again (here by recognition of prior learning): a new completion.
    with django_capture_on_commit_callbacks(execute=True):
        assessments_services.record_completion(
            cast["learner"],
            pathway.tasks[0].version,
            source="recognition",
            by=cast["admin"],
        )
    awards = Award.objects.filter(kind="module").order_by("pk")
    assert [a.is_revoked for a in awards] == [True, False]
    assert services.verify_award(awards[1]).status == "valid"
    assert services.verify_award(awards[0]).status == "revoked"


def test_an_admin_reissues_after_revoking_a_standing_completion(cast, issued):
    services.revoke_award(issued, by=cast["admin"], reason="Name misspelt.")
    new = services.reissue_award(issued, by=cast["admin"])
    assert new.pk != issued.pk
    assert new.module_completion_id == issued.module_completion_id
    assert services.verify_award(new).status == "valid"
    # A re-run of the issuing task does not issue a third.
    assert services.issue_module_award(issued.module_completion) == new
    with pytest.raises(ValidationError, match="Only a revoked"):
        services.reissue_award(new, by=cast["admin"])
    with pytest.raises(ValidationError, match="newer credential"):
        services.reissue_award(issued, by=cast["admin"])


def test_the_database_keeps_one_standing_award_per_completion(cast, issued):
    with pytest.raises(IntegrityError):
        Award.objects.create(
            kind=issued.kind,
            learner=issued.learner,
            organization=issued.organization,
            module_completion=issued.module_completion,
            achievement_name=issued.achievement_name,
            signing_key=issued.signing_key,
            credential=issued.credential,
            issued_at=issued.issued_at,
        )


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("designer", 403), ("learner", 403), ("stranger", 403)],
)
def test_only_admins_may_open_the_revoke_form(client, cast, issued, role, status):
    client.force_login(cast[role])
    response = client.get(reverse("credentials:revoke", args=[issued.uuid]))
    assert response.status_code == status


def test_revoking_in_the_browser_needs_a_reason_and_a_confirmation(
    client, cast, issued, django_capture_on_commit_callbacks
):
    client.force_login(cast["admin"])
    mail.outbox.clear()  # the notice that it was issued
    url = reverse("credentials:revoke", args=[issued.uuid])
    response = client.post(url, {"reason": "Fraud."})
    assert response.status_code == 400
    assert "This field is required" in response.text
    assert not Award.objects.get(pk=issued.pk).is_revoked
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Fraud.", "confirm": "on"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert 'class="verdict revoked"' in page.text
    assert "Fraud." in page.text
    (message,) = mail.outbox
    assert "revoked" in message.subject


def test_suspending_and_reinstating_in_the_browser(client, cast, issued):
    client.force_login(cast["admin"])
    client.post(
        reverse("credentials:suspend", args=[issued.uuid]),
        {"reason": "Investigating.", "confirm": "on"},
    )
    page = client.get(issued.get_absolute_url())
    assert 'class="verdict suspended"' in page.text
    assert "Investigating." in page.text
    client.post(
        reverse("credentials:reinstate", args=[issued.uuid]),
        {"reason": "Cleared.", "confirm": "on"},
    )
    assert 'class="verdict valid"' in client.get(issued.get_absolute_url()).text


def test_the_admin_award_list_searches_and_pages(client, cast, issued):
    client.force_login(cast["admin"])
    url = reverse("credentials:manage", args=[cast.organization.slug])
    assert issued.achievement_name in client.get(url).text
    empty = client.get(url, {"q": "no such thing"})
    assert "No credential matches" in empty.text
    learner = issued.learner
    learner.first_name, learner.last_name = "Amira", "Haddad"
    learner.save(update_fields=["first_name", "last_name"])
    assert issued.achievement_name in client.get(url, {"q": "amira HADDAD"}).text
    assert "No credential matches" in client.get(url, {"q": "amira smith"}).text

    def shown(**filters) -> bool:
        return issued.achievement_name in client.get(url, filters).text

    assert shown(status="valid", kind="module")
    assert not shown(status="revoked")
    assert not shown(kind="pathway")
    services.revoke_award(issued, by=cast["admin"], reason="Misconduct.")
    assert shown(status="revoked")
    assert not shown(status="valid")
    assert shown(status="nonsense")  # an unknown value filters nothing
    page = client.get(url, {"status": "revoked", "q": "amira"}).text
    assert "1 credential matches" in page
    client.force_login(cast["learner"])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("faculty", 403)])
def test_the_api_revokes_for_admins_only(client, cast, issued, role, status):
    client.force_login(cast[role])
    url = f"/api/credentials/{issued.uuid}/revoke/"
    response = client.post(
        url, {"reason": "Misconduct."}, content_type="application/json"
    )
    assert response.status_code == status
    assert Award.objects.get(pk=issued.pk).is_revoked is (status == 200)


def test_the_api_explains_a_refused_status_change(client, cast, issued):
    client.force_login(cast["admin"])
    base = f"/api/credentials/{issued.uuid}"
    missing = client.post(f"{base}/suspend/", {}, content_type="application/json")
    assert missing.status_code == 400
    assert "reason" in missing.json()
    refused = client.post(
        f"{base}/reinstate/", {"reason": "Why not."}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert "not suspended" in str(refused.json())
    suspended = client.post(
        f"{base}/suspend/", {"reason": "Checking."}, content_type="application/json"
    )
    assert suspended.json()["suspended_at"]
