"""A person's notifications of one burst go in one e-mail (issue 17): a learner
whose grades bring three module credentials and a pathway credential is told
of each in the app, and by one e-mail, a burst after the first; one flush
task sends every burst that has ended, queued once for many people.

The tasks go to an in-process broker (kombu's memory transport) and are run
from it here as a worker runs them, holding those with a countdown until the
rest is done, as a worker holds them until their time."""

import contextlib

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from accounts.models import Notification
from accounts.notifications import services
from config.celery import app as celery_app
from credentials.models import Award
from pathways import services as pathways
from tests import builders, factories, memory_broker
from tests.conftest import broker_at

FLUSH = "accounts.notifications.tasks.send_due_bursts"


def _messages(queue: str) -> list[tuple[str, list, dict, bool]]:
    return memory_broker.take_messages(queue)


def run_queued(django_capture_on_commit_callbacks) -> list[tuple[str, list]]:
    """Run every queued task until none is left, those with a countdown last,
    as their time comes (the flush's: a burst on, so the bursts it finds have
    ended); returns the held ones run."""
    _, held = memory_broker.run_queued(
        django_capture_on_commit_callbacks,
        held_context=lambda task: (
            override_settings(CAIRN_MAIL_BURST_SECONDS=0)
            if task == FLUSH
            else contextlib.nullcontext()
        ),
    )
    return [(task, args) for task, args, _ in held]


@pytest.fixture
def bursts(settings, cast):
    settings.CAIRN_MAIL_BURST_SECONDS = 30
    # The flush's key lives in the shared cache, where a recreated test
    # database's may have been left.
    cache.delete(services._flush_key())
    with broker_at("memory://"):
        memory_broker.empty_queues()  # what an earlier test left
        yield


def test_a_learners_grades_and_four_credentials_go_in_one_email(
    cast, bursts, django_capture_on_commit_callbacks
):
    learner = cast["learner"]
    built = builders.make_pathway(cast)
    pathways.enrol(learner, built.version)
    for task in built.tasks:  # three grade releases, each its own request
        with django_capture_on_commit_callbacks(execute=True):
            builders.submit_and_pass(task, learner, cast["faculty"])

    held = run_queued(django_capture_on_commit_callbacks)

    awards = Award.objects.filter(learner=learner)
    assert sorted(a.kind for a in awards) == ["module"] * 3 + ["pathway"]
    assert all(a.notified_at for a in awards)
    # In the app: each grade and each credential, as before.
    told = Notification.objects.filter(user=learner)
    assert sorted(told.values_list("kind", flat=True)) == sorted(
        ["grade.released"] * 3 + ["credential.issued"] * 4
    )
    # By e-mail: one message queued for the burst, one e-mail telling all seven.
    assert [task for task in held if task[0] == FLUSH] == [(FLUSH, [])]
    (message,) = [m for m in mail.outbox if learner.email in m.to]
    assert message.subject.endswith("(and 6 more)")
    for award in awards:
        assert f"You have earned “{award.achievement_name}”" in message.body
        assert award.get_absolute_url() in message.body
    assert not told.filter(emailed_at=None).exists()
    assert told.values("emailed_at").distinct().count() == 1


def test_a_lost_burst_is_sent_by_the_sweep_once(
    cast, bursts, django_capture_on_commit_callbacks
):
    learner = cast["learner"]
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(learner, "grade.released", "Your grade is ready", "Passed.")
        services.notify(learner, "work.assigned", "Mark this", "")
    (queued,) = _messages("mail")  # one message for both; lost here
    assert queued[:2] == (FLUSH, [])

    # Younger than the burst and the grace period: left to its message.
    assert services.sweep_unsent() == 0
    later = timezone.now() + timezone.timedelta(seconds=31)
    assert services.sweep_unsent(now=later) == 1
    run_queued(django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.subject == "Mark this (and 1 more)"
    assert message.body.index("- Your grade is ready") < message.body.index(
        "- Mark this"
    )
    assert services.sweep_unsent(now=later) == 0


def test_a_burst_waits_for_quiet_and_no_longer_than_its_limit(cast, bursts):
    learner = cast["learner"]
    first = services.notify(learner, "grade.released", "Your grade is ready")
    start = first.created_at
    at = lambda seconds: start + timezone.timedelta(seconds=seconds)  # noqa: E731
    # Quiet, but younger than a burst (30 s): it waits for the rest of it.
    assert services.burst_wait(learner.pk, now=at(12)) == pytest.approx(18)
    # A burst after the first, quiet since: it goes.
    assert services.burst_wait(learner.pk, now=at(30)) == 0
    # A credential told 25 s in: the burst waits until 10 s after it.
    latest = services.notify(learner, "credential.issued", "You have earned it")
    Notification.objects.filter(pk=latest.pk).update(created_at=at(25))
    assert services.burst_wait(learner.pk, now=at(30)) == pytest.approx(5)
    # Notifications coming on and on: sent at most four bursts after the first.
    Notification.objects.filter(pk=latest.pk).update(created_at=at(118))
    assert services.burst_wait(learner.pk, now=at(115)) == pytest.approx(5)
    assert services.burst_wait(learner.pk, now=at(120)) == 0


def test_a_growing_burst_keeps_one_message_until_it_is_sent(
    cast, bursts, django_capture_on_commit_callbacks
):
    """The flush wakes while notifications still come: it queues itself once
    more for when the burst can have ended, and what comes meanwhile queues
    nothing."""
    learner = cast["learner"]
    flush = celery_app.tasks[FLUSH]
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(learner, "grade.released", "Your grade is ready")
    assert _messages("mail") == [(FLUSH, [], {}, True)]
    # Its time comes 30 s on, the last notification just made: it waits.
    with django_capture_on_commit_callbacks(execute=True):
        assert flush.apply(throw=True).get() == 0
    assert _messages("mail") == [(FLUSH, [], {}, True)]
    for title in ("You have earned A", "You have earned B"):
        with django_capture_on_commit_callbacks(execute=True):
            services.notify(learner, "credential.issued", title)
    assert _messages("mail") == []  # the same burst: its flush is queued
    assert not mail.outbox

    # Quiet at last: it sends the three in one e-mail.
    later = timezone.now() + timezone.timedelta(seconds=30)  # a burst on
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_bursts(now=later) == 1
    (message,) = mail.outbox
    assert message.subject == "You have earned B (and 2 more)"
    assert _messages("mail") == []  # nothing left growing: no flush
    # What comes after it was sent starts a burst, and a message, of its own.
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(learner, "credential.issued", "You have earned C")
    assert _messages("mail") == [(FLUSH, [], {}, True)]


def test_many_peoples_bursts_go_with_one_flush(
    cast, bursts, django_capture_on_commit_callbacks
):
    """A grade release of many: one message for all their bursts, each
    person's sent in an e-mail of its own (before, a message per person,
    woken again for each wave of credentials)."""
    people = factories.UserFactory.create_batch(5)
    for person in people:
        with django_capture_on_commit_callbacks(execute=True):
            services.notify(person, "grade.released", "Your grade is ready")
            services.notify(person, "credential.issued", "You have earned it")

    assert _messages("mail") == [(FLUSH, [], {}, True)]
    later = timezone.now() + timezone.timedelta(seconds=30)  # a burst on
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_bursts(now=later) == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert all(m.subject == "You have earned it (and 1 more)" for m in mail.outbox)
    assert _messages("mail") == []


def test_a_flush_sends_the_bursts_that_ended_and_waits_for_the_others(
    cast, bursts, django_capture_on_commit_callbacks
):
    quiet, growing = cast["learner"], cast["other_learner"]
    with django_capture_on_commit_callbacks(execute=True):
        told = services.notify(quiet, "grade.released", "Your grade is ready")
        services.notify(growing, "grade.released", "Your grade is ready")
    Notification.objects.filter(pk=told.pk).update(
        created_at=timezone.now() - timezone.timedelta(seconds=30)
    )
    _messages("mail")  # the notifications' flush, run here instead

    with django_capture_on_commit_callbacks(execute=True):
        assert celery_app.tasks[FLUSH].apply(throw=True).get() == 1

    assert [m.to for m in mail.outbox] == [[quiet.email]]
    assert _messages("mail") == [(FLUSH, [], {}, True)]  # for the other


def test_a_burst_whose_message_was_not_sent_is_tried_by_the_next(
    cast, bursts, django_capture_on_commit_callbacks, monkeypatch
):
    """The broker away when the first notification was made: no message, and
    no key holding back the next notification's."""
    learner = cast["learner"]
    flush = celery_app.tasks[FLUSH]
    real = flush.apply_async
    monkeypatch.setattr(flush, "apply_async", lambda *a, **k: None)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(learner, "grade.released", "Your grade is ready")
    monkeypatch.setattr(flush, "apply_async", real)
    assert _messages("mail") == []
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(learner, "credential.issued", "You have earned it")
    assert _messages("mail") == [(FLUSH, [], {}, True)]
