import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEntry
from assessments import services as assessment_services
from curriculum import services
from curriculum.models import ModuleVersion, Outcome, VersionFrozenError
from tests import builders


def test_publishing_freezes_the_version(cast):
    task = builders.make_module(cast, "M-1")
    version = ModuleVersion.objects.get(pk=task.version.pk)
    assert version.is_frozen
    version.title = "Changed behind the service's back"
    with pytest.raises(VersionFrozenError):
        version.save()
    assert ModuleVersion.objects.get(pk=version.pk).title == "Module M-1"


def test_adding_an_outcome_to_a_published_version_is_refused(cast):
    task = builders.make_module(cast, "M-1")
    with pytest.raises(ValidationError, match="can no longer be edited"):
        services.add_outcome(task.version, by=cast["designer"], statement="Sneaky")
    assert Outcome.objects.filter(version=task.version).count() == 2


def test_adding_a_task_to_a_published_version_is_refused(cast):
    task = builders.make_module(cast, "M-1")
    with pytest.raises(ValidationError, match="can no longer be edited"):
        assessment_services.create_task(
            task.version,
            by=cast["designer"],
            title="Extra",
            criteria=[assessment_services.CriterionSpec("C")],
            levels=builders.LEVELS,
            pass_min_total=1,
        )
    assert task.version.tasks.count() == 1


def test_the_outcome_form_on_a_published_version_is_refused(client, cast):
    task = builders.make_module(cast, "M-1")
    client.force_login(cast["designer"])
    response = client.post(
        reverse("curriculum:outcome-add", args=[task.version.pk]),
        {"statement": "Late addition"},
        follow=True,
    )
    assert "can no longer be edited" in response.text
    assert Outcome.objects.filter(version=task.version).count() == 2


def test_publishing_needs_a_changelog(cast):
    task = builders.make_module(cast, "M-1", publish=False)
    with pytest.raises(ValidationError, match="Say what this version changes"):
        services.publish_version(task.version, by=cast["admin"], changelog="  ")
    task.version.refresh_from_db()
    assert task.version.status == ModuleVersion.Status.DRAFT


def test_publishing_twice_is_refused(cast):
    task = builders.make_module(cast, "M-1")
    with pytest.raises(ValidationError, match="cannot be published"):
        services.publish_version(task.version, by=cast["admin"], changelog="Again")


@pytest.mark.parametrize(("role", "status"), [("admin", 302), ("designer", 403)])
def test_only_admins_publish(client, cast, role, status):
    task = builders.make_module(cast, "M-1", publish=False)
    client.force_login(cast[role])
    response = client.post(
        reverse("curriculum:version-publish", args=[task.version.pk]),
        {"changelog": "First"},
    )
    assert response.status_code == status


def test_services_write_the_audit_trail(cast):
    task = builders.make_module(cast, "M-1")
    actions = set(
        AuditEntry.objects.filter(organization=cast.organization).values_list(
            "action", flat=True
        )
    )
    assert {
        "version.created",
        "outcome.added",
        "task.created",
        "version.published",
    } <= actions
    published = AuditEntry.objects.get(action="version.published")
    assert published.actor == cast["admin"]
    assert published.object_id == str(task.version.pk)


def test_a_rubric_no_one_can_pass_is_refused(cast):
    task = builders.make_module(cast, "M-1", publish=False)
    with pytest.raises(ValidationError, match="most points possible are 3"):
        assessment_services.create_task(
            task.version,
            by=cast["designer"],
            title="Impossible",
            criteria=[assessment_services.CriterionSpec("Only")],
            levels=builders.LEVELS,
            pass_min_total=10,
        )


def test_a_module_has_one_draft_at_a_time_and_the_next_is_numbered_after_it(cast):
    task = builders.make_module(cast, "M-1")
    draft = services.create_module_version(
        cast.organization, by=cast["designer"], code="M-1", title="Second edition"
    )
    assert (task.version.number, draft.number) == (1, 2)
    with pytest.raises(ValidationError, match="Module M-1 already has a draft"):
        services.create_module_version(
            cast.organization, by=cast["designer"], code="M-1", title="Third"
        )
    assert ModuleVersion.objects.filter(module__code="M-1").count() == 2
