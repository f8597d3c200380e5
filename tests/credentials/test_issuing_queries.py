"""Issuing at scale: what one award costs the database (issue 17)."""

import pytest

from assessments.models import ModuleCompletion
from credentials import selectors, tasks
from credentials.models import Award
from tests import builders


@pytest.fixture(autouse=True)
def _no_cached_achievements(monkeypatch):
    monkeypatch.setattr(selectors, "_achievements", {})


def _completed(learner, task, faculty, capture) -> ModuleCompletion:
    with capture(execute=False):  # the award is issued by the test, not a signal
        builders.submit_and_pass(task, learner, faculty)
    return ModuleCompletion.objects.get(learner=learner, version=task.version)


def test_a_module_award_takes_eighteen_queries_once_its_version_is_cached(
    cast, pathway, django_capture_on_commit_callbacks, django_assert_num_queries
):
    task = pathway.tasks[0]
    capture = django_capture_on_commit_callbacks
    first = _completed(cast["learner"], task, cast["faculty"], capture)
    tasks.issue_module_award(first.pk)  # makes the key, caches the achievement
    second = _completed(cast["other_learner"], task, cast["faculty"], capture)
    # The completion with its learner and organization (1); the existing-award
    # check (1); rubric results and evidence (2); the issuer profile (1); the
    # active key, read without a lock (1); inside the test's transaction, the
    # key under its lock before any list (3, a savepoint pair; a worker, in no
    # transaction, skips it); a status-list entry reserved (4, a savepoint
    # pair: a worker's own short transaction, committed before signing); the
    # award (5: a savepoint pair, the key checked still active under FOR KEY
    # SHARE, the row, its audit entry): no query rebuilds the achievement.
    with django_assert_num_queries(18):
        tasks.issue_module_award(second.pk)
    assert Award.objects.count() == 2


def test_a_cached_achievement_says_what_a_rebuilt_one_says(
    cast, pathway, django_capture_on_commit_callbacks
):
    task = pathway.tasks[0]
    capture = django_capture_on_commit_callbacks
    first = _completed(cast["learner"], task, cast["faculty"], capture)
    second = _completed(cast["other_learner"], task, cast["faculty"], capture)
    tasks.issue_module_award(first.pk)
    tasks.issue_module_award(second.pk)  # from the cache
    achievements = [
        a.credential["credentialSubject"]["achievement"]
        for a in Award.objects.order_by("pk")
    ]
    assert achievements[0] == achievements[1]
    assert achievements[0]["alignment"]
    assert len(selectors._achievements) == 1


def test_a_draft_versions_achievement_is_never_cached(cast):
    task = builders.make_module(cast, "D-100", publish=False)
    selectors.module_achievement_info(task.version)
    assert selectors._achievements == {}
