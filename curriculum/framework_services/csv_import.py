"""Competencies from CSV files: Cairn's columns, ESCO, O*NET and OpenSALT."""

import csv
import io
import re
import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from accounts.audit import log_action
from accounts.csvsafe import read_cell
from accounts.models import Organization
from curriculum.case.conforming import ORIGINAL
from curriculum.case.validation import is_uuid, member_uuid
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
# OpenSALT's spreadsheet template, whose headings come spelt several ways
# ("Is Child Of", "IsChildOf", "isChildOf"): compared without case or spaces.
OPENSALT_COLUMNS = {
    "identifier": "identifier",
    "fullstatement": "statement",
    "humancodingscheme": "code",
    "sequencenumber": "sequence",
    "abbreviatedstatement": "abbreviated_statement",
    "conceptkeywords": "keywords",
    "notes": "notes",
    "language": "language",
    "educationlevel": "education_levels",
    "cfitemtype": "type",
    "ischildof": "parent",
}
# Its association columns: each cell names one or more nodes, split by commas.
ASSOCIATION_COLUMNS = {
    "ispartof": "isPartOf",
    "replacedby": "replacedBy",
    "exemplar": "exemplar",
    "isrelatedto": "isRelatedTo",
    "hasskilllevel": "hasSkillLevel",
    "exactmatchof": "exactMatchOf",
    "isexactmatchof": "exactMatchOf",
    "precedes": "precedes",
    "ispeerof": "isPeerOf",
}
ROW_KEYS = [
    *CSV_COLUMNS,
    "broader",
    "sequence",
    "abbreviated_statement",
    "keywords",
]
LIMITS = {
    "code": 80,
    "type": 100,
    "uri": 500,
    "identifier": 100,
    "abbreviated_statement": 300,
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
    """Add the competencies of a CSV file (CSV_COLUMNS, or ESCO, O*NET or
    OpenSALT headings) to the organization's draft framework of that name, made
    if missing; all or nothing. Raises CsvError naming the row and column."""
    sheet = _read_csv(raw)
    rows, warnings = sheet.rows, sheet.warnings
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
        _give_uuids(rows, framework, sheet, warnings)
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
                    f"row {n}, column {sheet.heading('identifier')}: "
                    f"{row['original'] or row['identifier']!r} is already in "
                    f"“{framework}”"
                )
        keys = _row_keys(rows)
        planned = _plan_csv_tree(rows, keys, by_key, sheet)
        planned_links = _plan_links(rows, keys, by_key, sheet, warnings)
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
                objects.append(_competency(framework, n, row, parent, start))
            for (n, _row, _ref), competency in zip(level, objects, strict=True):
                try:
                    competency.full_clean(
                        exclude=["framework", "parent"], validate_unique=False
                    )
                except ValidationError as error:
                    column, problems = next(iter(error.message_dict.items()))
                    column = {"competency_type": "type"}.get(column, column)
                    raise CsvError(
                        f"row {n}, column {sheet.heading(column)}: {' '.join(problems)}"
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
        for n, kind, target in planned_links:
            target = made[target] if isinstance(target, int) else target
            links.append(_association(framework, made[n], kind, target))
        CompetencyAssociation.objects.bulk_create(links, batch_size=BATCH_SIZE)
        framework.save(update_fields=["updated_at"])
        log_action(
            by,
            "framework.imported",
            framework,
            organization=organization,
            format="CSV",
            items=len(made),
            associations=len(planned_links),
            warnings=len(warnings),
        )
    return ImportResult(framework, warnings)


def _competency(framework, n: int, row: dict, parent, start: int) -> Competency:
    identifier = row["identifier"] or new_identifier()
    case_fields = {}
    if row["original"]:
        case_fields[ORIGINAL] = row["original"]
    if row["keywords"]:
        case_fields["conceptKeywords"] = row["keywords"]
    return Competency(
        framework=framework,
        identifier=identifier,
        code=row["code"],
        statement=row["statement"],
        abbreviated_statement=row["abbreviated_statement"],
        competency_type=row["type"],
        education_levels=row["education_levels"],
        uri=row["uri"] or item_uri(identifier),
        notes=row["notes"],
        language=row["language"],
        case_fields=case_fields,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        # A sequence number orders the item among its siblings; without one,
        # the file's order does.
        position=row["sequence"] if row["sequence"] is not None else start + n,
    )


def _association(
    framework: CompetencyFramework,
    origin: Competency,
    kind: str,
    target: Competency | str,
) -> CompetencyAssociation:
    """An association from a row's competency to another competency, or to a
    node outside the framework named by a URI, a UUID or a code."""
    identifier = new_identifier()
    if isinstance(target, Competency):
        destination = {
            "destination": target,
            "destination_identifier": target.identifier,
            "destination_uri": target.uri,
            "destination_title": target.code or target.statement[:60],
        }
    else:
        is_url = target.startswith(("http://", "https://"))
        destination = {
            "destination": None,
            # The identifier OpenSALT gives such a node, so that both agree.
            "destination_identifier": target
            if is_uuid(target)
            else str(uuid.uuid5(uuid.NAMESPACE_URL, target)),
            "destination_uri": target if is_url else "",
            "destination_title": "" if is_url else target[:300],
        }
    return CompetencyAssociation(
        framework=framework,
        identifier=identifier,
        uri=item_uri(identifier),
        association_type=kind,
        origin=origin,
        **destination,
    )


class Sheet:
    """A read CSV file: its rows by number, warnings, and the heading each row
    key came from (errors name the column as the file does)."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, dict]] = []
        self.warnings: list[str] = []
        self.headings: dict[str, str] = {}
        self.associations: dict[str, str] = {}  # heading -> association type

    def heading(self, key: str) -> str:
        return self.headings.get(key, key)


def _squash(name: str) -> str:
    return re.sub(r"[\s_-]", "", name).lower()


def _read_csv(raw: bytes | str) -> Sheet:
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as error:
        raise CsvError(f"byte {error.start}: the file is not UTF-8 text") from error
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise CsvError(
            f"line {line}: the file holds a NUL character, which no text can; "
            "save it again as CSV (UTF-8)"
        )
    sheet = Sheet()
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as error:
        raise _csv_error(1, error) from error
    if not fieldnames:
        raise CsvError("row 1: the file is empty; it needs a heading row")
    columns: dict[str, str] = {}
    comma_lists: set[str] = set()
    for name in fieldnames:
        plain = name.strip()
        key = CSV_ALIASES.get(plain, plain.lower())
        if key not in CSV_COLUMNS and key != "broader":
            key = OPENSALT_COLUMNS.get(_squash(plain), "")
            if key in ("education_levels", "keywords"):
                comma_lists.add(name)  # OpenSALT separates these by commas
        if key and key not in columns.values():
            columns[name] = key
            sheet.headings[key] = plain
        elif _squash(plain) in ASSOCIATION_COLUMNS:
            sheet.associations[name] = ASSOCIATION_COLUMNS[_squash(plain)]
        elif plain:
            sheet.warnings.append(f"column {name!r} is not one Cairn reads; ignored")
    if "statement" not in columns.values():
        raise CsvError(
            "row 1: no statement column (expected one of: "
            + ", ".join(CSV_COLUMNS)
            + ")"
        )
    seen: dict[str, int] = {}
    n = 1
    try:
        for n, record in enumerate(reader, start=2):
            if None in record:
                raise CsvError(f"row {n}: more cells than headings")
            row: dict = dict.fromkeys(ROW_KEYS, "")
            for name, key in columns.items():
                row[key] = read_cell((record.get(name) or "").strip())
            row["links"] = {
                name: read_cell((record.get(name) or "").strip())
                for name in sheet.associations
            }
            if not any(row[key] for key in ROW_KEYS) and not any(row["links"].values()):
                continue
            _check_row(n, row, columns, comma_lists, sheet)
            if row["identifier"]:
                if row["identifier"] in seen:
                    raise CsvError(
                        f"row {n}, column {sheet.heading('identifier')}: duplicate "
                        f"of row {seen[row['identifier']]}"
                    )
                seen[row["identifier"]] = n
            sheet.rows.append((n, row))
    except csv.Error as error:
        raise _csv_error(n + 1, error) from error
    if not sheet.rows:
        raise CsvError("row 2: the file has headings but no competencies")
    return sheet


def _check_row(n: int, row: dict, columns, comma_lists, sheet: Sheet) -> None:
    if not row["statement"]:
        raise CsvError(f"row {n}, column {sheet.heading('statement')}: empty")
    by_key = {key: name for name, key in columns.items()}
    for key in ("education_levels", "keywords"):
        separator = "," if by_key.get(key) in comma_lists else ";"
        row[key] = [v.strip() for v in row[key].split(separator) if v.strip()]
    for key, limit in LIMITS.items():
        if len(row[key]) > limit:
            raise CsvError(
                f"row {n}, column {sheet.heading(key)}: longer than {limit} characters"
            )
    sequence = row["sequence"]
    if sequence and not sequence.lstrip("-").isdigit():
        raise CsvError(
            f"row {n}, column {sheet.heading('sequence')}: {sequence!r} is not "
            "a whole number"
        )
    row["sequence"] = int(sequence) if sequence else None


def _csv_error(row: int, error: csv.Error) -> CsvError:
    if "field larger than field limit" in str(error):
        return CsvError(
            f"row {row}: a cell is longer than {csv.field_size_limit():,} "
            "characters; no competency is that long"
        )
    return CsvError(f"row {row}: the file is not readable as CSV ({error})")


def _give_uuids(rows, framework, sheet: Sheet, warnings: list[str]) -> None:
    """CASE identifiers are UUIDs: any other identifier (OpenSALT's template
    uses codes) gets a UUID derived from it and the framework, and is kept."""
    for n, row in rows:
        row["original"] = ""
        if row["identifier"] and not is_uuid(row["identifier"]):
            row["original"] = row["identifier"]
            row["identifier"] = member_uuid(framework.identifier, row["original"])
            warnings.append(
                f"row {n}, column {sheet.heading('identifier')}: "
                f"{row['original']!r} is not a UUID, as CASE requires; stored as "
                f"{row['identifier']} (the original is kept with it)"
            )


def _row_keys(rows) -> dict[str, int]:
    """The row each identifier (as given and as stored), code or URI names."""
    keys: dict[str, int] = {}
    for n, row in rows:
        for key in (row["original"], row["identifier"], row["code"], row["uri"]):
            if key:
                keys.setdefault(key, n)
    return keys


def _plan_csv_tree(rows, keys: dict[str, int], existing: dict, sheet: Sheet):
    """Rows level by level, each with its parent: a row number of this file, an
    existing competency, or None. `parent` names an identifier, code or URI;
    ESCO's broaderConceptUri and O*NET's dotted element IDs are read the same
    way when they point into the file."""
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
                    f"row {n}, column {sheet.heading('parent')}: {ref!r} is no "
                    "identifier, code or URI of this file or the framework"
                )
        elif row["broader"]:
            found = [
                keys[u.strip()] for u in row["broader"].split("|") if u.strip() in keys
            ]
            if found and found[0] != n:
                parents[n] = found[0]
        elif "." in row["code"]:
            # O*NET element IDs and OpenSALT codes: 2.A.1.a sits inside 2.A.1.
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
                f"row {remaining[0][0]}, column {sheet.heading('parent')}: the "
                "parents go round in a circle"
            )
        levels.append(level)
        placed.update(n for n, _row, _ref in level)
        remaining = [(n, row) for n, row in remaining if n not in placed]
    return levels


def _plan_links(rows, keys, existing: dict, sheet: Sheet, warnings: list[str]):
    """(row, association type, target) for each node the association columns
    name: a row of this file, a competency of the framework, or, for anything
    else, the text itself (a node outside, kept as a link and reported)."""
    planned = []
    for n, row in rows:
        for name, cell in row["links"].items():
            kind = sheet.associations[name]
            for ref in (part.strip() for part in cell.split(",")):
                if not ref:
                    continue
                if ref in keys:
                    planned.append((n, kind, keys[ref]))
                elif ref in existing:
                    planned.append((n, kind, existing[ref]))
                else:
                    planned.append((n, kind, ref))
                    warnings.append(
                        f"row {n}, column {name.strip()}: {ref!r} is not in this file "
                        "or the framework; kept as a link to a node outside it"
                    )
    return planned
