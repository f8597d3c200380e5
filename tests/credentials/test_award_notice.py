"""The chain's last step: once its certificate is ready, the learner is told that
their credential was issued, once, and the sweep tells them if the message was
lost (issue 18: every step recoverable from the database alone)."""

from django.core import mail
from django.core.management import call_command

from credentials import services as credentials
from credentials.models import Award
from pathways import services as pathways
from tests import builders


def _earned(cast, django_capture_on_commit_callbacks):
    built = builders.make_pathway(cast, codes=("A-101",))
    with django_capture_on_commit_callbacks(execute=True):
        pathways.enrol(cast["learner"], built.version)
        builders.submit_and_pass(built.tasks[0], cast["learner"], cast["faculty"])
    return Award.objects.order_by("kind")


def _told(address: str) -> list[str]:
    return [m.subject for m in mail.outbox if address in m.to]


def test_the_learner_is_told_once_of_each_credential_with_its_link(
    cast, django_capture_on_commit_callbacks
):
    awards = _earned(cast, django_capture_on_commit_callbacks)
    assert [a.kind for a in awards] == ["module", "pathway"]
    # Told at issue: the certificate is rendered when first asked for.
    assert all(a.notified_at and not a.pdf for a in awards)
    # Both issued in one burst: one e-mail tells both (and each is in the app).
    (told,) = [m for m in mail.outbox if m.subject.startswith("You have earned")]
    assert told.to == [cast["learner"].email]
    for award in awards:
        assert f"You have earned “{award.achievement_name}”" in told.body
        assert award.get_absolute_url() in told.body

    # A repeat of the message (at-least-once delivery) tells nobody again.
    before = len(mail.outbox)
    credentials.notify_learner_of_award(awards[0].pk)
    assert len(mail.outbox) == before


def test_a_lost_notice_is_sent_by_the_sweep_and_only_once(
    cast, django_capture_on_commit_callbacks
):
    awards = _earned(cast, django_capture_on_commit_callbacks)
    lost = awards[1]
    Award.objects.filter(pk=lost.pk).update(notified_at=None)
    mail.outbox.clear()

    # The notice is e-mailed by the mail queue once the sweep's work commits.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sweep")
    assert _told(cast["learner"].email) == [
        f"You have earned “{lost.achievement_name}”"
    ]
    lost.refresh_from_db()
    assert lost.notified_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        call_command("sweep")
    assert len(mail.outbox) == 1


def test_a_revoked_award_is_never_announced(cast, django_capture_on_commit_callbacks):
    awards = _earned(cast, django_capture_on_commit_callbacks)
    award = awards[0]
    Award.objects.filter(pk=award.pk).update(notified_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        credentials.revoke_award(award, by=cast["admin"], reason="Issued in error.")
    mail.outbox.clear()

    call_command("sweep")
    assert not [m for m in mail.outbox if m.subject.startswith("You have earned")]
