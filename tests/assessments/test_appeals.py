"""A grade changed on appeal voids the completion it no longer supports."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from assessments import services
from assessments.models import Grade, ModuleCompletion
from assessments.signals import (
    completion_regraded,
    completion_voided,
    module_completed,
)
from tests import builders
from tests.assessments.conftest import level_ids


@pytest.fixture
def heard():
    """What the apps above hear: (signal name, kwargs) in order."""
    events = []

    def on_completed(sender, **kwargs):
        events.append(("completed", kwargs["completion_id"], kwargs["learner_id"]))

    def on_voided(sender, **kwargs):
        events.append(("voided", kwargs["completion_id"], kwargs["learner_id"]))

    module_completed.connect(on_completed, weak=False)
    completion_voided.connect(on_voided, weak=False)
    yield events
    module_completed.disconnect(on_completed)
    completion_voided.disconnect(on_voided)


def test_a_grade_changed_to_a_fail_voids_the_completion_after_commit(
    cast, task, heard, django_capture_on_commit_callbacks
):
    submission = builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    completion = ModuleCompletion.objects.get()
    heard.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.change_grade(
            submission.grade, by=cast["admin"], levels=level_ids(task, [1, 1]),
            reason="Appeal panel: the chart misstates the totals.",
        )  # fmt: skip
        completion.refresh_from_db()
        assert completion.voided_at is not None  # in the same transaction
        assert heard == []  # nothing is announced before commit
    for callback in callbacks:
        callback()
    assert heard == [("voided", completion.pk, cast["learner"].pk)]
    grade = Grade.objects.get()
    assert (grade.total, grade.passed) == (2, False)
    assert grade.change_reason.startswith("Appeal panel")
    assert not ModuleCompletion.objects.live().exists()
    entry = AuditEntry.objects.get(action="grade.changed")
    assert entry.data["before"] == {"total": 4, "passed": True}
    assert AuditEntry.objects.filter(action="completion.voided").exists()


def test_a_change_that_still_passes_keeps_the_completion(cast, task, heard):
    submission = builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    heard.clear()
    services.change_grade(
        submission.grade, by=cast["faculty"], levels=level_ids(task, [3, 3]),
        reason="Re-read: exemplary.",
    )  # fmt: skip
    assert ModuleCompletion.objects.live().count() == 1
    assert heard == []


def test_a_fail_changed_to_a_pass_records_the_completion(
    cast, task, heard, django_capture_on_commit_callbacks
):
    submission = builders.submit(task, cast["learner"])
    grade = services.grade_submission(
        submission, grader=cast["faculty"], levels=level_ids(task, [0, 0])
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.change_grade(
            grade, by=cast["admin"], levels=level_ids(task, [2, 2]),
            reason="Marked against the wrong rubric.",
        )  # fmt: skip
    completion = ModuleCompletion.objects.live().get()
    assert heard == [("completed", completion.pk, cast["learner"].pk)]


def test_a_grade_change_needs_a_reason_and_a_complete_grid(cast, task):
    submission = builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    with pytest.raises(ValidationError, match="reason"):
        services.change_grade(
            submission.grade, by=cast["admin"], levels=level_ids(task, [0, 0]),
            reason=" ",
        )  # fmt: skip
    with pytest.raises(ValidationError, match="Only faculty or admins"):
        services.change_grade(
            submission.grade, by=cast["designer"], levels=level_ids(task, [0, 0]),
            reason="No",
        )  # fmt: skip
    assert Grade.objects.get().passed
    assert ModuleCompletion.objects.live().exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("faculty", 200), ("learner", 403), ("other_learner", 404)],
)
def test_who_can_open_the_grade_change_page(client, cast, task, role, status):
    submission = builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    client.force_login(cast[role])
    url = reverse("assessments:grade-change", args=[submission.pk])
    assert client.get(url).status_code == status


def test_the_change_page_warns_and_changes_the_grade(client, cast, task):
    submission = builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    client.force_login(cast["admin"])
    url = reverse("assessments:grade-change", args=[submission.pk])
    assert "completion is voided" in client.get(url).text
    data = {f"level_{c}": lv for c, lv in level_ids(task, [0, 0]).items()}
    response = client.post(url, data | {"reason": "Plagiarised."})
    assert response.status_code == 302
    assert not ModuleCompletion.objects.live().exists()


def test_an_appeal_that_fails_the_module_revokes_its_award(
    cast, task, django_capture_on_commit_callbacks
):
    """End to end through the apps above: the award issued for the completion
    is revoked once the void is announced."""
    from credentials.models import Award

    with django_capture_on_commit_callbacks(execute=True):
        submission = builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    award = Award.objects.get(learner=cast["learner"])
    assert award.revoked_at is None
    with django_capture_on_commit_callbacks(execute=True):
        services.change_grade(
            Grade.objects.get(submission=submission), by=cast["admin"],
            levels=level_ids(task, [0, 0]), reason="Appeal: plagiarised work.",
        )  # fmt: skip
    award.refresh_from_db()
    assert award.revoked_at is not None


def test_a_change_that_still_passes_with_new_levels_is_announced_after_commit(
    cast, task, django_capture_on_commit_callbacks
):
    submission = builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    completion = ModuleCompletion.objects.get()
    heard = []

    def on_regraded(sender, **kwargs):
        heard.append(kwargs)

    completion_regraded.connect(on_regraded, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.change_grade(
                submission.grade, by=cast["faculty"], levels=level_ids(task, [3, 2]),
                reason="Second look: the accuracy is exemplary.",
            )  # fmt: skip
            assert heard == []
        for callback in callbacks:
            callback()
        assert heard == [
            {
                "signal": completion_regraded,
                "completion_id": completion.pk,
                "grade_id": submission.grade.pk,
                "learner_id": cast["learner"].pk,
            }
        ]
        heard.clear()
        # The same levels again change nothing an award states: no announcement.
        with django_capture_on_commit_callbacks(execute=True):
            services.change_grade(
                submission.grade, by=cast["faculty"], levels=level_ids(task, [3, 2]),
                reason="Confirmed.",
            )  # fmt: skip
        assert heard == []
    finally:
        completion_regraded.disconnect(on_regraded)


def fail_on_appeal(task, cast, submission, *, reason="Appeal: copied work."):
    return services.change_grade(
        Grade.objects.get(submission=submission), by=cast["admin"],
        levels=level_ids(task, [0, 0]), reason=reason,
    )  # fmt: skip


def test_a_pass_overturned_on_the_last_attempt_leaves_the_learner_a_retake(cast, task):
    """The overturned attempt does not count against the limit: the learner
    relied on the pass and used no other attempt (see attempt_problem)."""
    task.max_attempts = 1
    task.save(update_fields=["max_attempts"])
    first = builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    assert services.attempt_problem(task, cast["learner"]) == (
        "You have already passed this task."
    )
    grade = fail_on_appeal(task, cast, first)
    assert grade.overturned_at is not None
    assert not ModuleCompletion.objects.live().exists()
    assert services.attempt_problem(task, cast["learner"]) is None
    second = builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    assert second.attempt == 2
    completion = ModuleCompletion.objects.live().get()
    assert completion.grade == Grade.objects.get(submission=second)
    assert services.attempt_problem(task, cast["learner"]) == (
        "You have already passed this task."
    )


def test_an_ordinary_fail_still_counts_against_the_limit(cast, task):
    task.max_attempts = 1
    task.save(update_fields=["max_attempts"])
    submission = builders.submit(task, cast["learner"])
    grade = services.grade_submission(
        submission, grader=cast["faculty"], levels=level_ids(task, [0, 0])
    )
    services.change_grade(
        grade, by=cast["admin"], levels=level_ids(task, [1, 0]), reason="Re-added."
    )
    assert Grade.objects.get().overturned_at is None
    with pytest.raises(ValidationError, match="used all 1 attempts"):
        builders.submit(task, cast["learner"])


def test_a_pass_restored_on_a_further_appeal_is_no_longer_overturned(cast, task):
    submission = builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    fail_on_appeal(task, cast, submission)
    restored = services.change_grade(
        Grade.objects.get(submission=submission), by=cast["admin"],
        levels=level_ids(task, [2, 2]), reason="Panel: the work is original.",
    )  # fmt: skip
    assert restored.passed
    assert restored.overturned_at is None
    assert ModuleCompletion.objects.live().exists()
    assert services.attempt_problem(task, cast["learner"]) == (
        "You have already passed this task."
    )


def test_the_retake_wait_runs_from_the_appeal_decision(cast, task):
    task.retake_wait_days = 7
    task.save(update_fields=["retake_wait_days"])
    submission = builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    long_ago = timezone.now() - timedelta(days=60)
    Grade.objects.filter(submission=submission).update(graded_at=long_ago)
    grade = fail_on_appeal(task, cast, submission)
    problem = services.attempt_problem(task, cast["learner"])
    ready = timezone.localtime(grade.changed_at + timedelta(days=7))
    assert problem == f"You can try again from {ready:%-d %b %Y %H:%M}."


def test_the_task_page_says_the_overturned_attempt_does_not_count(client, cast, task):
    submission = builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    fail_on_appeal(task, cast, submission)
    client.force_login(cast["learner"])
    page = client.get(reverse("assessments:task-detail", args=[task.pk])).text
    assert "a pass overturned on appeal" in page
    assert "You have already passed" not in page
    assert "Submit for grading" in page
