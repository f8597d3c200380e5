"""Reading a CASE 1.0 / 1.1 `CFPackage` into plain data, without the ORM.

`parse_package` checks a package and returns what to store, or raises
`CaseError` naming the place in the file.

Real packages are not always clean. What the spec allows is accepted as it is;
what it does not, but can be read without guessing (a sequence number written
as a string, `educationalLevel` for `educationLevel`, a document link given as a
bare URI), is read and reported as a warning. Everything else is an error.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from curriculum.case.validation import (
    ASSOCIATION_TYPES,
    DATE,
    DATETIME,
    DEFINITION_REQUIRED,
    DOCUMENT_COLUMNS,
    ITEM_COLUMNS,
    LINK,
    LINKS,
    MAX_TEXT,
    PROPERTY_KINDS,
    TEXT,
    TEXTS,
    CaseError,
    check_shape,
    conform_date,
    conform_datetime,
    document_uuid,
    is_uuid,
    kind_of,
    load_json,
    member_uuid,
)

# Where the identifier a pre-1.0 package gave a node is kept, in case_fields.
ORIGINAL = "__original_identifier"


@dataclass
class ItemData:
    identifier: str
    uri: str
    statement: str
    code: str = ""
    abbreviated_statement: str = ""
    competency_type: str = ""
    education_levels: list[str] = field(default_factory=list)
    language: str = ""
    notes: str = ""
    case_fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class AssociationData:
    identifier: str
    uri: str
    association_type: str
    origin_identifier: str
    destination_identifier: str
    destination_uri: str
    destination_title: str
    sequence_number: int | None
    case_fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class PackageData:
    document: dict[str, Any]  # column name -> value, plus "case_fields"
    items: list[ItemData]
    associations: list[AssociationData]
    definitions: dict[str, Any]
    warnings: list[str]


def _text(obj: dict, key: str, where: str, *, required: bool = False) -> str:
    value = obj.get(key)
    if value is None or value == "":
        if required:
            raise CaseError(f"{where}.{key}", "this required field is missing")
        return ""
    if not isinstance(value, str):
        raise CaseError(f"{where}.{key}", f"expected text, found {kind_of(value)}")
    return value


def _link(obj: dict, key: str, where: str, warnings: list[str]) -> dict[str, str]:
    """A LinkURI {title, identifier, uri}; a bare URI string is read with a warning
    (some CASE 1.0 servers write the document link that way)."""
    value = obj.get(key)
    if value is None:
        raise CaseError(f"{where}.{key}", "this required field is missing")
    if isinstance(value, str):
        warnings.append(
            f"{where}.{key}: a bare URI where CASE wants a link object; read as a URI"
        )
        return {
            "title": "",
            "identifier": value.rstrip("/").rsplit("/", 1)[-1],
            "uri": value,
        }
    if not isinstance(value, dict):
        raise CaseError(
            f"{where}.{key}", f"expected a link object, found {kind_of(value)}"
        )
    identifier = _text(value, "identifier", f"{where}.{key}", required=True)
    return {
        "title": value.get("title") or "",
        "identifier": identifier,
        "uri": value.get("uri") or "",
    }


def _sequence(value: Any, where: str, warnings: list[str]) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CaseError(where, "expected a whole number, found true/false")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        warnings.append(
            f"{where}: the number is written as text ({value!r}); read as {int(value)}"
        )
        return int(value)
    raise CaseError(where, f"expected a whole number, found {value!r}")


def _list(data: dict, key: str) -> list:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise CaseError(key, f"expected a list, found {kind_of(value)}")
    return value


class Identifiers:
    """The package's identifiers as stored: a UUID as it is; any other identifier
    (pre-1.0 drafts used codes and URIs) replaced by a UUID derived from it, each
    replacement reported once. References to nodes of the package follow."""

    def __init__(self, warnings: list[str]) -> None:
        self.document = ""
        self.replaced: dict[str, str] = {}
        self.warnings = warnings

    def own(self, original: str, where: str) -> str:
        if is_uuid(original):
            return original
        if original not in self.replaced:
            self.replaced[original] = (
                member_uuid(self.document, original)
                if self.document
                else document_uuid(original)
            )
            self.warnings.append(
                f"{where}: {original!r} is not a UUID, as CASE requires; stored as "
                f"{self.replaced[original]} (the original is kept with it)"
            )
        return self.replaced[original]

    def ref(self, identifier: str) -> str:
        return self.replaced.get(identifier, identifier)


def _conform(
    fields: dict[str, Any],
    kinds: dict[str, str],
    where: str,
    warnings: list[str],
    ids: Identifiers,
) -> None:
    """Bring the properties kept as they came (case_fields) to the shapes the
    CASE schemas require, in place: what can be read without guessing is
    rewritten with a warning; anything else is an error naming the place."""
    for key, kind in kinds.items():
        if key not in fields:
            continue
        value, place = fields[key], f"{where}.{key}"
        if value is None:
            del fields[key]
            warnings.append(f"{place}: null where CASE wants a value; left out")
        elif kind == TEXT and not isinstance(value, str):
            raise CaseError(place, f"expected text, found {kind_of(value)}")
        elif kind == TEXTS:
            if isinstance(value, str):
                fields[key] = [value]
                warnings.append(
                    f"{place}: a single text where CASE wants a list; read as one"
                )
            elif not isinstance(value, list) or not all(
                isinstance(v, str) for v in value
            ):
                raise CaseError(place, "expected a list of texts")
        elif kind == LINK:
            fields[key] = _conform_link(value, place, warnings, ids)
        elif kind == LINKS:
            if isinstance(value, dict | str):
                value = [value]
                warnings.append(
                    f"{place}: a single link where CASE wants a list; read as one"
                )
            if not isinstance(value, list):
                raise CaseError(place, f"expected a list, found {kind_of(value)}")
            fields[key] = [
                _conform_link(v, f"{place}[{n}]", warnings, ids)
                for n, v in enumerate(value)
            ]
        elif kind in (DATE, DATETIME):
            if not isinstance(value, str):
                raise CaseError(place, f"expected a date, found {kind_of(value)}")
            fixed = (conform_date if kind == DATE else conform_datetime)(value)
            if fixed is None:
                raise CaseError(place, f"{value!r} is not a {kind} (ISO 8601)")
            if fixed != value:
                fields[key] = fixed
                warnings.append(f"{place}: {value!r} written as {fixed!r}")


def _conform_link(
    value: Any, where: str, warnings: list[str], ids: Identifiers
) -> dict[str, str]:
    """A LinkURI {title, identifier (a UUID), uri}."""
    if isinstance(value, str):
        warnings.append(
            f"{where}: a bare URI where CASE wants a link object; read as a URI"
        )
        value = {"uri": value, "identifier": value}
    if not isinstance(value, dict):
        raise CaseError(where, f"expected a link object, found {kind_of(value)}")
    link = {}
    for key in ("title", "identifier", "uri"):
        part = value.get(key)
        if part is None:
            part = ""
        if not isinstance(part, str):
            raise CaseError(f"{where}.{key}", f"expected text, found {kind_of(part)}")
        link[key] = part
    if not link["identifier"]:
        raise CaseError(f"{where}.identifier", "this required field is missing")
    link["identifier"] = ids.ref(link["identifier"])
    if not is_uuid(link["identifier"]):
        link["identifier"] = ids.own(link["identifier"], f"{where}.identifier")
    return link


def _conform_definitions(
    definitions: dict[str, Any], warnings: list[str], ids: Identifiers
) -> dict[str, Any]:
    """CFDefinitions with UUID identifiers and ISO dates; read before the items,
    whose links (CFItemTypeURI, licenseURI) name these entries."""
    cleaned: dict[str, Any] = {}
    for kind, entries in definitions.items():
        if kind not in DEFINITION_REQUIRED:
            cleaned[kind] = entries
            continue
        if not isinstance(entries, list):
            raise CaseError(
                f"CFDefinitions.{kind}", f"expected a list, found {kind_of(entries)}"
            )
        cleaned[kind] = []
        for n, entry in enumerate(entries):
            where = f"CFDefinitions.{kind}[{n}]"
            if not isinstance(entry, dict):
                raise CaseError(where, "expected an object")
            entry = dict(entry)
            if isinstance(entry.get("identifier"), str) and entry["identifier"]:
                original = entry["identifier"]
                entry["identifier"] = ids.own(original, f"{where}.identifier")
                if entry["identifier"] != original:
                    entry[ORIGINAL] = original
            _conform(entry, {"lastChangeDateTime": DATETIME}, where, warnings, ids)
            cleaned[kind].append(entry)
    return cleaned


# The levels of a CFRubric: each list, the id naming its parent, and its links.
RUBRIC_LEVELS = (
    ("CFRubricCriteria", "rubricId", {"CFItemURI": LINK}),
    ("CFRubricCriterionLevels", "rubricCriterionId", {}),
)


def _conform_rubrics(rubrics: Any, warnings: list[str], ids: Identifiers) -> list:
    """CFRubrics, their criteria and levels with UUID identifiers (and the ids
    naming their parents to match), ISO dates and link objects."""
    if not isinstance(rubrics, list):
        raise CaseError("CFRubrics", f"expected a list, found {kind_of(rubrics)}")
    out = []

    def node(value: Any, where: str, links: dict[str, str]) -> dict:
        if not isinstance(value, dict):
            raise CaseError(where, f"expected an object, found {kind_of(value)}")
        value = dict(value)
        for key in ("identifier", "uri"):
            _text(value, key, where, required=True)
        value["identifier"] = ids.own(value["identifier"], f"{where}.identifier")
        kinds = {"lastChangeDateTime": DATETIME, **links}
        if "lastChangeDateTime" not in value:
            raise CaseError(
                f"{where}.lastChangeDateTime", "this required field is missing"
            )
        _conform(value, kinds, where, warnings, ids)
        return value

    for n, rubric in enumerate(rubrics):
        where = f"CFRubrics[{n}]"
        rubric = node(rubric, where, {})
        parents = [(rubric, where)]
        for key, parent_id, links in RUBRIC_LEVELS:
            children = []
            for parent, place in parents:
                kept = []
                for m, child in enumerate(_list(parent, key)):
                    child = node(child, f"{place}.{key}[{m}]", links)
                    if isinstance(child.get(parent_id), str):
                        child[parent_id] = ids.ref(child[parent_id])
                    kept.append(child)
                    children.append((child, f"{place}.{key}[{m}]"))
                if key in parent:
                    parent[key] = kept
            parents = children
        out.append(rubric)
    return out


def parse_package(raw: bytes | str | dict) -> PackageData:
    """Check a CFPackage and return its content; nothing is half-read."""
    if isinstance(raw, dict):
        check_shape(raw)
        data = raw
    else:
        data = load_json(raw)
    if not isinstance(data, dict):
        raise CaseError("", f"a CASE package is a JSON object, found {kind_of(data)}")
    warnings: list[str] = []
    known = {"CFDocument", "CFItems", "CFAssociations", "CFDefinitions", "CFRubrics"}
    for key in sorted(set(data) - known - {"extensions", "@context"}):
        warnings.append(f"{key}: not part of a CASE package; ignored")
    document_json = data.get("CFDocument")
    if not isinstance(document_json, dict):
        raise CaseError("CFDocument", "this required object is missing")
    ids = Identifiers(warnings)
    document = _parse_document(document_json, warnings, ids)
    ids.document = document["identifier"]
    definitions = data.get("CFDefinitions") or {}
    if not isinstance(definitions, dict):
        raise CaseError(
            "CFDefinitions", f"expected an object, found {kind_of(definitions)}"
        )
    definitions = _conform_definitions(definitions, warnings, ids)

    items: list[ItemData] = []
    seen: dict[str, str] = {document["identifier"]: "CFDocument"}
    for n, item_json in enumerate(_list(data, "CFItems")):
        where = f"CFItems[{n}]"
        if not isinstance(item_json, dict):
            raise CaseError(where, f"expected an object, found {kind_of(item_json)}")
        item = _parse_item(item_json, where, warnings, ids)
        if item.identifier in seen:
            raise CaseError(
                f"{where}.identifier",
                f"duplicate identifier {item.identifier!r} "
                f"(also {seen[item.identifier]})",
            )
        seen[item.identifier] = where
        items.append(item)

    item_ids = {item.identifier for item in items}
    associations: list[AssociationData] = []
    association_ids: dict[str, str] = {}
    for n, association_json in enumerate(_list(data, "CFAssociations")):
        where = f"CFAssociations[{n}]"
        if not isinstance(association_json, dict):
            raise CaseError(
                where, f"expected an object, found {kind_of(association_json)}"
            )
        association = _parse_association(association_json, where, warnings, ids)
        if association.identifier in association_ids:
            raise CaseError(
                f"{where}.identifier",
                f"duplicate identifier {association.identifier!r} "
                f"(also {association_ids[association.identifier]})",
            )
        association_ids[association.identifier] = where
        if association.origin_identifier not in item_ids:
            raise CaseError(
                f"{where}.originNodeURI",
                f"points to {association.origin_identifier!r}, which is not an item "
                "of this package",
            )
        # A tree link stays inside the package; other links may point to nodes of
        # other frameworks (exactMatchOf an item published elsewhere).
        if association.association_type == "isChildOf" and (
            association.destination_identifier not in item_ids
            and association.destination_identifier != document["identifier"]
        ):
            raise CaseError(
                f"{where}.destinationNodeURI",
                f"points to {association.destination_identifier!r}, which is neither "
                "an item nor the document of this package",
            )
        associations.append(association)

    for kind, entries in definitions.items():
        required = DEFINITION_REQUIRED.get(kind, ())
        for n, entry in enumerate(entries if isinstance(entries, list) else []):
            if not isinstance(entry, dict):
                raise CaseError(f"CFDefinitions.{kind}[{n}]", "expected an object")
            gaps = {k for k, v in entry.items() if v is None}
            gaps |= {k for k in required if k not in entry}
            if gaps:
                warnings.append(
                    f"CFDefinitions.{kind}[{n}]: {', '.join(sorted(gaps))} "
                    "missing or null; exported as empty text"
                )
    if data.get("CFRubrics"):
        rubrics = _conform_rubrics(data["CFRubrics"], warnings, ids)
        document["case_fields"]["__CFRubrics"] = rubrics
        warnings.append("CFRubrics: kept for export, not shown in Cairn")
    return PackageData(document, items, associations, definitions, warnings)


def _parse_document(obj: dict, warnings: list[str], ids: Identifiers) -> dict[str, Any]:
    where = "CFDocument"
    original = _text(obj, "identifier", where, required=True)
    identifier = ids.own(original, f"{where}.identifier")
    _text(obj, "uri", where, required=True)
    _text(obj, "title", where, required=True)
    for key in ("creator", "lastChangeDateTime"):
        if not obj.get(key):
            warnings.append(f"{where}.{key}: missing (CASE requires it)")
    document: dict[str, Any] = {"case_fields": {}}
    for key, value in obj.items():
        if key in DOCUMENT_COLUMNS:
            column = DOCUMENT_COLUMNS[key]
            document[column] = _text(obj, key, where)
            if column in MAX_TEXT and len(document[column]) > MAX_TEXT[column]:
                raise CaseError(
                    f"{where}.{key}", f"longer than {MAX_TEXT[column]} characters"
                )
        elif key != "caseVersion":  # written by the export
            document["case_fields"][key] = value
    _conform(document["case_fields"], PROPERTY_KINDS[where], where, warnings, ids)
    document["identifier"] = identifier
    if identifier != original:
        document["case_fields"][ORIGINAL] = original
    return document


def _parse_item(
    obj: dict, where: str, warnings: list[str], ids: Identifiers
) -> ItemData:
    values: dict[str, Any] = {"case_fields": {}}
    original = _text(obj, "identifier", where, required=True)
    _text(obj, "fullStatement", where, required=True)
    _text(obj, "uri", where, required=True)
    for key, value in obj.items():
        if key in ITEM_COLUMNS:
            column = ITEM_COLUMNS[key]
            values[column] = _text(obj, key, where)
            if column in MAX_TEXT and len(values[column]) > MAX_TEXT[column]:
                raise CaseError(
                    f"{where}.{key}", f"longer than {MAX_TEXT[column]} characters"
                )
        elif key == "educationLevel":
            values["education_levels"] = _levels(value, f"{where}.{key}", warnings)
        elif key == "educationalLevel" and "educationLevel" not in obj:
            warnings.append(
                f"{where}.educationalLevel: read as educationLevel (the spec's name)"
            )
            values["education_levels"] = _levels(value, f"{where}.{key}", warnings)
            values["case_fields"]["__educationalLevel"] = True
        elif key == "CFDocumentURI":
            # The package's own document, written back as a link on export.
            _document_link(value, f"{where}.{key}", warnings)
        else:
            values["case_fields"][key] = value
    _conform(values["case_fields"], PROPERTY_KINDS["CFItems"], where, warnings, ids)
    values["identifier"] = ids.own(original, f"{where}.identifier")
    if values["identifier"] != original:
        values["case_fields"][ORIGINAL] = original
    return ItemData(**values)


def _document_link(value: Any, where: str, warnings: list[str]) -> None:
    if isinstance(value, str):
        warnings.append(
            f"{where}: a bare URI where CASE wants a link object; the link to "
            "this package's document is written in its place"
        )


def _levels(value: Any, where: str, warnings: list[str]) -> list[str]:
    if isinstance(value, str):
        warnings.append(f"{where}: a single value where CASE wants a list; read as one")
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CaseError(where, "expected a list of education levels")
    return value


def _parse_association(
    obj: dict, where: str, warnings: list[str], ids: Identifiers
) -> AssociationData:
    original = _text(obj, "identifier", where, required=True)
    identifier = ids.own(original, f"{where}.identifier")
    uri = _text(obj, "uri", where, required=True)
    kind = _text(obj, "associationType", where, required=True)
    if kind not in ASSOCIATION_TYPES and not kind.startswith("ext:"):
        raise CaseError(
            f"{where}.associationType",
            f"unknown association type {kind!r} (CASE types, or ext:Name)",
        )
    origin = _link(obj, "originNodeURI", where, warnings)
    destination = _link(obj, "destinationNodeURI", where, warnings)
    origin["identifier"] = ids.ref(origin["identifier"])
    destination["identifier"] = ids.ref(destination["identifier"])
    if "CFDocumentURI" in obj:
        _document_link(obj["CFDocumentURI"], f"{where}.CFDocumentURI", warnings)
    sequence = _sequence(obj.get("sequenceNumber"), f"{where}.sequenceNumber", warnings)
    handled = {
        "identifier",
        "uri",
        "associationType",
        "originNodeURI",
        "destinationNodeURI",
        "sequenceNumber",
        "CFDocumentURI",
    }
    extra = {k: v for k, v in obj.items() if k not in handled}
    _conform(extra, PROPERTY_KINDS["CFAssociations"], where, warnings, ids)
    extra["__origin_title"] = origin["title"]
    if identifier != original:
        extra[ORIGINAL] = original
    if isinstance(obj.get("sequenceNumber"), str):
        extra["__sequence_as_text"] = True
    for key, value, limit in (
        ("identifier", identifier, 100),
        ("uri", uri, 500),
        ("associationType", kind, 100),
        ("originNodeURI.identifier", origin["identifier"], 100),
        ("destinationNodeURI.identifier", destination["identifier"], 100),
        ("destinationNodeURI.uri", destination["uri"], 500),
        ("destinationNodeURI.title", destination["title"], 300),
    ):
        if len(value) > limit:
            raise CaseError(f"{where}.{key}", f"longer than {limit} characters")
    return AssociationData(
        identifier=identifier,
        uri=uri,
        association_type=kind,
        origin_identifier=origin["identifier"],
        destination_identifier=destination["identifier"],
        destination_uri=destination["uri"],
        destination_title=destination["title"],
        sequence_number=sequence,
        case_fields=extra,
    )


def natural_key(text: str) -> tuple:
    """Sorts codes as people read them: L1.2 before L1.10."""
    return tuple(
        (1, int(part), "") if part.isdigit() else (0, 0, part)
        for part in re.split(r"(\d+)", text.casefold())
        if part
    )


def tree_order(
    package: PackageData,
) -> tuple[dict[str, str], dict[str, int], list[list[ItemData]]]:
    """Each item's first isChildOf parent (None for the document), its position
    among its siblings, and the items level by level from the roots, so that
    parents are stored before children. Items in no tree sit at the top level;
    a cycle is an error.

    Siblings come in the order of their sequence numbers; those without one
    follow, in the natural order of their list enumeration and code (a file's
    order means nothing in CASE), then in file order."""
    parent: dict[str, str] = {}
    sequence: dict[str, int | None] = {}
    document_id = package.document["identifier"]
    for association in package.associations:
        if association.association_type != "isChildOf":
            continue
        child = association.origin_identifier
        if child in parent or child in sequence:
            continue  # the first link places the item; the others are kept as rows
        if association.destination_identifier != document_id:
            parent[child] = association.destination_identifier
        sequence[child] = association.sequence_number

    def order(indexed: tuple[int, ItemData]) -> tuple:
        n, item = indexed
        number = sequence.get(item.identifier)
        enumeration = item.case_fields.get("listEnumeration")
        return (
            number is None,
            number or 0,
            natural_key(enumeration if isinstance(enumeration, str) else ""),
            natural_key(item.code),
            n,
        )

    position: dict[str, int] = {}
    siblings: dict[str | None, list[tuple[int, ItemData]]] = {}
    for n, item in enumerate(package.items):
        siblings.setdefault(parent.get(item.identifier), []).append((n, item))
    for group in siblings.values():
        for rank, (_n, item) in enumerate(sorted(group, key=order), start=1):
            position[item.identifier] = rank

    levels: list[list[ItemData]] = []
    placed: set[str] = set()
    remaining = list(package.items)
    while remaining:
        level = [
            i
            for i in remaining
            if i.identifier not in parent or parent[i.identifier] in placed
        ]
        if not level:
            stuck = remaining[0].identifier
            raise CaseError(
                "CFAssociations",
                f"the isChildOf links of item {stuck!r} go round in a circle",
            )
        levels.append(level)
        placed.update(i.identifier for i in level)
        ids = {i.identifier for i in level}
        remaining = [i for i in remaining if i.identifier not in ids]
    return parent, position, levels
