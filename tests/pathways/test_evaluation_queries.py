"""A learner's pathway evaluation in a bounded number of queries (issue 17):
one evaluation per burst of completions (tests/pathways/test_bursts.py), and
that one reads no more than it needs."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.services import void_completion
from pathways import services, tasks
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
    # The learner, their live pathway completions (none: nothing to void),
    # enrolments, module and pathway completions, the catalogue (module
    # versions, their prerequisites, equivalences: no rule nests a pathway,
    # so no published pathway is read), the completion recorded (its lock,
    # insert, audit entry, two savepoints and their releases) and the
    # enrolments marked evaluated.
    assert len(queries) == 16
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
