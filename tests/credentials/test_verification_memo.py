"""The verification page remembers what depends on a credential's content alone
(its signatures, its schema), and nothing that may change under it: a
revocation, a suspension, a reinstatement or a key reported compromised shows
on the next request, and changed content is checked afresh (issue 17)."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from credentials import services
from credentials.models import Award
from credentials.services import checkmemo
from credentials.services.verification import verify_credential
from tests import builders


@pytest.fixture(autouse=True)
def _suspension_entries(request):
    if "cast" in request.fixturenames:
        builders.with_suspension_entries(request.getfixturevalue("cast"))


@pytest.fixture(autouse=True)
def _empty_memory():
    checkmemo.forget()
    yield
    checkmemo.forget()


def page(client, award: Award) -> str:
    response = client.get(award.get_absolute_url())
    assert response.status_code == 200
    return response.text


def proofs_remembered() -> int:
    return sum(1 for key in checkmemo._found if key[0] == "proof")


def test_the_page_checks_a_signature_once_and_remembers_it(client, issued):
    first = page(client, issued)
    assert "Genuine" in first
    assert proofs_remembered() == 1
    assert "Genuine" in page(client, issued)
    assert proofs_remembered() == 1


def test_a_revocation_shows_at_once_though_the_signature_is_remembered(
    client, cast, issued
):
    assert "Genuine" in page(client, issued)
    services.revoke_award(issued, by=cast["admin"], reason="Plagiarism found.")
    after = page(client, Award.objects.get(pk=issued.pk))
    assert "Revoked: this credential is no longer valid." in after
    assert "Plagiarism found." in after
    assert "Genuine" not in after
    assert services.verify_award(Award.objects.get(pk=issued.pk)).status == "revoked"


def test_a_suspension_and_a_reinstatement_show_at_once(client, cast, issued):
    assert services.verify_award(issued).status == "valid"
    services.suspend_award(issued, by=cast["admin"], reason="Under review.")
    issued.refresh_from_db()
    assert "Suspended" in page(client, issued)
    assert services.verify_award(issued).status == "suspended"
    services.reinstate_award(issued, by=cast["admin"], reason="Cleared.")
    issued.refresh_from_db()
    assert services.verify_award(issued).status == "valid"
    assert "Genuine" in page(client, issued)


def test_changed_content_is_checked_again_not_taken_from_memory(issued):
    assert services.verify_award(issued).status == "valid"
    tampered = {
        **issued.credential,
        "name": issued.credential.get("name", "") + " (with honours)",
    }
    assert verify_credential(tampered).status == "tampered"
    # The genuine one is still genuine: the memory keys on content.
    assert verify_credential(issued.credential).status == "valid"


def test_dates_are_read_against_today_every_time(issued):
    assert verify_credential(issued.credential).status == "valid"
    early = verify_credential(
        issued.credential, now=issued.issued_at - timedelta(days=1)
    )
    assert early.status == "not-yet-valid"
    expiring = {**issued.credential, "validUntil": "2000-01-01T00:00:00Z"}
    # Unsigned change: tampered, and not remembered as valid either.
    assert verify_credential(expiring).status == "tampered"


def test_a_key_reported_compromised_shows_at_once(
    cast, pathway, issued, django_capture_on_commit_callbacks
):
    key = issued.signing_key
    time.sleep(1.05)  # proofs state their time to the second
    since = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[1], cast["learner"], cast["faculty"])
    after = Award.objects.exclude(pk=issued.pk).get()
    assert services.verify_award(after).status == "valid"
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_key_compromised(
            key, by=cast["admin"], since=since, reason="Laptop stolen."
        )
    after.refresh_from_db()
    verification = services.verify_award(after)
    assert verification.status == "revoked"
    assert "compromised" in verification.headline
    assert services.verify_award(issued).status == "valid"


def test_the_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(checkmemo, "SIZE", 3)
    for number in range(5):
        assert checkmemo.remembered(("test", number), lambda n=number: n * 2) == (
            number * 2
        )
    assert len(checkmemo._found) == 3
    computed = []
    checkmemo.remembered(("test", 0), lambda: computed.append(1))
    assert computed == [1]  # the oldest went first


def test_the_page_reads_the_signing_key_once_with_the_award(client, issued):
    """The credential's proof and its two status lists are signed with the
    award's key, read with the award's row: not read again for each."""
    page(client, issued)
    with CaptureQueriesContext(connection) as captured:
        page(client, issued)
    keys = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "credentials_signingkey"' in q["sql"]
    ]
    assert keys == []
    # The award (with its key), the two status lists, the renewals.
    assert len(captured.captured_queries) <= 4
