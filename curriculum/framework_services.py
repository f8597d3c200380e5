"""Every change to competency frameworks: authoring, CASE and CSV imports."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Organization
from curriculum import case, tasks
from curriculum.models import (
    Competency,
    CompetencyAssociation,
    CompetencyFramework,
    FrameworkImport,
    new_identifier,
)

Progress = Callable[[int, int], None]
# Rows per INSERT: large enough that 2,000 items take a handful of statements,
# small enough to stay well under PostgreSQL's 65,535 bind parameters (17 columns).
BATCH_SIZE = 1000

CSV_COLUMNS = [
    "identifier",
    "code",
    "statement",
    "type",
    "parent",
    "education_levels",
    "uri",
    "notes",
    "language",
]
# Other names for the columns, as ESCO and O*NET extracts spell them.
CSV_ALIASES = {
    "conceptUri": "uri",
    "preferredLabel": "statement",
    "description": "notes",
    "skillType": "type",
    "broaderConceptUri": "broader",
    "Element ID": "code",
    "Element Name": "statement",
    "Description": "notes",
    "fullStatement": "statement",
    "humanCodingScheme": "code",
}


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


def _child_link(
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
    link = _child_link(framework, competency)
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
        ).first() or _child_link(framework, competency)
        fresh = _child_link(framework, competency)
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


# CASE ------------------------------------------------------------------------


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


# CSV -------------------------------------------------------------------------


class CsvError(ValueError):
    """A CSV file that cannot be imported; the message names row and column."""


def import_competencies_csv(
    organization: Organization,
    *,
    by: AbstractBaseUser | None,
    raw: bytes | str,
    framework_name: str,
    progress: Progress | None = None,
) -> ImportResult:
    """Add the competencies of a CSV file (CSV_COLUMNS, or ESCO/O*NET headings) to
    the organization's draft framework of that name, made if missing; all or
    nothing. Raises CsvError naming the row and column."""
    rows, warnings = _read_csv(raw)
    framework_name = framework_name.strip()
    if not framework_name:
        raise CsvError("Name the framework to import into.")
    with transaction.atomic():
        framework = (
            CompetencyFramework.objects.select_for_update()
            .filter(organization=organization, name=framework_name)
            .first()
        )
        if framework is None:
            framework = CompetencyFramework(
                organization=organization,
                name=framework_name,
                source="CSV",
                creator=organization.name,
            )
            framework.uri = item_uri(framework.identifier)
            framework.save()
        elif not framework.is_editable:
            raise CsvError(
                f"The framework “{framework}” is published; import into a draft."
            )
        known = {
            c.identifier: c
            for c in framework.competencies.only(
                "pk", "identifier", "code", "uri", "depth"
            )
        }
        by_key: dict[str, Competency] = {}
        for competency in known.values():
            for key in (competency.identifier, competency.uri, competency.code):
                if key:
                    by_key.setdefault(key, competency)
        for n, row in rows:
            if row["identifier"] and row["identifier"] in known:
                raise CsvError(
                    f"row {n}, column identifier: {row['identifier']!r} is already in "
                    f"“{framework}”"
                )
        planned = _plan_csv_tree(rows, by_key, warnings)
        start = (framework.competencies.aggregate(n=Max("position"))["n"] or 0) + 1
        made: dict[int, Competency] = {}
        total = len(rows)
        done = 0
        for level in planned:
            objects = []
            for n, row, parent_ref in level:
                parent = (
                    made.get(parent_ref) if isinstance(parent_ref, int) else parent_ref
                )
                identifier = row["identifier"] or new_identifier()
                objects.append(
                    Competency(
                        framework=framework,
                        identifier=identifier,
                        code=row["code"],
                        statement=row["statement"],
                        competency_type=row["type"],
                        education_levels=row["education_levels"],
                        uri=row["uri"] or item_uri(identifier),
                        notes=row["notes"],
                        language=row["language"],
                        parent=parent,
                        depth=parent.depth + 1 if parent else 0,
                        position=start + n,
                    )
                )
            for (n, _row, _ref), competency in zip(level, objects, strict=True):
                try:
                    competency.full_clean(
                        exclude=["framework", "parent"], validate_unique=False
                    )
                except ValidationError as error:
                    column, problems = next(iter(error.message_dict.items()))
                    column = {"competency_type": "type"}.get(column, column)
                    raise CsvError(
                        f"row {n}, column {column}: {' '.join(problems)}"
                    ) from error
            Competency.objects.bulk_create(objects, batch_size=BATCH_SIZE)
            for (n, _row, _ref), competency in zip(level, objects, strict=True):
                made[n] = competency
            done += len(objects)
            if progress:
                progress(done, total)
        links = []
        for competency in made.values():
            link = _child_link(framework, competency)
            link.uri = item_uri(link.identifier)
            links.append(link)
        CompetencyAssociation.objects.bulk_create(links, batch_size=BATCH_SIZE)
        framework.save(update_fields=["updated_at"])
        log_action(
            by,
            "framework.imported",
            framework,
            organization=organization,
            format="CSV",
            items=len(made),
            warnings=len(warnings),
        )
    return ImportResult(framework, warnings)


def _read_csv(raw: bytes | str) -> tuple[list[tuple[int, dict]], list[str]]:
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as error:
        raise CsvError(f"byte {error.start}: the file is not UTF-8 text") from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise CsvError("row 1: the file is empty; it needs a heading row")
    headings = {}
    warnings = []
    for name in reader.fieldnames:
        key = CSV_ALIASES.get(name.strip(), name.strip().lower())
        if key in CSV_COLUMNS or key == "broader":
            headings[name] = key
        elif name.strip():
            warnings.append(f"column {name!r} is not one Cairn reads; ignored")
    if "statement" not in headings.values():
        raise CsvError(
            "row 1: no statement column (expected one of: "
            + ", ".join(CSV_COLUMNS)
            + ")"
        )
    rows = []
    seen: dict[str, int] = {}
    try:
        for n, record in enumerate(reader, start=2):
            if None in record:
                raise CsvError(f"row {n}: more cells than headings")
            row = dict.fromkeys([*CSV_COLUMNS, "broader"], "")
            for name, key in headings.items():
                row[key] = (record.get(name) or "").strip()
            if not any(row.values()):
                continue
            if not row["statement"]:
                raise CsvError(f"row {n}, column statement: empty")
            levels = row["education_levels"]
            row["education_levels"] = [
                v.strip() for v in levels.split(";") if v.strip()
            ]
            for key, limit in (
                ("code", 80),
                ("type", 100),
                ("uri", 500),
                ("identifier", 100),
            ):
                if len(row[key]) > limit:
                    raise CsvError(
                        f"row {n}, column {key}: longer than {limit} characters"
                    )
            if row["identifier"]:
                if row["identifier"] in seen:
                    raise CsvError(
                        f"row {n}, column identifier: duplicate of row "
                        f"{seen[row['identifier']]}"
                    )
                seen[row["identifier"]] = n
            rows.append((n, row))
    except csv.Error as error:
        raise CsvError(f"row {reader.line_num}: {error}") from error
    if not rows:
        raise CsvError("row 2: the file has headings but no competencies")
    return rows, warnings


def _plan_csv_tree(rows, existing: dict, warnings: list[str]):
    """Rows level by level, each with its parent: a row number of this file, an
    existing competency, or None. `parent` names an identifier, code or URI;
    ESCO's broaderConceptUri and O*NET's dotted element IDs are read the same
    way when they point into the file."""
    keys: dict[str, int] = {}
    for n, row in rows:
        for key in (row["identifier"], row["code"], row["uri"]):
            if key:
                keys.setdefault(key, n)
    parents: dict[int, object] = {}
    for n, row in rows:
        ref = row["parent"]
        if ref:
            if ref in keys and keys[ref] != n:
                parents[n] = keys[ref]
            elif ref in existing:
                parents[n] = existing[ref]
            else:
                raise CsvError(
                    f"row {n}, column parent: {ref!r} is no identifier, code or URI "
                    "of this file or the framework"
                )
        elif row["broader"]:
            found = [
                keys[u.strip()] for u in row["broader"].split("|") if u.strip() in keys
            ]
            if found and found[0] != n:
                parents[n] = found[0]
        elif "." in row["code"]:
            # O*NET element IDs: 2.A.1.a sits inside 2.A.1.
            prefix = row["code"].rsplit(".", 1)[0]
            if prefix in keys and keys[prefix] != n:
                parents[n] = keys[prefix]
    levels = []
    placed: set[int] = set()
    remaining = list(rows)
    while remaining:
        level = [
            (n, row, parents.get(n))
            for n, row in remaining
            if not isinstance(parents.get(n), int) or parents[n] in placed
        ]
        if not level:
            raise CsvError(
                f"row {remaining[0][0]}, column parent: the parents go round in a "
                "circle"
            )
        levels.append(level)
        placed.update(n for n, _row, _ref in level)
        remaining = [(n, row) for n, row in remaining if n not in placed]
    return levels


# Imports from the browser: an uploaded file, imported by a task ---------------


def progress_key(job_id: int) -> str:
    return f"curriculum:import:{job_id}:progress"


def import_progress(job: FrameworkImport) -> tuple[int, int]:
    """(done, total) of a running import, as its task last reported."""
    done, total = cache.get(progress_key(job.pk), (0, 0))
    return done, total


@transaction.atomic
def start_framework_import(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    upload: UploadedFile,
    format: str,
    framework_name: str = "",
) -> FrameworkImport:
    """Keep an uploaded CASE or CSV file and queue its import."""
    if format == FrameworkImport.Format.CSV and not framework_name.strip():
        raise ValidationError({"framework_name": "Name the framework to import into."})
    if upload.size > settings.CAIRN_MAX_UPLOAD_BYTES:
        raise ValidationError({"file": "The file is too large."})
    job = FrameworkImport(
        organization=organization,
        format=format,
        filename=upload.name[:200],
        framework_name=framework_name.strip(),
        created_by=by,
    )
    job.file.save(upload.name, upload, save=False)
    job.save()
    log_action(by, "framework.import_started", job, organization=organization)
    tasks.run_framework_import.delay_on_commit(job.pk)
    return job


def run_framework_import(job: FrameworkImport) -> FrameworkImport:
    """Import a waiting upload; a second run of the same job does nothing."""
    claimed = FrameworkImport.objects.filter(
        pk=job.pk, status=FrameworkImport.Status.PENDING
    ).update(status=FrameworkImport.Status.RUNNING)
    if not claimed:
        return FrameworkImport.objects.get(pk=job.pk)
    job.refresh_from_db()

    def report(done: int, total: int) -> None:
        cache.set(progress_key(job.pk), (done, total), timeout=3600)

    try:
        with job.file.open("rb") as handle:
            raw = handle.read()
        if job.format == FrameworkImport.Format.CASE:
            result = import_case_package(
                job.organization, by=job.created_by, raw=raw, progress=report
            )
        else:
            result = import_competencies_csv(
                job.organization,
                by=job.created_by,
                raw=raw,
                framework_name=job.framework_name,
                progress=report,
            )
    except (case.CaseError, CsvError, ValidationError) as error:
        job.status = FrameworkImport.Status.FAILED
        job.error = "; ".join(getattr(error, "messages", None) or [str(error)])
    else:
        job.status = FrameworkImport.Status.DONE
        job.framework = result.framework
        job.warnings = result.warnings
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "framework", "warnings", "finished_at"])
    return job
