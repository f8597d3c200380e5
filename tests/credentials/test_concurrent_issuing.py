"""Two signing processes issuing the first awards of a new organization at
once, on PostgreSQL: neither deadlocks, and each completion gets one award."""

import threading

import pytest
from celery import shared_task
from django.db import connection, connections, transaction

from assessments.models import ModuleCompletion
from config.celery import is_transient_database_error
from credentials import tasks
from credentials.models import Award, StatusList
from tests import builders
from tests.credentials.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)

TRIES = 4


def issue_at_once(completion_ids: list[int]) -> list[BaseException]:
    # Through the task, as a worker runs it (retries included).
    return at_once(
        lambda pk: tasks.issue_module_award.apply(args=[pk], throw=True),
        completion_ids,
    )


def test_two_signers_of_a_new_organization_issue_without_deadlock(broker_down):
    assert connection.vendor == "postgresql", "this test needs PostgreSQL"
    for _ in range(TRIES):
        cast = builders.make_cast()
        task = builders.make_module(cast, "A-101")
        # Graded while the broker is down: both awards are still to issue.
        builders.submit_and_pass(task, cast["learner"], cast["faculty"])
        builders.submit_and_pass(task, cast["other_learner"], cast["faculty"])
        completions = list(
            ModuleCompletion.objects.filter(
                version__module__organization=cast.organization
            ).values_list("pk", flat=True)
        )
        assert not Award.objects.filter(organization=cast.organization).exists()

        assert issue_at_once(completions) == []

        awards = Award.objects.filter(organization=cast.organization)
        assert sorted(awards.values_list("module_completion", flat=True)) == sorted(
            completions
        )
        # Both entries come from one revocation list, at two different places.
        assert StatusList.objects.filter(organization=cast.organization).count() == 1
        assert len({a.revocation_index for a in awards}) == 2


@shared_task
def lock_two_lists(first: int, second: int, barrier_key: str) -> None:
    """Lock two status lists in the given order, meeting the other thread in
    between: run twice in opposite orders, PostgreSQL detects a deadlock."""
    STARTED.append((first, second))
    with transaction.atomic():
        StatusList.objects.select_for_update().get(pk=first)
        if STARTED.count((first, second)) == 1:  # first tries meet here
            BARRIERS[barrier_key].wait(timeout=30)
        StatusList.objects.select_for_update().get(pk=second)
    FINISHED.append((first, second))


STARTED: list[tuple[int, int]] = []
FINISHED: list[tuple[int, int]] = []
BARRIERS: dict[str, threading.Barrier] = {}


def test_a_task_that_meets_a_deadlock_is_retried_and_succeeds(cast):
    lists = [
        StatusList.objects.create(
            organization=cast.organization,
            issuer_did="did:key:z6Mk",
            purpose=purpose,
            bits=b"",
            assigned=b"",
        ).pk
        for purpose in (StatusList.Purpose.REVOCATION, StatusList.Purpose.SUSPENSION)
    ]
    BARRIERS["deadlock"] = threading.Barrier(2)
    FINISHED.clear()
    STARTED.clear()

    def run(order: list[int]) -> None:
        try:
            # As a worker runs it; in process a retry runs at once.
            lock_two_lists.apply(args=[*order, "deadlock"])
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(order,))
        for order in (lists, list(reversed(lists)))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Both finished; the one PostgreSQL chose as the victim on a second try.
    both = sorted([tuple(lists), tuple(reversed(lists))])
    assert sorted(FINISHED) == both
    assert len(STARTED) == 3
    assert sorted(set(STARTED)) == both


def test_deadlocks_and_serialization_failures_are_told_apart_from_other_errors():
    from django.db import OperationalError
    from psycopg import errors as pg

    for cause, transient in (
        (pg.DeadlockDetected("deadlock detected"), True),
        (pg.SerializationFailure("could not serialize"), True),
        (pg.UndefinedTable("no such table"), False),
    ):
        wrapped = OperationalError(str(cause))
        wrapped.__cause__ = cause  # as Django's error wrapper raises it
        assert is_transient_database_error(wrapped) is transient
