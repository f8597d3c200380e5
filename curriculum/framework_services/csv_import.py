"""Competencies from CSV files: Cairn's columns, ESCO, O*NET and OpenSALT."""

import csv
import io

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from curriculum.audit import log_action
from curriculum.framework_services.authoring import (
    BATCH_SIZE,
    ImportResult,
    Progress,
    child_link,
    item_uri,
)
from curriculum.models import (
    Competency,
    CompetencyAssociation,
    CompetencyFramework,
    Organization,
    new_identifier,
)

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
            link = child_link(framework, competency)
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
