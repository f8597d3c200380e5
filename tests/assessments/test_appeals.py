"""A grade changed on appeal voids the completion it no longer supports."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import services
from assessments.models import Grade, ModuleCompletion
from assessments.signals import completion_voided, module_completed
from curriculum.models import AuditEntry
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
