"""Pathway evaluation in a bounded number of queries (issue 17): one task per
burst of completions across learners (tests/pathways/test_bursts.py), each
batch read and recorded in queries that do not grow with its learners, and
reading no more than it needs."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.services import void_completion
from pathways import evaluation, services, tasks
from pathways.models import PathwayCompletion
from tests import builders


def _evaluate(learner) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        tasks.evaluate_learner_pathways(learner.pk)
    return [q["sql"] for q in queries.captured_queries]


def test_the_evaluation_that_records_a_completion_reads_no_nested_pathways(cast):
    learner = cast["learner"]
    built = builders.make_pathway(cast)
    services.enrol(learner, built.version)
    for task in built.tasks:
        builders.submit_and_pass(task, learner, cast["faculty"])
    PathwayCompletion.objects.filter(learner=learner).delete()

    queries = _evaluate(learner)

    (completion,) = PathwayCompletion.objects.filter(learner=learner)
    assert completion.voided_at is None
    # The enrolments, live pathway completions (none: nothing to void) and
    # module completions, the catalogue (module versions, their prerequisites,
    # equivalences: no rule nests a pathway, so no published pathway is read),
    # the completion recorded (a savepoint, its insert, its audit entry, the
    # release) and the enrolments marked evaluated.
    assert len(queries) == 11
    assert not any('FROM "pathways_pathwayversion"' in sql for sql in queries)
    # Evaluated again, it finds the completion standing and records nothing.
    again = _evaluate(learner)
    assert PathwayCompletion.objects.filter(learner=learner).count() == 1
    assert len(again) < len(queries)


def test_an_evaluation_still_voids_what_no_longer_holds(cast):
    learner = cast["learner"]
    built = builders.make_pathway(cast)
    services.enrol(learner, built.version)
    for task in built.tasks:
        builders.submit_and_pass(task, learner, cast["faculty"])
    tasks.evaluate_learner_pathways(learner.pk)
    (completion,) = PathwayCompletion.objects.filter(learner=learner)
    module_completion = built.tasks[0].version.completions.get(learner=learner)
    void_completion(module_completion, by=cast["admin"], reason="Misconduct.")

    tasks.evaluate_learner_pathways(learner.pk)

    completion.refresh_from_db()
    assert completion.voided_at is not None


def _completed_cohort(cast, built, count: int, *, prefix: str) -> list:
    """`count` learners who passed every module, not yet evaluated (in a test
    the commit that would announce their completions never comes)."""
    learners = builders.enrol_many(cast, built.version, count, prefix=prefix)
    for learner in learners:
        for task in built.tasks:
            builders.submit_and_pass(task, learner, cast["faculty"])
    return learners


def test_a_batch_costs_the_same_queries_whatever_its_learners(cast):
    built = builders.make_pathway(cast)
    few = _completed_cohort(cast, built, 2, prefix="few")
    many = _completed_cohort(cast, built, 6, prefix="many")

    counted = []
    for learners in (few, many):
        with CaptureQueriesContext(connection) as queries:
            recorded = evaluation.evaluate_pathways(u.pk for u in learners)
        assert len(recorded) == len(learners)
        counted.append(len(queries))

    assert counted[0] == counted[1] == 11
    assert PathwayCompletion.objects.live().filter(learner__in=many).count() == 6
    # Evaluated again: nothing to record, fewer queries, still flat.
    with CaptureQueriesContext(connection) as queries:
        assert evaluation.evaluate_pathways(u.pk for u in few + many) == []
    assert len(queries) < counted[1]


def test_a_batch_voids_for_one_learner_and_records_for_another(cast):
    built = builders.make_pathway(cast)
    done, doing = _completed_cohort(cast, built, 2, prefix="mixed")
    evaluation.evaluate_pathways([done.pk])
    module_completion = built.tasks[0].version.completions.get(learner=done)
    void_completion(module_completion, by=cast["admin"], reason="Misconduct.")

    (recorded,) = evaluation.evaluate_pathways([done.pk, doing.pk])

    assert recorded.learner_id == doing.pk
    assert not PathwayCompletion.objects.live().filter(learner=done).exists()
    assert PathwayCompletion.objects.filter(learner=done).count() == 1  # voided
