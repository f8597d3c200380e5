"""Erasure on request: an admin confirms, the person's data goes, their
credentials are revoked, and the figures stay right."""

import dataclasses
import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.lifecycle import services
from accounts.models import AuditEntry, ErasureRequest
from analytics import selectors as analytics
from assessments.models import EvidenceFile
from credentials import services as credentials
from credentials.models import Award
from tests.credentials.conftest import served
from tests.credentials.jsverifier import verify_with_node


def _figures(organization, now):
    headline = analytics.headline(organization, days=365, now=now)
    tasks = [
        (row.task.pk, row.submissions, row.graded, row.learners_graded, row.passed)
        for row in analytics.task_statistics(organization)
    ]
    figures = {f.key: dataclasses.astuple(f) for f in headline.figures}
    return figures, headline.waiting, tasks


def _erase(client, cast, django_capture_on_commit_callbacks):
    """The learner asks on their account page; the admin confirms on the queue."""
    client.force_login(cast["learner"])
    response = client.post(
        reverse("accounts:account-erasure"),
        {"note": "Leaving the college.", "confirm": "on"},
    )
    assert response.status_code == 302
    erasure = ErasureRequest.objects.get(user=cast["learner"])
    assert erasure.status == ErasureRequest.Status.PENDING

    client.force_login(cast["admin"])
    queue = reverse("accounts:erasure-requests", args=[cast.organization.slug])
    page = client.get(queue)
    assert page.status_code == 200
    assert cast["learner"].email in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(
                "accounts:erasure-decide", args=[cast.organization.slug, erasure.pk]
            ),
            {"decision": "confirm"},
        )
    assert response.status_code == 302
    erasure.refresh_from_db()
    return erasure


@pytest.mark.node
def test_erasure_removes_personal_data_and_revokes_credentials(
    client, cast, graded, django_capture_on_commit_callbacks
):
    submission, award = graded
    learner = cast["learner"]
    old = {
        "username": learner.username,
        "email": learner.email,
        "name": learner.get_full_name(),
    }
    EmailAddress.objects.create(user=learner, email=learner.email, verified=True)
    evidence = submission.files.get()
    evidence_name, storage = evidence.file.name, evidence.file.storage
    # The learner asked for the certificate once: it was rendered and kept.
    award = credentials.certificate_for_download(Award.objects.get(pk=award.pk))
    pdf_name = award.pdf.name
    assert pdf_name
    assert storage.exists(evidence_name)
    assert storage.exists(pdf_name)
    copy_held_elsewhere = dict(award.credential)
    assert verify_with_node(copy_held_elsewhere, **served(client, award.credential))[
        "verified"
    ]
    now = timezone.now() + timedelta(minutes=1)
    before = _figures(cast.organization, now)

    mail.outbox.clear()
    erasure = _erase(client, cast, django_capture_on_commit_callbacks)

    assert erasure.status == ErasureRequest.Status.DONE
    # The person was told before their address went, and by nothing after.
    assert [m.to for m in mail.outbox] == [[old["email"]]]
    assert "being erased" in mail.outbox[0].subject
    learner = get_user_model().objects.get(pk=learner.pk)
    assert learner.username == erasure.pseudonym
    assert learner.username.startswith("erased-")
    assert (learner.first_name, learner.last_name, learner.email) == ("", "", "")
    assert not learner.is_active
    assert not learner.has_usable_password()
    assert not EmailAddress.objects.filter(user=learner).exists()
    # Evidence files and the certificate are gone, from the disk too.
    assert not EvidenceFile.objects.filter(submission=submission).exists()
    assert not storage.exists(evidence_name)
    assert not storage.exists(pdf_name)
    submission.refresh_from_db()
    assert submission.text == ""
    assert submission.links == []
    # The credential is revoked, and a copy held elsewhere fails verification.
    award = Award.objects.get(pk=award.pk)
    assert award.is_revoked
    assert award.revocation_reason == "erasure requested"
    result = verify_with_node(copy_held_elsewhere, **served(client, award.credential))
    assert result["verified"] is False
    assert result["status"]["revocation"] is True
    # Cairn's own page of the credential says revoked, and names nobody.
    assert credentials.verify_award(award).status == "revoked"
    public = client.get(award.get_absolute_url())
    assert public.status_code == 200
    for value in (old["name"], old["email"], old["username"]):
        assert value not in public.text
    assert old["name"] not in json.dumps(award.credential)
    # The audit trail keeps the facts without the person's name or address.
    actions = set(
        AuditEntry.objects.filter(organization=cast.organization).values_list(
            "action", flat=True
        )
    )
    assert {"erasure.requested", "erasure.confirmed", "award.revoked"} <= actions
    assert "erasure.done" in actions
    for entry in AuditEntry.objects.all():
        text = str(entry.data).lower()
        for value in old.values():
            assert value.lower() not in text, (entry.action, entry.data)
    trail = client.get(reverse("accounts:audit", args=[cast.organization.slug]))
    assert trail.status_code == 200
    for value in old.values():
        assert value not in trail.text
    # Aggregate analytics are the same as before, but for the revocation itself.
    figures, waiting, tasks = _figures(cast.organization, now)
    revoked = figures.pop("awards_revoked")
    assert revoked[2] == before[0].pop("awards_revoked")[2] + 1
    assert (figures, waiting, tasks) == before
    assert figures["submissions_graded"][2] == 1
    assert figures["module_completions"][2] == 1
    # The person cannot log in any more.
    client.logout()
    response = client.post(
        reverse("login"), {"username": old["username"], "password": "pw"}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_erasure_runs_once(client, cast, graded, django_capture_on_commit_callbacks):
    erasure = _erase(client, cast, django_capture_on_commit_callbacks)
    pseudonym = erasure.pseudonym
    revocations = AuditEntry.objects.filter(action="award.revoked").count()
    credentials.erase_person(erasure)
    erasure.refresh_from_db()
    assert erasure.pseudonym == pseudonym
    assert AuditEntry.objects.filter(action="award.revoked").count() == revocations


def test_a_declined_request_erases_nothing(
    client, cast, graded, django_capture_on_commit_callbacks
):
    learner = cast["learner"]
    erasure = services.request_erasure(learner, note="")
    client.force_login(cast["admin"])
    url = reverse("accounts:erasure-decide", args=[cast.organization.slug, erasure.pk])
    response = client.post(url, {"decision": "decline", "reason": ""}, follow=True)
    assert "Say why" in response.text
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.PENDING
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "decline", "reason": "Records kept by law."})
    (message,) = mail.outbox
    assert message.to == [learner.email]
    assert "Records kept by law." in message.body
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.DECLINED
    learner.refresh_from_db()
    assert learner.is_active
    assert learner.email
    assert not Award.objects.get(learner=learner).is_revoked
    client.force_login(learner)
    page = client.get(reverse("accounts:account"))
    assert "Records kept by law." in page.text


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("faculty", 403), ("learner", 403), ("outside_faculty", 403)],
)
def test_only_the_organizations_admins_see_erasure_requests(client, cast, role, status):
    client.force_login(cast[role])
    url = reverse("accounts:erasure-requests", args=[cast.organization.slug])
    assert client.get(url).status_code == status


def test_an_admin_of_another_organization_cannot_confirm(client, cast):
    from accounts.models import Membership
    from tests.factories import UserFactory

    erasure = services.request_erasure(cast["learner"])
    outsider = UserFactory()
    Membership.objects.create(
        user=outsider, organization=cast.other_organization, role="admin"
    )
    client.force_login(outsider)
    url = reverse(
        "accounts:erasure-decide", args=[cast.other_organization.slug, erasure.pk]
    )
    assert client.post(url, {"decision": "confirm"}).status_code == 404
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.PENDING


def test_one_open_request_at_a_time(cast):
    services.request_erasure(cast["learner"])
    with pytest.raises(ValidationError, match="already"):
        services.request_erasure(cast["learner"])


def test_the_request_needs_the_persons_confirmation(client, cast):
    client.force_login(cast["learner"])
    response = client.post(reverse("accounts:account-erasure"), {"note": "x"})
    assert response.status_code == 400
    assert not ErasureRequest.objects.exists()


def test_the_erasure_queue_does_not_grow_in_queries(
    client, cast, django_assert_max_num_queries
):
    from accounts.models import Membership
    from tests.factories import UserFactory

    for _ in range(8):
        person = UserFactory()
        Membership.objects.create(
            user=person, organization=cast.organization, role="learner"
        )
        services.request_erasure(person, note="Please.")
    client.force_login(cast["admin"])
    url = reverse("accounts:erasure-requests", args=[cast.organization.slug])
    with django_assert_max_num_queries(8):
        page = client.get(url)
    assert page.text.count("Confirm erasure") == 8
