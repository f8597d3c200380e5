"""Prerequisites that hold: the map's lock is enforced wherever work on a module
starts (a draft, a submission, an accepted recognition), with a message naming
what is missing and how to get it; faculty and administrators can waive it for
one learner, with the reason, in the audit trail."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from assessments import services as assessments
from assessments.models import ModuleCompletion, Submission
from curriculum import services as curriculum
from curriculum.models import Module
from pathways import selectors, services
from pathways.models import PrerequisiteOverride
from pathways.selectors.progress import learner_progress
from tests import builders


@pytest.fixture
def locked(cast):
    """B needs A (its stacking prerequisite); the learner has done neither."""
    builders.make_module(cast, "A")
    task = builders.make_module(cast, "B")
    b = Module.objects.get(organization=cast.organization, code="B")
    services.set_stacking(b, by=cast["designer"], prerequisite=services.all_of(["A"]))
    return task


def complete(cast, learner, code):
    module = Module.objects.get(organization=cast.organization, code=code)
    return assessments.record_completion(
        learner, module.versions.get(status="published"), source="graded"
    )


def test_a_locked_module_takes_no_draft_and_says_what_is_missing(cast, locked):
    with pytest.raises(ValidationError) as refused:
        assessments.save_draft(locked, learner=cast["learner"], text="My work")
    message = " ".join(refused.value.messages)
    assert "B Module B is locked until its prerequisite is met" in message
    assert "Still needed: A Module A. Complete it first." in message
    assert "waive the prerequisite" in message
    assert not Submission.objects.filter(learner=cast["learner"]).exists()


def test_a_locked_module_takes_no_submission(cast, locked):
    with pytest.raises(ValidationError, match="is locked until its prerequisite"):
        assessments.submit_evidence(locked, learner=cast["learner"], text="My work")
    assert not Submission.objects.filter(learner=cast["learner"]).exists()


def test_a_draft_kept_before_the_lock_cannot_be_submitted(cast):
    builders.make_module(cast, "A")
    task = builders.make_module(cast, "B")
    draft = assessments.save_draft(task, learner=cast["learner"], text="Early work")
    b = Module.objects.get(organization=cast.organization, code="B")
    services.set_stacking(b, by=cast["designer"], prerequisite=services.all_of(["A"]))
    with pytest.raises(ValidationError, match="Still needed: A Module A"):
        assessments.submit_draft(draft, learner=cast["learner"])
    draft.refresh_from_db()
    assert draft.status == Submission.Status.DRAFT


def test_meeting_the_prerequisite_opens_the_module(cast, locked):
    complete(cast, cast["learner"], "A")
    submission = assessments.submit_evidence(
        locked, learner=cast["learner"], text="My work"
    )
    assert submission.status == Submission.Status.SUBMITTED


def test_the_prerequisites_a_version_lists_hold_too(cast):
    builders.make_module(cast, "A")
    task = builders.make_module(cast, "B", publish=False)
    a = Module.objects.get(organization=cast.organization, code="A")
    curriculum.update_module_version(
        task.version, by=cast["designer"], prerequisites=[a]
    )
    curriculum.publish_version(task.version, by=cast["admin"], changelog="First.")
    with pytest.raises(ValidationError, match="Still needed: A Module A"):
        assessments.submit_evidence(task, learner=cast["learner"], text="My work")
    # The map locks it for the same reason.
    catalogue = selectors.catalogue_for(cast.organization).catalogue
    assert catalogue.modules["B"].prerequisite == {
        "type": "all",
        "children": [{"type": "module", "code": "A"}],
    }


def test_an_accepted_recognition_waits_for_the_prerequisite(cast, locked):
    with pytest.raises(ValidationError) as refused:
        assessments.record_recognition(
            cast["learner"],
            locked.version,
            by=cast["admin"],
            source=ModuleCompletion.Source.RECOGNITION,
            decision="accepted",
            reason="Ten years as an analyst.",
        )
    message = " ".join(refused.value.messages)
    assert "has not met the prerequisite of B Module B" in message
    assert "still needed: A Module A" in message
    assert not ModuleCompletion.objects.filter(learner=cast["learner"]).exists()
    declined = assessments.record_recognition(
        cast["learner"],
        locked.version,
        by=cast["admin"],
        source=ModuleCompletion.Source.RECOGNITION,
        decision="declined",
        reason="No evidence yet.",
    )
    assert declined.decision == "declined"


@pytest.mark.parametrize("role", ["faculty", "admin"])
def test_staff_waive_a_prerequisite_for_one_learner_with_the_reason(cast, locked, role):
    b = locked.version.module
    override = services.override_prerequisite(
        cast["learner"], b, by=cast[role], reason="Passed A at another college."
    )
    entry = AuditEntry.objects.get(action="prerequisite.overridden")
    assert entry.actor == cast[role]
    assert entry.data["reason"] == "Passed A at another college."
    assert entry.data["learner"] == cast["learner"].pk
    assert override.granted_by == cast[role]
    submission = assessments.submit_evidence(
        locked, learner=cast["learner"], text="My work"
    )
    assert submission.status == Submission.Status.SUBMITTED
    # Only for that learner.
    with pytest.raises(ValidationError, match="is locked"):
        assessments.submit_evidence(
            locked, learner=cast["other_learner"], text="Mine too"
        )
    # And the learner's map no longer shows it locked.
    version = services.publish_pathway_version(
        services.create_pathway_version(
            cast.organization,
            by=cast["designer"],
            code="P",
            title="Pathway P",
            rule=services.all_of(["B"]),
        ),
        by=cast["admin"],
        changelog="v1",
    )
    services.enrol(cast["learner"], version)
    services.enrol(cast["other_learner"], version)
    now = timezone.now()
    [mine] = learner_progress(cast["learner"], on=now)
    [theirs] = learner_progress(cast["other_learner"], on=now)
    assert not any(s.locked for s in mine.evaluation.next_steps if s.code == "B")
    assert any(s.locked for s in theirs.evaluation.next_steps if s.code == "B")


@pytest.mark.parametrize(
    ("role", "reason", "error"),
    [
        ("designer", "Fine", "Only faculty or administrators"),
        ("learner", "Fine", "Only faculty or administrators"),
        ("outside_faculty", "Fine", "Only faculty or administrators"),
        ("faculty", "  ", "Give the reason"),
    ],
)
def test_who_may_waive_and_with_what(cast, locked, role, reason, error):
    with pytest.raises(ValidationError, match=error):
        services.override_prerequisite(
            cast["learner"], locked.version.module, by=cast[role], reason=reason
        )
    assert not PrerequisiteOverride.objects.exists()
    assert not AuditEntry.objects.filter(action="prerequisite.overridden").exists()


def test_the_task_page_says_the_module_is_locked_and_why(client, cast, locked):
    client.force_login(cast["learner"])
    url = reverse("assessments:task-detail", args=[locked.pk])
    page = client.get(url).content.decode()
    assert "Locked by a prerequisite" in page
    assert "Still needed: A Module A. Complete it first." in page
    assert 'value="submit"' not in page  # no form to fill in vain
    response = client.post(url, {"action": "submit", "text": "My work"})
    assert response.status_code == 200
    assert "Still needed: A Module A" in response.content.decode()
    assert not Submission.objects.filter(learner=cast["learner"]).exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("faculty", 200), ("admin", 200), ("designer", 403), ("reviewer", 403),
     ("learner", 404), ("stranger", 404)],
)  # fmt: skip
def test_who_may_open_the_waiver_page(client, cast, locked, role, status):
    client.force_login(cast[role])
    url = reverse("pathways:prerequisite-overrides", args=[locked.version.module_id])
    assert client.get(url).status_code == status


def test_faculty_waive_from_the_page(client, cast, locked):
    client.force_login(cast["faculty"])
    url = reverse("pathways:prerequisite-overrides", args=[locked.version.module_id])
    response = client.post(
        url, {"learner": cast["learner"].pk, "reason": "Showed it in a portfolio."}
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Showed it in a portfolio." in page
    assert PrerequisiteOverride.objects.get().learner == cast["learner"]
    refused = client.post(url, {"learner": cast["learner"].pk, "reason": ""})
    assert "This field is required." in refused.content.decode()


def test_the_api_refuses_work_on_a_locked_module_in_words(client, cast, locked):
    client.force_login(cast["learner"])
    response = client.post(
        f"/api/tasks/{locked.pk}/submissions/",
        {"text": "My work"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Still needed: A Module A" in response.content.decode()
    assert not Submission.objects.filter(learner=cast["learner"]).exists()
