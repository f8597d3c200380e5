"""A person's notifications of one burst go in one e-mail (issue 17): a learner
whose grades bring three module credentials and a pathway credential is told
of each in the app, and by one e-mail, queued once, a burst after the first.

The tasks go to an in-process broker (kombu's memory transport) and are run
from it here as a worker runs them, holding those with a countdown until the
rest is done, as a worker holds them until their time."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Notification
from accounts.notifications import services
from config.celery import app as celery_app
from credentials.models import Award
from pathways import services as pathways
from tests import builders, memory_broker
from tests.conftest import broker_at


def _messages(queue: str) -> list[tuple[str, list, dict, bool]]:
    return memory_broker.take_messages(queue)


def run_queued(django_capture_on_commit_callbacks) -> list[tuple[str, list]]:
    """Run every queued task until none is left, those with a countdown last
    (their time has come, and the burst's quiet: see
    test_a_burst_waits...); returns the held ones run."""
    _, held = memory_broker.run_queued(
        django_capture_on_commit_callbacks, held_kwargs={"wait": False}
    )
    return [(task, args) for task, args, _ in held]


@pytest.fixture
def bursts(settings, cast):
    settings.CAIRN_MAIL_BURST_SECONDS = 30
    # The burst's key lives in the shared cache, where a recreated test
    # database's first users may have left theirs.
    cache.delete(services._burst_key(cast["learner"].pk))
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
    assert held == [("accounts.notifications.tasks.send_burst", [learner.pk])]
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
    assert queued[:2] == ("accounts.notifications.tasks.send_burst", [learner.pk])

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
    # Its message runs a burst (30 s) after the first: quiet since, it goes.
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
    """The burst's message wakes while notifications still come: it waits once
    more, and what comes meanwhile queues nothing (before, the burst's key
    lapsed a second before the message ran, and each later notification queued
    a message of its own that woke and re-queued itself in turn)."""
    learner = cast["learner"]
    send_burst = celery_app.tasks["accounts.notifications.tasks.send_burst"]
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(learner, "grade.released", "Your grade is ready")
    assert _messages("mail") == [
        ("accounts.notifications.tasks.send_burst", [learner.pk], {}, True)
    ]
    # Its time comes 30 s on, the last notification just made: it waits.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_burst.apply(args=[learner.pk], throw=True).get() == 0
    (rearmed,) = _messages("mail")
    assert rearmed == (
        "accounts.notifications.tasks.send_burst",
        [learner.pk],
        {},
        True,
    )
    for title in ("You have earned A", "You have earned B"):
        with django_capture_on_commit_callbacks(execute=True):
            services.notify(learner, "credential.issued", title)
    assert _messages("mail") == []  # the same burst: its message is queued
    assert not mail.outbox

    # Quiet at last: it sends the three in one e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_burst.apply(args=[learner.pk], kwargs={"wait": False}).get() == 3
    (message,) = mail.outbox
    assert message.subject == "You have earned B (and 2 more)"
    # What comes after it was sent starts a burst, and a message, of its own.
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(learner, "credential.issued", "You have earned C")
    assert _messages("mail") == [
        ("accounts.notifications.tasks.send_burst", [learner.pk], {}, True)
    ]


def test_a_burst_whose_message_was_not_sent_is_tried_by_the_next(
    cast, bursts, django_capture_on_commit_callbacks, monkeypatch
):
    """The broker away when the first notification was made: no message, and
    no key holding back the next notification's."""
    learner = cast["learner"]
    send_burst = celery_app.tasks["accounts.notifications.tasks.send_burst"]
    real = send_burst.apply_async
    monkeypatch.setattr(send_burst, "apply_async", lambda *a, **k: None)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(learner, "grade.released", "Your grade is ready")
    monkeypatch.setattr(send_burst, "apply_async", real)
    assert _messages("mail") == []
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(learner, "credential.issued", "You have earned it")
    assert _messages("mail") == [
        ("accounts.notifications.tasks.send_burst", [learner.pk], {}, True)
    ]
