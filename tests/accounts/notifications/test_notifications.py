"""notify(): the in-app notification at once, the branded e-mail after commit
(HTML and plain text), preferences and the daily digest, the list and badge."""

import smtplib

import pytest
from django.core import mail
from django.urls import reverse

from accounts.lifecycle import services as lifecycle
from accounts.models import AuditEntry, Notification
from accounts.notifications import services, tasks
from assessments import services as assessments
from tests import builders, factories


@pytest.fixture
def person(db):
    return factories.UserFactory(email="pat@example.org")


def test_notify_records_at_once_and_mails_after_commit(
    person, django_capture_on_commit_callbacks
):
    organization = factories.OrganizationFactory(
        email_sender_name="Northfield Registry",
        brand_colour="#aa3300",
        email_footer="1 College Road",
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = services.notify(
            person,
            "grade.released",
            "Your grade is ready",
            "You passed.",
            "/somewhere/",
            organization=organization,
        )
        assert Notification.objects.filter(user=person).count() == 1
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.subject == "Your grade is ready"
    assert message.from_email.startswith('"Northfield Registry" <')
    assert "You passed." in message.body
    assert "/somewhere/" in message.body
    assert "1 College Road" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert "#aa3300" in html
    assert "You passed." in html
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    # A repeat of the task sends nothing more.
    assert services.send_notification_email(notification.pk) is False
    assert len(mail.outbox) == 1


def test_a_failed_send_keeps_the_notification_and_is_retried(
    person, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.accounts.notifications.failing.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        notification = services.notify(person, "work.assigned", "Mark this", "")
    # The task gave up after its retries; the notification stands, unsent.
    notification.refresh_from_db()
    assert notification.emailed_at is None
    assert tasks.send_notification_email.autoretry_for == tasks.RETRY_ON
    assert smtplib.SMTPException in tasks.RETRY_ON
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert tasks.send_notification_email.apply(args=[notification.pk]).get()
    assert len(mail.outbox) == 1


def test_a_person_who_turned_a_topic_off_is_told_in_app_only(
    person, django_capture_on_commit_callbacks
):
    lifecycle.update_preferences(person, email_on_work=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(person, "work.assigned", "Mark this")
    assert mail.outbox == []
    assert Notification.objects.filter(user=person, read_at__isnull=True).count() == 1


def test_the_daily_digest_sends_one_mail_of_the_days_unread(
    person, django_capture_on_commit_callbacks
):
    lifecycle.update_preferences(person, email_digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(person, "grade.released", "First grade", "Passed.")
        services.notify(person, "credential.issued", "A credential", "Issued.")
        read = services.notify(person, "grade.released", "Seen already")
    services.mark_read(person, read.pk)
    assert mail.outbox == []  # nothing one by one
    assert services.send_daily_digests() == 1
    (digest,) = mail.outbox
    assert "2 new notifications" in digest.subject
    assert "First grade" in digest.body
    assert "A credential" in digest.body
    assert "Seen already" not in digest.body
    assert services.send_daily_digests() == 0  # each is sent once


def test_an_unknown_kind_is_refused(person):
    with pytest.raises(ValueError, match="Unknown kind"):
        services.notify(person, "made.up", "Hello")
    assert not Notification.objects.filter(user=person).exists()


def test_the_list_pages_marks_read_and_the_badge_counts(client, person):
    for n in range(25):
        services.notify(person, "grade.released", f"Grade {n}", email=False)
    client.force_login(person)
    assert "25 unread" in client.get(reverse("accounts:notifications-badge")).text
    page = client.get(reverse("accounts:notifications"))
    assert "Grade 24" in page.text
    assert "Grade 0" not in page.text
    assert "Page 1 of 2" in page.text
    newest = Notification.objects.filter(user=person).first()
    client.post(reverse("accounts:notification-read", args=[newest.pk]))
    assert "24 unread" in client.get(reverse("accounts:notifications-badge")).text
    client.post(reverse("accounts:notifications-read-all"))
    assert "unread" not in client.get(reverse("accounts:notifications-badge")).text


def test_nobody_marks_another_persons_notification(client, person):
    other = factories.UserFactory()
    theirs = services.notify(other, "grade.released", "Theirs", email=False)
    client.force_login(person)
    client.post(reverse("accounts:notification-read", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_admin_brands_and_previews_the_mail(client, cast):
    client.force_login(cast["admin"])
    url = reverse("accounts:branding", args=[cast.organization.slug])
    refused = client.post(url, {"brand_colour": "red", "email_sender_name": "X"})
    assert refused.status_code == 400
    response = client.post(
        url,
        {
            "email_sender_name": "Registry",
            "brand_colour": "#123456",
            "email_footer": "Call us.",
        },
    )
    assert response.status_code == 302
    page = client.get(url).text
    assert "Registry" in page
    assert "Call us." in page
    preview = client.get(
        reverse("accounts:branding-preview", args=[cast.organization.slug])
    )
    assert "#123456" in preview.text
    assert AuditEntry.objects.filter(action="organization.branding_changed").exists()
    client.force_login(cast["designer"])
    assert client.get(url).status_code in (403, 404)


def test_a_released_grade_and_a_second_mark_tell_people(
    cast, pathway, django_capture_on_commit_callbacks
):
    task = pathway.tasks[0]
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    told = Notification.objects.get(user=cast["learner"], kind="grade.released")
    assert task.title in told.title
    assert any(cast["learner"].email in m.to for m in mail.outbox)


def test_a_grader_assigned_to_a_cohort_is_told(cast):
    cohort = assessments.create_cohort(cast.organization, by=cast["admin"], name="C1")
    assessments.add_to_cohort(
        cohort, by=cast["admin"], user=cast["faculty"], as_role="faculty"
    )
    assert Notification.objects.filter(
        user=cast["faculty"], kind="work.assigned"
    ).exists()


def test_erasure_forgets_the_persons_notifications_and_their_name_in_others(db):
    from accounts.lifecycle.services import pseudonymise_account
    from accounts.models import ErasureRequest

    liam = factories.UserFactory(first_name="Liamo", last_name="Novakowski")
    admin = factories.UserFactory()
    services.notify(liam, "grade.released", "Your grade", email=False)
    told = services.notify(
        admin,
        "credential.expiring",
        "Liamo Novakowski's credential expires soon",
        "Renew Liamo Novakowski's credential.",
        email=False,
    )
    pseudonymise_account(ErasureRequest.objects.create(user=liam))
    assert not Notification.objects.filter(user=liam).exists()
    told.refresh_from_db()
    assert "Liamo" not in told.title
    assert "Novakowski" not in told.body


def test_work_waiting_more_than_a_week_reminds_its_graders_once(cast, pathway):
    from datetime import timedelta

    from django.utils import timezone

    from assessments.models import Submission
    from assessments.services import notices

    submission = builders.submit(pathway.tasks[0], cast["learner"])
    assert notices.remind_overdue_grading() == 0  # not waiting long yet
    Submission.objects.filter(pk=submission.pk).update(
        submitted_at=timezone.now() - timedelta(days=9)
    )
    assert notices.remind_overdue_grading() == 1
    reminder = Notification.objects.get(kind="work.overdue")
    assert reminder.user == cast["faculty"]
    assert "waited 9 days" in reminder.title
    assert notices.remind_overdue_grading() == 0  # once
