"""A small known history for the analytics figures.

Built through the services (grades, second marks, recognition, enrolments, the
award pipeline), then moved back in time to fixed days before NOW, so every
figure below can be stated exactly. Times are relative to NOW with 30-day periods:
the current period is [NOW − 30 d, NOW), the previous [NOW − 60 d, NOW − 30 d).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Membership
from assessments import services as assessments
from assessments.models import ModuleCompletion, Submission
from credentials import services as credentials
from credentials.models import Award
from curriculum import services as curriculum
from pathways import services as pathways
from pathways.models import Enrolment, PathwayCompletion
from tests import builders, factories

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
JUST_BEFORE = timedelta(microseconds=1)


def ago(days: float) -> datetime:
    return NOW - days * DAY


@dataclass
class History:
    cast: builders.Cast
    built: builders.Built


def new_learner(cast):
    person = factories.UserFactory()
    curriculum.add_member(cast.organization, person, role=Membership.Role.LEARNER)
    return person


def _graded(submission: Submission, *, submitted: float, graded: float) -> None:
    Submission.objects.filter(pk=submission.pk).update(submitted_at=ago(submitted))
    submission.grade.graded_at = ago(graded)
    submission.grade.save(update_fields=["graded_at"])


def _completed(learner, task, at: datetime) -> None:
    completion = ModuleCompletion.objects.live().get(
        learner=learner, version=task.version
    )
    ModuleCompletion.objects.filter(pk=completion.pk).update(completed_at=at)
    Award.objects.filter(module_completion=completion).update(issued_at=at)


def fail(task, learner, grader) -> Submission:
    submission = builders.submit(task, learner)
    assessments.grade_submission(
        submission, grader=grader, levels=builders.levels_for(task, 0)
    )
    return submission


@pytest.fixture
def history(cast, pathway, django_capture_on_commit_callbacks) -> History:
    a, b, c = pathway.tasks
    l1, l2 = cast["learner"], cast["other_learner"]
    l3, l4 = new_learner(cast), new_learner(cast)
    second = factories.UserFactory()
    curriculum.add_member(cast.organization, second, role=Membership.Role.FACULTY)
    cast.people["second_faculty"] = second
    assessments.set_marking_policy(
        c,
        by=cast["admin"],
        second_mark_percent=100,
        borderline_points=None,
        moderation_tolerance=0,
    )
    with django_capture_on_commit_callbacks(execute=True):
        for learner in (l1, l2, l4):
            pathways.enrol(learner, pathway.version)
        # l1 passes A and B at once, and C after a blind second mark.
        l1_a = builders.submit_and_pass(a, l1, cast["faculty"])
        l1_b = builders.submit_and_pass(b, l1, cast["faculty"])
        l1_c = builders.submit_and_pass(c, l1, cast["faculty"])
        assessments.second_mark_submission(
            l1_c, grader=second, levels=builders.levels_for(c, 2)
        )
        # l2 fails A, passes it on the second attempt, and waits on B.
        l2_a1 = fail(a, l2, cast["faculty"])
        l2_a2 = builders.submit_and_pass(a, l2, cast["faculty"])
        l2_b = builders.submit(b, l2)
        # l3 is credited C for prior learning and never enrols.
        assessments.record_completion(
            l3,
            c.version,
            source=ModuleCompletion.Source.RECOGNITION,
            by=cast["admin"],
        )
        # l4 enrolled only, with work on A waiting.
        l4_a = builders.submit(a, l4)
    l1_a.refresh_from_db()
    assert PathwayCompletion.objects.filter(learner=l1).count() == 1
    assert Award.objects.count() == 6  # l1: 3 modules + pathway; l2: A; l3: C

    for learner, days in ((l1, 40), (l2, 10), (l4, 5)):
        Enrolment.objects.filter(learner=learner).update(enrolled_at=ago(days))
    _graded(l1_a, submitted=38, graded=35)  # previous period, 3 days
    _graded(l1_b, submitted=34, graded=30)  # current period (on its start), 4 days
    _graded(Submission.objects.get(pk=l1_c.pk), submitted=21, graded=20)  # 1 day
    _graded(l2_a1, submitted=9, graded=8)  # 1 day
    _graded(l2_a2, submitted=6, graded=3)  # 3 days
    Submission.objects.filter(pk=l2_b.pk).update(submitted_at=ago(2))
    Submission.objects.filter(pk=l4_a.pk).update(submitted_at=ago(12))
    _completed(l1, a, ago(35))
    _completed(l1, b, ago(30))  # exactly on the period's start: current
    _completed(l1, c, ago(20))
    _completed(l2, a, ago(3))
    _completed(l3, c, ago(30) - JUST_BEFORE)  # a microsecond before: previous
    PathwayCompletion.objects.filter(learner=l1).update(completed_at=ago(20))
    Award.objects.filter(pathway_completion__learner=l1).update(issued_at=ago(20))
    revoked = Award.objects.get(
        module_completion__learner=l1, module_completion__version=a.version
    )
    credentials.revoke_award(revoked, by=cast["admin"], reason="Issued in error.")
    Award.objects.filter(pk=revoked.pk).update(revoked_at=ago(3))
    return History(cast, pathway)
