"""Authoring competency frameworks in the browser: frameworks and competencies."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from accounts.audit import log_action
from accounts.models import Organization
from curriculum.models import (
    Competency,
    CompetencyAssociation,
    CompetencyFramework,
    new_identifier,
)

Progress = Callable[[int, int], None]
# Rows per INSERT: large enough that 2,000 items take a handful of statements,
# small enough to stay well under PostgreSQL's 65,535 bind parameters (17 columns).
BATCH_SIZE = 1000


@dataclass
class ImportResult:
    framework: CompetencyFramework
    warnings: list[str] = field(default_factory=list)


def item_uri(identifier: str) -> str:
    """The URI of an item authored in Cairn: resolvable, as CASE asks."""
    path = reverse("curriculum:case-uri", args=[identifier])
    return f"{settings.SITE_URL}{path}"


def ensure_framework_editable(framework: CompetencyFramework) -> None:
    if not framework.is_editable:
        raise ValidationError(
            f"The framework “{framework}” is published and can no longer be edited.",
            code="frozen",
        )


@transaction.atomic
def create_framework(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    name: str,
    description: str = "",
    source: str = "",
    language: str = "en",
) -> CompetencyFramework:
    """Start a draft framework authored in Cairn."""
    framework = CompetencyFramework(
        organization=organization,
        name=name.strip(),
        description=description,
        source=source,
        language=language,
        creator=organization.name,
    )
    framework.uri = item_uri(framework.identifier)
    framework.full_clean()
    framework.save()
    log_action(by, "framework.created", framework, organization=organization)
    return framework


@transaction.atomic
def update_framework(
    framework: CompetencyFramework, *, by: AbstractBaseUser, **fields: object
) -> CompetencyFramework:
    framework = CompetencyFramework.objects.select_for_update().get(pk=framework.pk)
    ensure_framework_editable(framework)
    for name, value in fields.items():
        setattr(framework, name, value)
    framework.full_clean()
    framework.save(update_fields=[*fields, "updated_at"])
    log_action(
        by,
        "framework.updated",
        framework,
        organization=framework.organization,
        fields=list(fields),
    )
    return framework


@transaction.atomic
def publish_framework(
    framework: CompetencyFramework, *, by: AbstractBaseUser
) -> CompetencyFramework:
    """Freeze a framework: outcomes align to it, exports name it for good."""
    framework = CompetencyFramework.objects.select_for_update().get(pk=framework.pk)
    ensure_framework_editable(framework)
    if not framework.competencies.exists():
        raise ValidationError("Add competencies before publishing the framework.")
    framework.status = CompetencyFramework.Status.PUBLISHED
    framework.save(update_fields=["status", "updated_at"])
    log_action(
        by, "framework.published", framework, organization=framework.organization
    )
    return framework


def _check_parent(
    framework: CompetencyFramework,
    parent: Competency | None,
    competency: Competency | None = None,
) -> None:
    if parent is None:
        return
    if parent.framework_id != framework.pk:
        raise ValidationError({"parent": "Choose a parent from the same framework."})
    if competency is not None:
        node: Competency | None = parent
        # Walk up from the new parent: meeting the competency itself is a cycle.
        while node is not None:
            if node.pk == competency.pk:
                raise ValidationError(
                    {"parent": "A competency cannot sit inside itself."}
                )
            node = node.parent


def child_link(
    framework: CompetencyFramework, competency: Competency
) -> CompetencyAssociation:
    """The isChildOf association placing the competency in the tree."""
    parent = competency.parent
    return CompetencyAssociation(
        framework=framework,
        identifier=new_identifier(),
        association_type="isChildOf",
        origin=competency,
        destination=parent,
        destination_identifier=parent.identifier if parent else framework.identifier,
        destination_uri=parent.uri if parent else framework.uri,
        destination_title=(parent.code or parent.statement[:60])
        if parent
        else framework.name,
        sequence_number=competency.position,
    )


@transaction.atomic
def add_competency(
    framework: CompetencyFramework,
    *,
    by: AbstractBaseUser,
    statement: str,
    code: str = "",
    competency_type: str = "",
    education_levels: list[str] | tuple[str, ...] = (),
    parent: Competency | None = None,
    uri: str = "",
) -> Competency:
    """Add a competency to a draft framework, at the end of its parent's list."""
    framework = CompetencyFramework.objects.select_for_update().get(pk=framework.pk)
    ensure_framework_editable(framework)
    statement = statement.strip()
    if not statement:
        raise ValidationError({"statement": "Write the competency statement."})
    _check_parent(framework, parent)
    siblings = framework.competencies.filter(parent=parent)
    competency = Competency(
        framework=framework,
        code=code.strip(),
        statement=statement,
        competency_type=competency_type.strip(),
        education_levels=list(education_levels),
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        position=(siblings.aggregate(n=Max("position"))["n"] or 0) + 1,
    )
    competency.uri = uri or item_uri(competency.identifier)
    competency.full_clean()
    competency.save()
    link = child_link(framework, competency)
    link.uri = item_uri(link.identifier)
    link.save()
    log_action(by, "competency.added", competency, organization=framework.organization)
    return competency


@transaction.atomic
def update_competency(
    competency: Competency, *, by: AbstractBaseUser, **fields: object
) -> Competency:
    """Edit a competency of a draft framework; a new parent moves it (and its
    isChildOf association) in the tree."""
    competency = Competency.objects.select_for_update().get(pk=competency.pk)
    framework = competency.framework
    ensure_framework_editable(framework)
    moved = "parent" in fields and fields["parent"] != competency.parent
    if moved:
        _check_parent(framework, fields["parent"], competency)
    for name, value in fields.items():
        setattr(competency, name, value)
    if isinstance(competency.statement, str):
        competency.statement = competency.statement.strip()
    competency.full_clean()
    competency.save(update_fields=list(fields))
    if moved:
        parent = competency.parent
        competency.depth = parent.depth + 1 if parent else 0
        competency.save(update_fields=["depth"])
        link = CompetencyAssociation.objects.filter(
            origin=competency, association_type="isChildOf"
        ).first() or child_link(framework, competency)
        fresh = child_link(framework, competency)
        for name in ("destination", "destination_identifier", "destination_uri"):
            setattr(link, name, getattr(fresh, name))
        link.destination_title = fresh.destination_title
        link.uri = link.uri or item_uri(link.identifier)
        link.save()
        _fix_depths(competency)
    log_action(
        by,
        "competency.updated",
        competency,
        organization=framework.organization,
        fields=list(fields),
    )
    return competency


def _fix_depths(root: Competency) -> None:
    """Depths below a moved competency, one query a level."""
    level = [root]
    while level:
        children = list(Competency.objects.filter(parent__in=level))
        depth = {c.pk: c.depth for c in level}
        for child in children:
            child.depth = depth[child.parent_id] + 1
        Competency.objects.bulk_update(children, ["depth"], batch_size=BATCH_SIZE)
        level = children


@transaction.atomic
def remove_competency(competency: Competency, *, by: AbstractBaseUser) -> None:
    competency = Competency.objects.select_for_update().get(pk=competency.pk)
    framework = competency.framework
    ensure_framework_editable(framework)
    if competency.children.exists():
        raise ValidationError(
            "This competency has competencies inside it; move or remove them first."
        )
    if competency.outcomes.exists():
        raise ValidationError(
            "Outcomes are aligned to this competency; remove those alignments first."
        )
    log_action(
        by,
        "competency.removed",
        competency,
        organization=framework.organization,
        statement=competency.statement[:200],
    )
    competency.delete()
