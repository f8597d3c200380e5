"""Second marking: who is sampled, blindness, moderation, and what learners see."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEntry
from assessments import services
from assessments.models import Grade, Mark, ModuleCompletion, Submission
from assessments.queue import grading_queue
from tests import builders
from tests.assessments.conftest import learners, level_ids


def set_policy(task, by, percent=0, borderline=None, tolerance=0):
    return services.set_marking_policy(
        task, by=by, second_mark_percent=percent, borderline_points=borderline,
        moderation_tolerance=tolerance,
    )  # fmt: skip


def test_a_share_of_first_marks_is_second_marked_evenly(cast, task, faculty):
    set_policy(task, cast["admin"], percent=25)
    results = []
    for learner in learners(cast, 8):
        submission = builders.submit(task, learner)
        result = services.grade_submission(
            submission, grader=faculty[0], levels=level_ids(task, [3, 3])
        )
        results.append(isinstance(result, Mark))
    # 25 %: the 4th and the 8th first marks go to a second marker.
    assert results == [False, False, False, True, False, False, False, True]
    waiting = Submission.objects.filter(status=Submission.Status.SECOND_MARKING)
    assert waiting.count() == 2
    assert {s.second_marking_reason for s in waiting} == {"sample"}
    assert all(s.second_marker in faculty[1:] for s in waiting)
    assert Grade.objects.count() == 6  # the sampled two have no grade yet


@pytest.mark.parametrize(
    ("positions", "second_marked"),
    [
        ((2, 2), True),  # 4 points: on the threshold
        ((3, 2), True),  # 5 points: one above, within 1
        ((3, 3), False),  # 6 points: two above
        ((0, 0), False),  # a fail is not a borderline pass
    ],
)
def test_every_borderline_pass_is_second_marked(
    cast, task, faculty, positions, second_marked
):
    set_policy(task, cast["admin"], borderline=1)
    submission = builders.submit(task, cast["learner"])
    result = services.grade_submission(
        submission, grader=faculty[0], levels=level_ids(task, positions)
    )
    assert isinstance(result, Mark) is second_marked
    submission.refresh_from_db()
    assert (submission.second_marking_reason == "borderline") is second_marked


@pytest.fixture
def sampled(cast, task, faculty):
    """A submission whose first mark (6 points, a pass) awaits a second mark."""
    set_policy(task, cast["admin"], percent=100, tolerance=1)
    submission = builders.submit(task, cast["learner"])
    services.grade_submission(
        submission, grader=faculty[0], levels=level_ids(task, [3, 3]),
        comments={}, comment="FIRST-MARKER-COMMENT",
    )  # fmt: skip
    submission.refresh_from_db()
    return submission


def test_the_second_marker_cannot_see_the_first_mark(client, cast, sampled, faculty):
    second = sampled.second_marker
    client.force_login(second)
    page = client.get(reverse("assessments:grade", args=[sampled.pk]))
    assert page.status_code == 200
    assert "Blind second marking" in page.text
    assert "FIRST-MARKER-COMMENT" not in page.text
    # Nor on the submission page, until the decision.
    detail = client.get(sampled.get_absolute_url())
    assert "FIRST-MARKER-COMMENT" not in detail.text
    assert "Marks behind the grade" not in detail.text


def test_the_first_marker_cannot_second_mark(cast, task, sampled, faculty):
    with pytest.raises(ValidationError, match="another grader"):
        services.second_mark_submission(
            sampled, grader=faculty[0], levels=level_ids(task, [3, 3])
        )


def test_second_marking_goes_to_the_chosen_colleague(cast, task, sampled, faculty):
    other = next(f for f in faculty[1:] if f != sampled.second_marker)
    with pytest.raises(ValidationError, match="assigned to a colleague"):
        services.second_mark_submission(
            sampled, grader=other, levels=level_ids(task, [3, 3])
        )


def test_marks_within_tolerance_let_the_first_mark_stand(cast, task, sampled):
    services.second_mark_submission(
        sampled, grader=sampled.second_marker, levels=level_ids(task, [3, 2])
    )  # 5 points against 6: within a tolerance of 1
    sampled.refresh_from_db()
    assert sampled.status == Submission.Status.GRADED
    assert sampled.grade.total == 6
    assert sampled.grade.grader == sampled.marks.get(role="first").grader
    assert ModuleCompletion.objects.filter(learner=cast["learner"]).count() == 1


def test_a_disagreement_goes_to_a_moderator_whose_decision_is_final(
    client, cast, task, sampled, faculty
):
    second = sampled.second_marker
    moderator = next(f for f in faculty[1:] if f != second)
    services.second_mark_submission(
        sampled, grader=second, levels=level_ids(task, [1, 1]),
        comment="SECOND-MARKER-COMMENT",
    )  # fmt: skip  # 2 points, a fail, against 6: beyond the tolerance
    sampled.refresh_from_db()
    assert sampled.status == Submission.Status.MODERATION
    assert not Grade.objects.exists()

    # Before the decision the learner sees neither mark, on the page or the API.
    client.force_login(cast["learner"])
    page = client.get(sampled.get_absolute_url()).text
    api = client.get(f"/api/submissions/{sampled.pk}/").text
    for text in (page, api):
        assert "SECOND-MARKER-COMMENT" not in text
        assert "FIRST-MARKER-COMMENT" not in text
    assert "Waiting to be graded" in page

    # The markers cannot moderate their own disagreement.
    for marker in (faculty[0], second):
        with pytest.raises(ValidationError, match="cannot be one of the two"):
            services.moderate_submission(
                sampled, moderator=marker, levels=level_ids(task, [2, 2]),
                comment="x",
            )  # fmt: skip
    with pytest.raises(ValidationError, match="reason"):
        services.moderate_submission(
            sampled, moderator=moderator, levels=level_ids(task, [2, 2]), comment=""
        )

    client.force_login(moderator)
    page = client.get(reverse("assessments:grade", args=[sampled.pk])).text
    assert "FIRST-MARKER-COMMENT" in page
    assert "SECOND-MARKER-COMMENT" in page

    grade = services.moderate_submission(
        sampled, moderator=moderator, levels=level_ids(task, [2, 2]),
        comment="Meets both criteria at Competent.",
    )  # fmt: skip
    assert (grade.total, grade.passed, grade.grader) == (4, True, moderator)
    assert AuditEntry.objects.filter(action="submission.moderated").exists()
    with pytest.raises(ValidationError, match="not waiting for moderation"):
        services.moderate_submission(
            sampled, moderator=moderator, levels=level_ids(task, [0, 0]),
            comment="Changed my mind",
        )  # fmt: skip
    client.force_login(cast["learner"])
    page = client.get(sampled.get_absolute_url()).text
    assert "Passed with 4 points" in page
    assert "SECOND-MARKER-COMMENT" not in page  # the learner never sees marks


def test_a_grader_can_save_a_draft_mark_and_finish_it_later(client, cast, task):
    submission = builders.submit(task, cast["learner"])
    levels = level_ids(task, [2, 3])
    first_criterion = next(iter(levels))
    client.force_login(cast["faculty"])
    url = reverse("assessments:grade", args=[submission.pk])
    response = client.post(
        url,
        {f"level_{first_criterion}": levels[first_criterion], "comment": "Half way",
         "action": "draft"},
    )  # fmt: skip
    assert response.status_code == 302
    mark = Mark.objects.get()
    assert mark.finalised_at is None
    assert not Grade.objects.exists()
    page = client.get(url).text
    assert "Half way" in page
    assert "Your draft" in page
    assert page.count(" checked") == 1  # the one level chosen so far
    # The learner sees nothing of a draft.
    client.force_login(cast["learner"])
    assert "Half way" not in client.get(submission.get_absolute_url()).text
    # Another grader cannot take over work in progress.
    client.force_login(cast["faculty"])
    data = {f"level_{c}": lv for c, lv in levels.items()}
    client.post(url, data | {"comment": "Done", "action": "finalise"})
    assert Grade.objects.get().total == 5
    mark.refresh_from_db()
    assert mark.is_final


def test_a_second_grader_cannot_take_over_a_draft(cast, task, faculty):
    submission = builders.submit(task, cast["learner"])
    services.grade_submission(submission, grader=faculty[0], levels={}, finalise=False)
    with pytest.raises(ValidationError, match="already marking"):
        services.grade_submission(
            submission, grader=faculty[1], levels=level_ids(task, [2, 2])
        )
    assert not Grade.objects.exists()


def test_the_second_marker_keeps_a_draft_and_the_first_marker_is_turned_away(
    client, cast, task, sampled, faculty
):
    url = reverse("assessments:grade", args=[sampled.pk])
    client.force_login(faculty[0])
    response = client.get(url)
    assert response.url == reverse("assessments:queue")
    client.force_login(sampled.second_marker)
    client.post(url, {"comment": "SECOND-DRAFT", "action": "draft"})
    page = client.get(url)
    assert page.status_code == 200
    assert "SECOND-DRAFT" in page.text
    assert "FIRST-MARKER-COMMENT" not in page.text


def test_a_service_account_is_never_chosen_as_second_marker(cast, task):
    """A registrar's script holding the faculty role to post grades is not a
    colleague who can mark: with no other faculty, the second mark is left to
    whoever takes it from the queue."""
    from integrations.tokens.services import create_service_account

    create_service_account(
        cast.organization, by=cast["admin"], name="Grade sync", roles=["faculty"]
    )
    set_policy(task, cast["admin"], percent=100)
    submission = builders.submit(task, cast["learner"])
    services.grade_submission(
        submission, grader=cast["faculty"], levels=level_ids(task, [3, 3])
    )
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SECOND_MARKING
    assert submission.second_marker is None


def test_work_of_a_cohort_with_one_grader_goes_to_a_colleague_outside_it(
    cast, task, faculty
):
    """A cohort graded by one faculty member: the second marker is another of
    the organization's faculty, who is then assigned that work. It was left
    to "any eligible colleague", and no one else was eligible, so the work
    waited in no one's queue (the demo's cohort, graded by Farah alone)."""
    admin = cast["admin"]
    cohort = services.create_cohort(cast.organization, by=admin, name="Evening")
    services.add_to_cohort(cohort, by=admin, user=cast["learner"], as_role="learner")
    services.add_to_cohort(cohort, by=admin, user=faculty[0], as_role="faculty")
    set_policy(task, admin, percent=100)
    submission = builders.submit(task, cast["learner"])
    services.grade_submission(
        submission, grader=faculty[0], levels=level_ids(task, [3, 3])
    )
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SECOND_MARKING
    assert submission.second_marker in faculty[1:]
    assert submission in grading_queue(submission.second_marker)
    services.second_mark_submission(
        submission, grader=submission.second_marker, levels=level_ids(task, [3, 3])
    )
    submission.refresh_from_db()
    assert submission.status == Submission.Status.GRADED
