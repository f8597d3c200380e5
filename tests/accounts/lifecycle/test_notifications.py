"""The notification choices on the account page are obeyed."""

from django.core import mail

from accounts.lifecycle import selectors, services
from credentials import services as credentials
from tests.factories import UserFactory


def test_a_learner_who_turned_credential_mail_off_gets_none(
    cast, graded, django_capture_on_commit_callbacks
):
    _, award = graded
    services.update_preferences(cast["learner"], email_on_credentials=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        award = credentials.revoke_award(award, by=cast["admin"], reason="Copied.")
    assert mail.outbox == []
    services.update_preferences(cast["learner"], email_on_credentials=True)
    # The e-mail is queued once the transaction commits (one way: notify()).
    with django_capture_on_commit_callbacks(execute=True):
        credentials.notify_learner_of_status(award, "revoked")
    assert [m.to for m in mail.outbox] == [[cast["learner"].email]]


def test_review_mail_skips_those_who_turned_it_off(db):
    keen, quiet = UserFactory(), UserFactory()
    services.update_preferences(quiet, email_on_reviews=False)
    assert selectors.wants_email(keen, "reviews")
    assert not selectors.wants_email(quiet, "reviews")
