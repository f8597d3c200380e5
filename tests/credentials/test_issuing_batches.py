"""Module awards issued in batches (issue 17): a task issues the waiting
completions together, once each, and leaves those another worker has claimed;
a burst of completions queues one task, and a backlog a chain of them."""

import time

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEntry
from assessments.models import ModuleCompletion
from credentials import services, tasks
from credentials.models import Award
from credentials.services import issuing_batches
from curriculum import services as curriculum
from pathways import services as pathways
from pathways.models import PathwayCompletion
from tests import builders, factories, memory_broker
from tests.conftest import broker_at
from tests.credentials.concurrency import at_once


def _completed(cast, task, count: int, capture) -> list[int]:
    """`count` learners of the cast pass `task`; their awards are left to the
    test (the completions' own messages are not sent)."""
    learners = factories.UserFactory.create_batch(count)
    for learner in learners:
        curriculum.add_member(cast.organization, learner, role="learner")
    with capture(execute=False):
        for learner in learners:
            builders.submit_and_pass(task, learner, cast["faculty"])
    return list(
        ModuleCompletion.objects.filter(version=task.version, learner__in=learners)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_one_task_issues_its_organizations_waiting_completions_once_each(
    cast, pathway, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    ids = _completed(cast, pathway.tasks[0], 4, capture)

    with capture(execute=True):
        assert tasks.issue_module_awards(ids[0]) == 4

    awards = list(Award.objects.filter(module_completion__in=ids))
    assert sorted(a.module_completion_id for a in awards) == ids
    assert len({(a.revocation_list_id, a.revocation_index) for a in awards}) == 4
    learners = dict(
        ModuleCompletion.objects.filter(pk__in=ids).values_list("pk", "learner")
    )
    for award in awards:
        assert services.verify_award(award).status == "valid"
        assert award.learner_id == learners[award.module_completion_id]
        assert award.notified_at is not None  # told after commit
    assert AuditEntry.objects.filter(action="award.issued").count() == 4
    # The message delivered later or twice issues nothing, and finds so at
    # once: one query for the waiting completions.
    with CaptureQueriesContext(connection) as noop:
        assert tasks.issue_module_awards(ids[-1]) == 0
    assert len(noop) == 1, [q["sql"] for q in noop.captured_queries]
    for pk in ids:
        assert tasks.issue_module_awards(pk) == 0
        tasks.issue_module_award(pk)
    assert Award.objects.filter(module_completion__in=ids).count() == 4


@pytest.mark.django_db
def test_a_voided_completion_gets_no_award_in_a_batch(
    cast, pathway, django_capture_on_commit_callbacks
):
    ids = _completed(cast, pathway.tasks[0], 3, django_capture_on_commit_callbacks)
    ModuleCompletion.objects.filter(pk=ids[1]).update(voided_at=timezone.now())

    assert tasks.issue_module_awards(ids[0]) == 2

    assert not Award.objects.filter(module_completion=ids[1]).exists()


@pytest.mark.django_db
def test_a_batchs_queries_grow_only_by_each_awards_own_facts(
    cast, pathway, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    tasks.issue_module_award(_completed(cast, pathway.tasks[0], 1, capture)[0])
    counted = []
    for size in (3, 6):
        ids = _completed(cast, pathway.tasks[0], size, capture)
        with CaptureQueriesContext(connection) as queries, capture(execute=False):
            assert tasks.issue_module_awards(ids[0]) == size
        counted.append(len(queries))
    # Per award only its rubric results and its evidence are read (2); the
    # key, the profile, the status lists, the insert and the audit entries are
    # the batch's.
    assert counted[1] - counted[0] == 2 * 3


@pytest.mark.django_db
def test_a_completion_another_worker_claimed_is_left_to_it(
    cast, pathway, django_capture_on_commit_callbacks
):
    ids = _completed(cast, pathway.tasks[0], 3, django_capture_on_commit_callbacks)
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"]
    ) as other:
        # Another worker's session has claimed the second completion.
        other.execute(
            "SELECT pg_advisory_lock(%s)", [issuing_batches.MODULE_CLAIMS + ids[1]]
        )
        assert tasks.issue_module_awards(ids[0]) == 2
        assert not Award.objects.filter(module_completion=ids[1]).exists()
    # Its claim ended with its session (once the server has ended that: it
    # lags the client's close on a busy machine): a task issues it.
    _wait_for_no_advisory_lock(issuing_batches.MODULE_CLAIMS + ids[1])
    assert tasks.issue_module_awards(ids[1]) == 1
    assert Award.objects.filter(module_completion__in=ids).count() == 3


def _wait_for_no_advisory_lock(key: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND ((classid::bigint << 32) | objid::bigint) = %s",
                [key],
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_batches_delivered_at_once_give_one_award_per_completion(
    broker_down, cast, pathway
):
    assert connection.vendor == "postgresql", "this test needs PostgreSQL"
    learners = factories.UserFactory.create_batch(8)
    for learner in learners:
        curriculum.add_member(cast.organization, learner, role="learner")
        # Graded while the broker is down: the awards are still to issue.
        builders.submit_and_pass(pathway.tasks[0], learner, cast["faculty"])
    ids = list(
        ModuleCompletion.objects.filter(learner__in=learners)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert not Award.objects.filter(module_completion__in=ids).exists()

    # The first completion's message delivered twice, others' beside them, and
    # a single issue of one of the same completions.
    work = [("batch", ids[0]), ("batch", ids[0]), ("batch", ids[3]),
            ("single", ids[5])]  # fmt: skip
    errors = at_once(
        lambda step: (
            tasks.issue_module_awards
            if step[0] == "batch"
            else tasks.issue_module_award
        ).apply(args=[step[1]], throw=True),
        work,
    )

    assert errors == []
    awards = Award.objects.filter(module_completion__in=ids)
    assert sorted(awards.values_list("module_completion", flat=True)) == ids
    assert len(set(awards.values_list("revocation_list", "revocation_index"))) == 8


@pytest.mark.django_db
def test_one_task_issues_its_organizations_waiting_pathway_awards(
    cast, pathway, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    learners = factories.UserFactory.create_batch(3)
    with capture(execute=False):  # the awards are left to the test
        for learner in learners:
            curriculum.add_member(cast.organization, learner, role="learner")
            pathways.enrol(learner, pathway.version)
            for task in pathway.tasks:
                builders.submit_and_pass(task, learner, cast["faculty"])
            pathways.evaluate_learner_pathways(learner)
    ids = list(
        PathwayCompletion.objects.filter(learner__in=learners)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert len(ids) == 3

    with capture(execute=True):
        assert tasks.issue_pathway_awards(ids[0]) == 3
        assert tasks.issue_pathway_awards(ids[1]) == 0

    awards = Award.objects.filter(pathway_completion__in=ids)
    assert sorted(awards.values_list("pathway_completion", flat=True)) == ids
    for award in awards:
        assert award.kind == Award.Kind.PATHWAY
        assert services.verify_award(award).status == "valid"
        assert award.notified_at is not None


@pytest.fixture
def memory_queues():
    """Tasks go to an in-process broker, where the test counts them."""
    with broker_at("memory://"):
        memory_broker.empty_queues()
        yield


def _learners(cast, count: int):
    learners = factories.UserFactory.create_batch(count)
    for learner in learners:
        curriculum.add_member(cast.organization, learner, role="learner")
    return learners


def _batch_tasks(messages) -> list[tuple[str, list, dict]]:
    return [m[:3] for m in messages if m[0].startswith("credentials.tasks.issue_")]


@pytest.mark.django_db
def test_a_burst_of_completions_queues_one_batch_task(
    cast, pathway, memory_queues, django_capture_on_commit_callbacks
):
    """Five grade releases, each its own request: one message for their
    awards, not five (before, one per completion, four in five of which found
    their award issued by the first's batch)."""
    capture = django_capture_on_commit_callbacks
    learners = _learners(cast, 5)
    for learner in learners:
        with capture(execute=True):
            builders.submit_and_pass(pathway.tasks[0], learner, cast["faculty"])
    first = ModuleCompletion.objects.filter(learner__in=learners).order_by("pk")[0]

    queued = memory_broker.take_messages("signing")

    # Started a second on (GATHER_SECONDS), with what came meanwhile.
    assert queued == [("credentials.tasks.issue_module_awards", [first.pk], {}, True)]
    with capture(execute=True):
        assert tasks.issue_module_awards(first.pk) == 5
    assert Award.objects.filter(learner__in=learners).count() == 5
    # A completion after the task started queues a task of its own.
    (late,) = _learners(cast, 1)
    with capture(execute=True):
        builders.submit_and_pass(pathway.tasks[0], late, cast["faculty"])
    (queued,) = memory_broker.take_messages("signing")
    assert queued[1] == [ModuleCompletion.objects.get(learner=late).pk]


@pytest.mark.django_db
def test_a_backlog_is_issued_by_a_chain_of_batches_once_each(
    cast, pathway, memory_queues, django_capture_on_commit_callbacks, monkeypatch
):
    capture = django_capture_on_commit_callbacks
    monkeypatch.setattr(issuing_batches, "ISSUE_BATCH", 2)
    ids = _completed(cast, pathway.tasks[0], 5, capture)  # no message sent

    with capture(execute=True):
        assert tasks.issue_module_awards(ids[0]) == 2
    ran, _ = memory_broker.run_queued(capture)

    # The first batch queued the next before signing, and that one the last.
    assert _batch_tasks(ran) == [
        ("credentials.tasks.issue_module_awards", [ids[2]], {"look_behind": False}),
        ("credentials.tasks.issue_module_awards", [ids[4]], {"look_behind": False}),
    ]
    awards = Award.objects.filter(module_completion__in=ids)
    assert sorted(awards.values_list("module_completion", flat=True)) == ids


@pytest.mark.django_db
def test_a_completion_committed_after_a_later_ones_task_was_queued_is_issued(
    cast, pathway, django_capture_on_commit_callbacks
):
    """Its transaction took the smaller primary key but committed after the
    other completion's queued the burst's task: it queued none, and the task
    looks behind its own completion for it."""
    ids = _completed(cast, pathway.tasks[0], 2, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.issue_module_awards(ids[1]) == 2


@pytest.mark.django_db
def test_a_batch_task_not_sent_leaves_no_marker(cast, monkeypatch):
    sent = []
    monkeypatch.setattr(
        tasks.issue_module_awards,
        "apply_async",
        lambda args, **options: sent.append(args[0]),
    )  # None: the broker was away
    for pk in (1, 2):
        issuing_batches.queue_batch(ModuleCompletion, pk)
    assert sent == [1, 2]
