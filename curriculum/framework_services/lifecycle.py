"""A framework's later life: replaced by a newer version of its CASE document,
or deleted when nothing uses it."""

import uuid
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.audit import log_action

# A module, not names: selectors imports this package for CSV_COLUMNS.
from curriculum import case, selectors
from curriculum.case.changes import CaseUpdate, compare
from curriculum.framework_services.authoring import BATCH_SIZE
from curriculum.models import (
    Competency,
    CompetencyAssociation,
    CompetencyFramework,
    Outcome,
)

# What an update rewrites on each kept competency.
COMPETENCY_FIELDS = [
    "uri",
    "statement",
    "code",
    "abbreviated_statement",
    "competency_type",
    "education_levels",
    "language",
    "notes",
    "case_fields",
    "parent",
    "depth",
    "position",
]
DOCUMENT_FIELDS = ["uri", "name", "creator", "description", "version", "language"]
# Rows per UPDATE: bulk_update writes one CASE WHEN per field and row, which
# PostgreSQL scans row by row, so a statement costs the square of its size.
UPDATE_BATCH = 100
# How long an uploaded package waits for its preview to be confirmed.
STASH_SECONDS = 3600


@dataclass
class UpdatePlan:
    package: case.PackageData
    update: CaseUpdate
    blocked: list[str] = field(default_factory=list)
    # Outcomes aligned to each competency the update removes or changes.
    aligned: dict[str, int] = field(default_factory=dict)


def _aligned_outcomes(
    framework: CompetencyFramework, identifiers: list[str]
) -> dict[str, list[str]]:
    """For each competency, the module versions whose outcomes align to it."""
    rows = (
        Outcome.competencies.through.objects.filter(
            competency__framework=framework, competency__identifier__in=identifiers
        )
        .values_list(
            "competency__identifier",
            "outcome__version__module__code",
            "outcome__version__number",
        )
        .order_by("outcome__version__module__code", "outcome__version__number")
    )
    found: dict[str, list[str]] = {}
    for identifier, code, number in rows:
        label = f"{code} v{number}"
        if label not in found.setdefault(identifier, []):
            found[identifier].append(label)
    return found


def plan_case_update(framework: CompetencyFramework, raw: bytes | str) -> UpdatePlan:
    """What replacing the framework with a newer version of its CASE document
    would change; changes nothing. Raises `case.CaseError` for a package that
    cannot be read or is another document."""
    package = case.parse_package(raw)
    identifier = package.document["identifier"]
    if identifier != framework.identifier:
        raise case.CaseError(
            "CFDocument.identifier",
            f"this package is another framework ({identifier}); “{framework}” is "
            f"{framework.identifier}. Import it as a new framework instead",
        )
    case.tree_order(package)  # a cycle is an error before anything is shown
    update = compare(selectors.case_data(framework), package)
    touched = [i.identifier for i in update.removed] + [
        c.item.identifier for c in update.changed
    ]
    aligned = _aligned_outcomes(framework, touched)
    plan = UpdatePlan(package, update, aligned={k: len(v) for k, v in aligned.items()})
    for item in update.removed:
        if item.identifier in aligned:
            plan.blocked.append(
                f"“{item.code or item.statement[:60]}” is not in the new version, "
                "but outcomes of " + ", ".join(aligned[item.identifier]) + " are "
                "aligned to it; align those outcomes to another competency first."
            )
    return plan


def stash_case_update(
    framework: CompetencyFramework, *, by: AbstractBaseUser, raw: bytes
) -> str:
    """Keep an uploaded package while its preview is read; returns its token."""
    token = uuid.uuid4().hex
    cache.set(
        f"curriculum:case-update:{token}",
        {"framework": framework.pk, "user": by.pk, "raw": raw},
        timeout=STASH_SECONDS,
    )
    return token


def stashed_case_update(
    framework: CompetencyFramework, *, by: AbstractBaseUser, token: str
) -> bytes:
    stashed = cache.get(f"curriculum:case-update:{token}")
    if not stashed or stashed["framework"] != framework.pk or stashed["user"] != by.pk:
        raise ValidationError(
            "This preview has expired (uploads wait an hour); upload the file again."
        )
    return stashed["raw"]


@transaction.atomic
def apply_case_update(
    framework: CompetencyFramework,
    *,
    by: AbstractBaseUser | None,
    raw: bytes | str,
    digest: str,
) -> CaseUpdate:
    """Replace the framework's content with the newer package, keeping the
    competencies it still has (and the outcomes aligned to them); all or
    nothing. `digest` is the preview's: if the changes differ now, nothing is
    applied."""
    framework = CompetencyFramework.objects.select_for_update().get(pk=framework.pk)
    plan = plan_case_update(framework, raw)
    if plan.blocked:
        raise ValidationError(plan.blocked)
    if plan.update.digest() != digest:
        raise ValidationError(
            "The framework changed since this preview was made; review the "
            "changes again."
        )
    package = plan.package
    document = package.document
    for name in DOCUMENT_FIELDS:
        setattr(framework, name, document.get(name, ""))
    framework.case_fields = document["case_fields"]
    framework.definitions = package.definitions
    framework.save(
        update_fields=[*DOCUMENT_FIELDS, "case_fields", "definitions", "updated_at"]
    )

    parent, position, levels = case.tree_order(package)
    existing = {c.identifier: c for c in framework.competencies.all()}
    placed: dict[str, Competency] = {}
    for depth, level in enumerate(levels):
        made, kept = [], []
        for item in level:
            values = {
                "uri": item.uri,
                "statement": item.statement,
                "code": item.code,
                "abbreviated_statement": item.abbreviated_statement,
                "competency_type": item.competency_type,
                "education_levels": item.education_levels,
                "language": item.language,
                "notes": item.notes,
                "case_fields": item.case_fields,
                "parent": placed.get(parent.get(item.identifier, "")),
                "depth": depth,
                "position": position.get(item.identifier, 0),
            }
            competency = existing.get(item.identifier)
            if competency is None:
                competency = Competency(
                    framework=framework, identifier=item.identifier, **values
                )
                made.append(competency)
            else:
                values["parent_id"] = values.pop("parent")
                values["parent_id"] = (
                    values["parent_id"].pk if values["parent_id"] else None
                )
                if any(getattr(competency, k) != v for k, v in values.items()):
                    for name, value in values.items():
                        setattr(competency, name, value)
                    kept.append(competency)  # only what changes is written
            placed[item.identifier] = competency
        Competency.objects.bulk_create(made, batch_size=BATCH_SIZE)
        Competency.objects.bulk_update(kept, COMPETENCY_FIELDS, batch_size=UPDATE_BATCH)
    # Every competency kept now hangs from a kept parent, so deleting the rest
    # takes none of them along.
    framework.competencies.exclude(identifier__in=list(placed)).delete()
    # Associations are rows nothing else points to: written afresh.
    framework.associations.all().delete()
    CompetencyAssociation.objects.bulk_create(
        [
            CompetencyAssociation(
                framework=framework,
                identifier=a.identifier,
                uri=a.uri,
                association_type=a.association_type,
                origin=placed[a.origin_identifier],
                destination=placed.get(a.destination_identifier),
                destination_identifier=a.destination_identifier,
                destination_uri=a.destination_uri,
                destination_title=a.destination_title,
                sequence_number=a.sequence_number,
                case_fields=a.case_fields,
            )
            for a in package.associations
        ],
        batch_size=BATCH_SIZE,
    )
    update = plan.update
    log_action(
        by,
        "framework.updated_from_case",
        framework,
        organization=framework.organization,
        version=framework.version,
        added=len(update.added),
        removed=len(update.removed),
        changed=len(update.changed),
        associations_added=len(update.associations_added),
        associations_removed=len(update.associations_removed),
        associations_changed=len(update.associations_changed),
        warnings=len(package.warnings),
    )
    return update


def framework_uses(framework: CompetencyFramework) -> list[str]:
    """Why the framework cannot be deleted, in words; empty when nothing uses it."""
    reasons = []
    versions = sorted(
        {
            label
            for labels in _aligned_outcomes(
                framework,
                list(framework.competencies.values_list("identifier", flat=True)),
            ).values()
            for label in labels
        }
    )
    if versions:
        shown = ", ".join(versions[:5]) + (" and more" if len(versions) > 5 else "")
        reasons.append(
            f"Outcomes of {len(versions)} module version"
            f"{'s' if len(versions) != 1 else ''} ({shown}) are aligned to its "
            "competencies; remove those alignments first."
        )
    elsewhere = (
        CompetencyAssociation.objects.filter(destination__framework=framework)
        .exclude(framework=framework)
        .count()
    )
    if elsewhere:
        reasons.append(
            f"{elsewhere} association{'s' if elsewhere != 1 else ''} of other "
            "frameworks point to its competencies."
        )
    return reasons


@transaction.atomic
def delete_framework(framework: CompetencyFramework, *, by: AbstractBaseUser) -> None:
    """Delete a framework nothing uses, with its competencies and associations."""
    framework = CompetencyFramework.objects.select_for_update().get(pk=framework.pk)
    reasons = framework_uses(framework)
    if reasons:
        raise ValidationError(reasons)
    log_action(
        by,
        "framework.deleted",
        framework,
        organization=framework.organization,
        name=framework.name,
        identifier=framework.identifier,
        source=framework.source,
        status=framework.status,
        items=framework.competencies.count(),
    )
    framework.delete()
