"""Fixtures for assessments: a published task, and a few more faculty."""

import pytest

from accounts.models import Membership
from curriculum import services as curriculum
from tests import builders, factories


@pytest.fixture
def task(cast):
    """A published task: criteria Accuracy and Communication, levels 0-3 points,
    pass with 4 points in all and at least level 2 (“Developing”) on each."""
    return builders.make_module(cast, "T-100")


@pytest.fixture
def faculty(cast):
    """Three faculty of the organization: first, second marker and moderator."""
    people = [cast["faculty"]]
    for n in (2, 3):
        person = factories.UserFactory(username=f"faculty{n}-{cast.organization.slug}")
        curriculum.add_member(cast.organization, person, role=Membership.Role.FACULTY)
        people.append(person)
    return people


def learners(cast, n: int):
    people = []
    for _ in range(n):
        person = factories.UserFactory()
        curriculum.add_member(cast.organization, person, role=Membership.Role.LEARNER)
        people.append(person)
    return people


def level_ids(task, positions) -> dict[int, int]:
    """Criterion id -> level id at the given position, per criterion in order."""
    criteria = list(task.rubric.criteria.prefetch_related("levels"))
    return {
        c.pk: next(lv.pk for lv in c.levels.all() if lv.position == p)
        for c, p in zip(criteria, positions, strict=True)
    }
