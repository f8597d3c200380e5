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

from curriculum.case.conforming import (
    ORIGINAL,
    Identifiers,
    conform_definitions,
    conform_fields,
    conform_rubrics,
    list_field,
    text_field,
)
from curriculum.case.validation import (
    ASSOCIATION_TYPES,
    DEFINITION_REQUIRED,
    DOCUMENT_COLUMNS,
    ITEM_COLUMNS,
    MAX_TEXT,
    PROPERTY_KINDS,
    CaseError,
    check_shape,
    kind_of,
    load_json,
)


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
    identifier = text_field(value, "identifier", f"{where}.{key}", required=True)
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
    definitions = conform_definitions(definitions, warnings, ids)

    items: list[ItemData] = []
    seen: dict[str, str] = {document["identifier"]: "CFDocument"}
    for n, item_json in enumerate(list_field(data, "CFItems")):
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
    for n, association_json in enumerate(list_field(data, "CFAssociations")):
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
        rubrics = conform_rubrics(data["CFRubrics"], warnings, ids)
        document["case_fields"]["__CFRubrics"] = rubrics
        warnings.append("CFRubrics: kept for export, not shown in Cairn")
    return PackageData(document, items, associations, definitions, warnings)


def _parse_document(obj: dict, warnings: list[str], ids: Identifiers) -> dict[str, Any]:
    where = "CFDocument"
    original = text_field(obj, "identifier", where, required=True)
    identifier = ids.own(original, f"{where}.identifier")
    text_field(obj, "uri", where, required=True)
    text_field(obj, "title", where, required=True)
    for key in ("creator", "lastChangeDateTime"):
        if not obj.get(key):
            warnings.append(f"{where}.{key}: missing (CASE requires it)")
    document: dict[str, Any] = {"case_fields": {}}
    for key, value in obj.items():
        if key in DOCUMENT_COLUMNS:
            column = DOCUMENT_COLUMNS[key]
            document[column] = text_field(obj, key, where)
            if column in MAX_TEXT and len(document[column]) > MAX_TEXT[column]:
                raise CaseError(
                    f"{where}.{key}", f"longer than {MAX_TEXT[column]} characters"
                )
        elif key != "caseVersion":  # written by the export
            document["case_fields"][key] = value
    conform_fields(document["case_fields"], PROPERTY_KINDS[where], where, warnings, ids)
    document["identifier"] = identifier
    if identifier != original:
        document["case_fields"][ORIGINAL] = original
    return document


def _parse_item(
    obj: dict, where: str, warnings: list[str], ids: Identifiers
) -> ItemData:
    values: dict[str, Any] = {"case_fields": {}}
    original = text_field(obj, "identifier", where, required=True)
    text_field(obj, "fullStatement", where, required=True)
    text_field(obj, "uri", where, required=True)
    for key, value in obj.items():
        if key in ITEM_COLUMNS:
            column = ITEM_COLUMNS[key]
            values[column] = text_field(obj, key, where)
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
    conform_fields(
        values["case_fields"], PROPERTY_KINDS["CFItems"], where, warnings, ids
    )
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
    original = text_field(obj, "identifier", where, required=True)
    identifier = ids.own(original, f"{where}.identifier")
    uri = text_field(obj, "uri", where, required=True)
    kind = text_field(obj, "associationType", where, required=True)
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
    conform_fields(extra, PROPERTY_KINDS["CFAssociations"], where, warnings, ids)
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
