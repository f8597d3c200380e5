"""One evaluation of a learner's pathways per burst of completions (issue 17)."""

import pytest

from assessments.models import ModuleCompletion
from pathways import bursts, receivers, tasks
from pathways.models import PathwayCompletion


@pytest.fixture
def queued(monkeypatch):
    """The learner ids sent to the evaluation task, which does not run."""
    sent = []
    monkeypatch.setattr(
        tasks.evaluate_learner_pathways,
        "delay",
        lambda learner_id: sent.append(learner_id) or True,
    )
    return sent


def _announce(learner) -> None:
    # What the module_completed receiver does (pathways/receivers.py).
    receivers.evaluate_on_module_completed(
        sender=ModuleCompletion, learner_id=learner.pk
    )


def test_a_burst_of_completions_queues_one_evaluation(cast, queued):
    learner = cast["learner"]
    for _ in range(3):
        _announce(learner)
    _announce(cast["other_learner"])
    assert queued == [learner.pk, cast["other_learner"].pk]


def test_a_completion_after_the_evaluation_started_queues_another(
    cast, pathway, queued
):
    learner = cast["learner"]
    _announce(learner)
    tasks.evaluate_learner_pathways(learner.pk)  # removes the marker first
    _announce(learner)
    _announce(learner)
    assert queued == [learner.pk, learner.pk]


def test_an_evaluation_not_sent_leaves_no_marker(cast, monkeypatch):
    sent = []
    monkeypatch.setattr(
        tasks.evaluate_learner_pathways,
        "delay",
        lambda learner_id: sent.append(learner_id),
    )  # None: the broker was away
    _announce(cast["learner"])
    _announce(cast["learner"])
    assert sent == [cast["learner"].pk] * 2


def test_completions_in_one_burst_still_complete_the_pathway(
    cast, pathway, queued, django_capture_on_commit_callbacks
):
    from pathways import services
    from tests import builders

    learner = cast["learner"]
    services.enrol(learner, pathway.version)
    for task in pathway.tasks:
        with django_capture_on_commit_callbacks(execute=True):
            builders.submit_and_pass(task, learner, cast["faculty"])
    assert queued == [learner.pk]  # three completions, one evaluation queued
    tasks.evaluate_learner_pathways(learner.pk)  # the one queued runs
    assert PathwayCompletion.objects.filter(learner=learner).count() == 1
    assert bursts.queue_evaluation(learner.pk) is True
