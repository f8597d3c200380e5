"""One evaluation task per burst of completions, across learners (issue 17)."""

import pytest

from assessments.models import ModuleCompletion
from pathways import bursts, receivers, services, tasks
from pathways.models import Enrolment, PathwayCompletion
from tests import builders


@pytest.fixture
def queued(monkeypatch):
    """The burst tasks sent, which do not run (their learners stay waiting)."""
    sent = []
    monkeypatch.setattr(
        tasks.evaluate_waiting_pathways,
        "apply_async",
        lambda *args, **kwargs: sent.append(kwargs) or True,
    )
    return sent


def _announce(learner) -> None:
    # What the module_completed receiver does (pathways/receivers.py).
    receivers.evaluate_on_module_completed(
        sender=ModuleCompletion, learner_id=learner.pk
    )


def test_a_burst_of_completions_across_learners_queues_one_task(cast, queued):
    learner, other = cast["learner"], cast["other_learner"]
    for _ in range(3):
        _announce(learner)
    _announce(other)
    assert len(queued) == 1
    assert queued[0]["countdown"] == bursts.GATHER_SECONDS  # gathers the burst
    assert bursts.take_waiting() == sorted([learner.pk, other.pk])
    assert bursts.take_waiting() == []  # taken once


def test_a_completion_after_the_task_took_its_learners_queues_another(cast, queued):
    learner = cast["learner"]
    _announce(learner)
    assert bursts.take_waiting() == [learner.pk]  # removes the marker first
    _announce(learner)
    _announce(learner)
    assert len(queued) == 2
    assert bursts.take_waiting() == [learner.pk]


def test_a_task_not_sent_leaves_no_marker(cast, monkeypatch):
    sent = []
    monkeypatch.setattr(
        tasks.evaluate_waiting_pathways,
        "apply_async",
        lambda *args, **kwargs: sent.append(kwargs),
    )  # None: the broker was away
    _announce(cast["learner"])
    _announce(cast["learner"])
    assert len(sent) == 2
    assert bursts.take_waiting() == [cast["learner"].pk]  # still waiting


def test_completions_in_one_burst_still_complete_the_pathway(
    cast, pathway, queued, django_capture_on_commit_callbacks
):
    learner = cast["learner"]
    services.enrol(learner, pathway.version)
    for task in pathway.tasks:
        with django_capture_on_commit_callbacks(execute=True):
            builders.submit_and_pass(task, learner, cast["faculty"])
    assert len(queued) == 1  # three completions, one task queued
    assert tasks.evaluate_waiting_pathways() == 1  # the one queued runs
    assert PathwayCompletion.objects.filter(learner=learner).count() == 1
    assert Enrolment.objects.get(learner=learner).evaluated_at is not None
    assert bursts.queue_evaluation(learner.pk) is True
    assert tasks.evaluate_waiting_pathways() == 0  # nothing more to record


def test_a_backlog_is_evaluated_by_a_chain_of_batches(
    cast, pathway, monkeypatch, django_capture_on_commit_callbacks
):
    learners = builders.enrol_many(cast, pathway.version, 5, prefix="backlog")
    runs = []
    real = tasks.evaluate_waiting_pathways.run
    monkeypatch.setattr(
        tasks.evaluate_waiting_pathways, "run", lambda: runs.append(1) or real()
    )
    with monkeypatch.context() as held:
        # The workers are busy: every completion waits.
        held.setattr(
            tasks.evaluate_waiting_pathways, "apply_async", lambda **kwargs: True
        )
        for learner in learners:
            for task in pathway.tasks:
                with django_capture_on_commit_callbacks(execute=True):
                    builders.submit_and_pass(task, learner, cast["faculty"])
    assert not PathwayCompletion.objects.filter(learner__in=learners).exists()
    monkeypatch.setattr(bursts, "EVALUATION_BATCH", 2)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.evaluate_waiting_pathways()  # takes 2, queues the next: 2, then 1

    assert len(runs) == 3
    assert PathwayCompletion.objects.filter(learner__in=learners).count() == 5
    assert bursts.take_waiting() == []
