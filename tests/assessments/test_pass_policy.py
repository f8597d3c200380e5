"""Pass policies at their boundaries: minimum total, minimum level everywhere,
minimum level on named criteria, and both together."""

import pytest
from django.core.exceptions import ValidationError

from assessments import services
from assessments.models import ModuleCompletion
from assessments.scoring import Chosen, judge
from curriculum import services as curriculum
from tests import builders
from tests.assessments.conftest import level_ids


def chosen(*positions, min_levels=None):
    min_levels = min_levels or [None] * len(positions)
    return [
        Chosen(f"C{i}", p, p, m)
        for i, (p, m) in enumerate(zip(positions, min_levels, strict=True))
    ]


@pytest.mark.parametrize(
    ("positions", "min_total", "min_level", "passed"),
    [
        ((2, 2), 4, None, True),  # exactly the minimum total
        ((2, 1), 4, None, False),  # one point short
        ((3, 0), 3, None, True),  # total alone ignores a low criterion
        ((1, 1), None, 1, True),  # exactly the minimum level everywhere
        ((1, 0), None, 1, False),  # one criterion a level short
        ((3, 0), 3, 1, False),  # both: the total is met, a level is not
        ((1, 2), 4, 1, False),  # both: the levels are met, the total is not
        ((2, 2), 4, 2, True),  # both met at their boundaries
    ],
)
def test_the_pass_policy_at_its_boundaries(positions, min_total, min_level, passed):
    verdict = judge(chosen(*positions), min_total=min_total, min_level=min_level)
    assert verdict.passed is passed
    assert verdict.total == sum(positions)
    assert bool(verdict.reasons) is not passed


@pytest.mark.parametrize(
    ("positions", "passed"),
    [((2, 0), True), ((1, 3), False), ((2, 3), True)],
)
def test_a_named_criterion_has_its_own_minimum(positions, passed):
    # Only the first criterion is named, with a minimum of level 2 (index 2).
    verdict = judge(
        chosen(*positions, min_levels=[2, None]), min_total=None, min_level=None
    )
    assert verdict.passed is passed


def test_the_reasons_say_what_fell_short():
    verdict = judge(chosen(1, 0, min_levels=[None, 1]), min_total=4, min_level=None)
    assert verdict.reasons == (
        "1 points; a pass needs 4.",
        "“C1” needs at least level 2.",
    )


def test_grading_applies_a_named_criterion_minimum(cast):
    task = builders.make_module(cast, "NAMED", publish=False)
    rubric = task.rubric
    accuracy = rubric.criteria.get(name="Accuracy")
    services.update_criterion(
        accuracy, by=cast["designer"], name="Accuracy", outcomes=[], min_level=3
    )
    services.update_rubric_policy(
        rubric, by=cast["designer"], kind="analytic", pass_min_total=4,
        pass_min_level=None,
    )  # fmt: skip
    curriculum.publish_version(task.version, by=cast["admin"], changelog="v1")
    submission = builders.submit(task, cast["learner"])
    grade = services.grade_submission(
        submission, grader=cast["faculty"], levels=level_ids(task, [2, 3])
    )
    assert grade.total == 5
    assert grade.passed is False  # 5 points, but Accuracy is below its level 4
    assert not ModuleCompletion.objects.exists()


def test_a_policy_nobody_can_meet_is_refused(cast):
    task = builders.make_module(cast, "HIGH", publish=False)
    with pytest.raises(ValidationError, match="most points possible are 6"):
        services.update_rubric_policy(
            task.rubric, by=cast["designer"], kind="analytic", pass_min_total=7,
            pass_min_level=None,
        )  # fmt: skip
    task.rubric.refresh_from_db()
    assert task.rubric.pass_min_total == 4
