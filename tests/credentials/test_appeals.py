"""A grade changed on appeal that still passes: the award comes to say the new
levels (the old one revoked as superseded, a new one issued, the learner told)."""

import pytest
from django.conf import settings

from accounts.models import AuditEntry
from assessments import services as assessments
from assessments.models import Grade, ModuleCompletion
from credentials import services, tasks
from credentials.models import Award
from credentials.services.appeals import SUPERSEDED
from tests import builders
from tests.credentials.jsverifier import verify_with_node


def achieved_levels(award: Award) -> set[str]:
    return {
        result["achievedLevel"]
        for result in award.credential["credentialSubject"]["result"]
    }


def level_iris(award: Award, task, position: int) -> set[str]:
    achievement = award.credential["credentialSubject"]["achievement"]["id"]
    return {
        f"{achievement}#level-{level_id}"
        for level_id in builders.levels_for(task, position).values()
    }


@pytest.fixture
def passed(cast, pathway, django_capture_on_commit_callbacks):
    """A learner passed with "Competent" (level 2) on both criteria; awarded."""
    task = pathway.tasks[0]
    with django_capture_on_commit_callbacks(execute=True):
        submission = builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    return task, Grade.objects.get(submission=submission), Award.objects.get()


def test_an_appeal_that_still_passes_reissues_the_award_with_the_new_levels(
    cast, passed, mailoutbox, django_capture_on_commit_callbacks
):
    task, grade, old = passed
    assert achieved_levels(old) == level_iris(old, task, 2)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assessments.change_grade(
            grade, by=cast["admin"], levels=builders.levels_for(task, 3),
            reason="Appeal upheld: the analysis is exemplary.",
        )  # fmt: skip

    old.refresh_from_db()
    assert old.revoked_at is not None
    assert old.revocation_reason == SUPERSEDED
    assert old.revocation_reason.startswith("Superseded by an appeal")
    new = Award.objects.get(revoked_at__isnull=True)
    completion = ModuleCompletion.objects.live().get()
    assert new.module_completion == completion == old.module_completion
    assert achieved_levels(new) == level_iris(new, task, 3)
    assert services.verify_award(new).status == "valid"
    assert services.verify_award(old).status == "revoked"
    assert new.notified_at
    assert not new.pdf  # rendered when first asked for

    # The learner is told: the revocation with its reason, and where the new
    # credential is.
    to_learner = [m for m in mailoutbox if m.to == [cast["learner"].email]]
    assert len(to_learner) == 1  # one e-mail says both
    bodies = "\n".join(m.body for m in to_learner)
    assert "Superseded by an appeal" in bodies
    assert f"{settings.SITE_URL}{new.get_absolute_url()}" in bodies
    assert AuditEntry.objects.filter(action="award.revoked").count() == 1
    assert AuditEntry.objects.filter(action="award.issued").count() == 2


def test_the_reissue_runs_once_however_often_its_task_is_delivered(
    cast, passed, django_capture_on_commit_callbacks
):
    task, grade, old = passed
    with django_capture_on_commit_callbacks(execute=True):
        assessments.change_grade(
            grade, by=cast["admin"], levels=builders.levels_for(task, 3),
            reason="Appeal upheld.",
        )  # fmt: skip
    completion = ModuleCompletion.objects.live().get()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.reissue_regraded_module_award(completion.pk, grade.pk)
        tasks.reissue_regraded_module_award(completion.pk, grade.pk)
    assert Award.objects.count() == 2
    assert Award.objects.filter(revoked_at__isnull=True).count() == 1


def test_a_change_with_the_same_levels_keeps_the_award(
    cast, passed, django_capture_on_commit_callbacks
):
    task, grade, old = passed
    with django_capture_on_commit_callbacks(execute=True):
        assessments.change_grade(
            grade, by=cast["admin"], levels=builders.levels_for(task, 2),
            reason="Reviewed: the grade stands.",
        )  # fmt: skip
    assert list(Award.objects.all()) == [old]
    old.refresh_from_db()
    assert old.revoked_at is None


def test_a_regrade_before_the_award_is_signed_issues_one_award(
    cast, pathway, django_capture_on_commit_callbacks
):
    """The award task had not run yet: it signs the new levels; nothing is revoked."""
    task = pathway.tasks[0]
    submission = builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    assert not Award.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assessments.change_grade(
            Grade.objects.get(submission=submission), by=cast["admin"],
            levels=builders.levels_for(task, 3), reason="Appeal upheld.",
        )  # fmt: skip
        services.sweep_unissued()
    award = Award.objects.get()
    assert award.revoked_at is None
    assert achieved_levels(award) == level_iris(award, task, 3)


@pytest.mark.node
def test_the_reissued_award_verifies_with_the_javascript_libraries(
    client, cast, passed, django_capture_on_commit_callbacks
):
    from tests.credentials.conftest import served

    task, grade, old = passed
    with django_capture_on_commit_callbacks(execute=True):
        assessments.change_grade(
            grade, by=cast["admin"], levels=builders.levels_for(task, 3),
            reason="Appeal upheld.",
        )  # fmt: skip
    new = Award.objects.get(revoked_at__isnull=True)
    result = verify_with_node(new.credential, **served(client, new.credential))
    assert result["verified"] is True, result
