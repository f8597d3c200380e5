"""Every change to curriculum goes through here."""

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from curriculum.audit import log_action
from curriculum.models import (
    Competency,
    Membership,
    Module,
    ModuleVersion,
    Organization,
    Outcome,
    VersionedContent,
    VersionFrozenError,
)


def ensure_editable(version: VersionedContent) -> None:
    if version.is_frozen:
        raise VersionFrozenError(version)
    if not version.is_editable:
        raise ValidationError(
            f"{version} is {version.get_status_display().lower()}; only a draft "
            "can be edited.",
            code="not_draft",
        )


def next_draft_number(versions: QuerySet, *, label: str) -> int:
    """The number of a new draft of a module or pathway; one draft at a time.
    The caller holds a lock on the module or pathway row."""
    if versions.drafts().exists():
        raise ValidationError(
            f"{label} already has a draft. Edit that draft instead.",
            code="draft_exists",
        )
    return (versions.aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def add_member(
    organization: Organization, user: AbstractBaseUser, *, role: str, by=None
) -> Membership:
    membership, created = Membership.objects.get_or_create(
        organization=organization, user=user, role=role
    )
    if created:
        log_action(by, "member.added", membership, organization=organization, role=role)
    return membership


@transaction.atomic
def create_module_version(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    code: str,
    title: str,
    summary: str = "",
    criteria_narrative: str = "",
    credits: Decimal = Decimal("5.0"),
    level: str = "",
) -> ModuleVersion:
    """Start a draft: a new module, or the next version of an existing one."""
    module, _ = Module.objects.get_or_create(organization=organization, code=code)
    module = Module.objects.select_for_update().get(pk=module.pk)
    number = next_draft_number(module.versions, label=f"Module {code}")
    version = ModuleVersion(
        module=module,
        number=number,
        title=title,
        summary=summary,
        criteria_narrative=criteria_narrative,
        credits=credits,
        level=level,
        created_by=by,
    )
    version.full_clean()
    version.save()
    log_action(by, "version.created", version, organization=organization)
    return version


@transaction.atomic
def add_outcome(
    version: ModuleVersion,
    *,
    by: AbstractBaseUser,
    statement: str,
    competencies: list[Competency] = (),
) -> Outcome:
    version = ModuleVersion.objects.select_for_update().get(pk=version.pk)
    ensure_editable(version)
    statement = statement.strip()
    if not statement:
        raise ValidationError({"statement": "Write the outcome as a statement."})
    position = (version.outcomes.aggregate(n=Max("position"))["n"] or 0) + 1
    outcome = Outcome.objects.create(
        version=version, position=position, statement=statement
    )
    outcome.competencies.set(competencies)
    log_action(by, "outcome.added", outcome, organization=version.organization)
    return outcome


@transaction.atomic
def update_version(
    version: VersionedContent, *, by: AbstractBaseUser, **fields: object
) -> VersionedContent:
    version = type(version).objects.select_for_update().get(pk=version.pk)
    ensure_editable(version)
    for name, value in fields.items():
        setattr(version, name, value)
    version.full_clean()
    version.save(update_fields=list(fields))
    log_action(
        by,
        "version.updated",
        version,
        organization=version.organization,
        fields=list(fields),
    )
    return version


@transaction.atomic
def publish_version(
    version: VersionedContent, *, by: AbstractBaseUser, changelog: str
) -> VersionedContent:
    """Freeze a version; learners enrol in and earn against it from now on."""
    version = type(version).objects.select_for_update().get(pk=version.pk)
    # Advisory-board review (issue 5) will require APPROVED; until boards exist an
    # admin may publish a draft directly.
    if version.status not in {version.Status.DRAFT, version.Status.APPROVED}:
        raise ValidationError(
            f"{version} is {version.get_status_display().lower()} and cannot be "
            "published.",
            code="illegal_transition",
        )
    changelog = changelog.strip()
    if not changelog:
        raise ValidationError({"changelog": "Say what this version changes."})
    version.status = version.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = by
    version.changelog = changelog
    version.save(update_fields=["status", "published_at", "published_by", "changelog"])
    log_action(by, "version.published", version, organization=version.organization)
    return version
