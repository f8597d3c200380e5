"""CASE packages into frameworks: a new framework, all or nothing."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from accounts.audit import log_action
from accounts.models import Organization
from curriculum import case
from curriculum.framework_services.authoring import (
    BATCH_SIZE,
    ImportResult,
    Progress,
)
from curriculum.models import Competency, CompetencyAssociation, CompetencyFramework


def import_case_package(
    organization: Organization,
    *,
    by: AbstractBaseUser | None,
    raw: bytes | str,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a CASE 1.0/1.1 CFPackage as a new framework, all or nothing.

    Raises `case.CaseError` naming the place in the file."""
    package = case.parse_package(raw)
    _parent, position, levels = case.tree_order(package)
    total = len(package.items) + len(package.associations)
    with transaction.atomic():
        identifier = package.document["identifier"]
        existing = CompetencyFramework.objects.filter(
            organization=organization, identifier=identifier
        ).first()
        if existing is not None:
            raise case.CaseError(
                "CFDocument.identifier",
                f"this framework is already imported as “{existing}”; remove it "
                "first or import into another organization",
            )
        document = package.document
        framework = CompetencyFramework(
            organization=organization,
            source="CASE",
            status=CompetencyFramework.Status.DRAFT,
            definitions=package.definitions,
            **document,
        )
        framework.save()
        by_identifier: dict[str, Competency] = {}
        done = 0
        for depth, level in enumerate(levels):
            rows = [
                Competency(
                    framework=framework,
                    identifier=item.identifier,
                    uri=item.uri,
                    statement=item.statement,
                    code=item.code,
                    abbreviated_statement=item.abbreviated_statement,
                    competency_type=item.competency_type,
                    education_levels=item.education_levels,
                    language=item.language,
                    notes=item.notes,
                    case_fields=item.case_fields,
                    parent=by_identifier.get(_parent.get(item.identifier, "")),
                    depth=depth,
                    position=position.get(item.identifier, 0),
                )
                for item in level
            ]
            for start in range(0, len(rows), BATCH_SIZE):
                batch = Competency.objects.bulk_create(rows[start : start + BATCH_SIZE])
                done += len(batch)
                if progress:
                    progress(done, total)
            by_identifier.update((c.identifier, c) for c in rows)
        links = [
            CompetencyAssociation(
                framework=framework,
                identifier=a.identifier,
                uri=a.uri,
                association_type=a.association_type,
                origin=by_identifier[a.origin_identifier],
                destination=by_identifier.get(a.destination_identifier),
                destination_identifier=a.destination_identifier,
                destination_uri=a.destination_uri,
                destination_title=a.destination_title,
                sequence_number=a.sequence_number,
                case_fields=a.case_fields,
            )
            for a in package.associations
        ]
        for start in range(0, len(links), BATCH_SIZE):
            CompetencyAssociation.objects.bulk_create(links[start : start + BATCH_SIZE])
            done += len(links[start : start + BATCH_SIZE])
            if progress:
                progress(done, total)
        log_action(
            by,
            "framework.imported",
            framework,
            organization=organization,
            format="CASE",
            items=len(package.items),
            associations=len(package.associations),
            warnings=len(package.warnings),
        )
    return ImportResult(framework, package.warnings)
