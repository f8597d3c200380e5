"""1EdTech CASE 1.0 / 1.1 packages: read into plain data, and write back.

No ORM here. `parse_package` checks a `CFPackage` and returns what to store, or
raises `CaseError` naming the place in the file; `build_package` composes a
package from stored rows. Spec: https://www.imsglobal.org/spec/case/v1p1/

Real packages are not always clean. What the spec allows is accepted as it is;
what it does not, but can be read without guessing (a sequence number written
as a string, `educationalLevel` for `educationLevel`, a document link given as a
bare URI), is read and reported as a warning. Everything else is an error.
"""

import json
from dataclasses import dataclass, field
from typing import Any

ASSOCIATION_TYPES = frozenset(
    {
        "isChildOf",
        "isPeerOf",
        "isPartOf",
        "exactMatchOf",
        "precedes",
        "isRelatedTo",
        "replacedBy",
        "exemplar",
        "hasSkillLevel",
        "isTranslationOf",  # CASE 1.1
    }
)

# CFDocument properties stored in their own columns; the rest go to case_fields.
DOCUMENT_COLUMNS = {
    "identifier": "identifier",
    "uri": "uri",
    "title": "name",
    "creator": "creator",
    "description": "description",
    "version": "version",
    "language": "language",
}
ITEM_COLUMNS = {
    "identifier": "identifier",
    "uri": "uri",
    "fullStatement": "statement",
    "humanCodingScheme": "code",
    "abbreviatedStatement": "abbreviated_statement",
    "CFItemType": "competency_type",
    "language": "language",
    "notes": "notes",
}
# Properties each class may have in CASE 1.1 (the official schema forbids others).
DOCUMENT_PROPERTIES_1_1 = frozenset(
    [
        "identifier",
        "uri",
        "frameworkType",
        "caseVersion",
        "creator",
        "title",
        "lastChangeDateTime",
        "officialSourceURL",
        "publisher",
        "description",
        "subject",
        "subjectURI",
        "language",
        "version",
        "adoptionStatus",
        "statusStartDate",
        "statusEndDate",
        "licenseURI",
        "notes",
        "extensions",
    ]
)
ITEM_PROPERTIES_1_1 = frozenset(
    [
        "identifier",
        "fullStatement",
        "alternativeLabel",
        "CFItemType",
        "uri",
        "humanCodingScheme",
        "listEnumeration",
        "abbreviatedStatement",
        "conceptKeywords",
        "conceptKeywordsURI",
        "notes",
        "subject",
        "subjectURI",
        "language",
        "educationLevel",
        "CFItemTypeURI",
        "licenseURI",
        "statusStartDate",
        "statusEndDate",
        "lastChangeDateTime",
        "extensions",
    ]
)
ASSOCIATION_PROPERTIES_1_1 = frozenset(
    [
        "identifier",
        "associationType",
        "sequenceNumber",
        "uri",
        "originNodeURI",
        "destinationNodeURI",
        "CFAssociationGroupingURI",
        "lastChangeDateTime",
        "notes",
        "extensions",
    ]
)
# Longest values the columns hold, by column name.
MAX_TEXT = {
    "identifier": 100,
    "uri": 500,
    "name": 200,
    "creator": 200,
    "version": 60,
    "language": 20,
    "code": 80,
    "abbreviated_statement": 300,
    "competency_type": 100,
}


class CaseError(ValueError):
    """A package that cannot be imported; `where` names the place in the file."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


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


def load_json(raw: bytes | str) -> Any:
    """JSON from bytes or text; a syntax error names the line and column."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as error:
        raise CaseError(f"byte {error.start}", "the file is not UTF-8 text") from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CaseError(
            f"line {error.lineno}, column {error.colno}",
            f"the file is not valid JSON ({error.msg})",
        ) from error


def _text(obj: dict, key: str, where: str, *, required: bool = False) -> str:
    value = obj.get(key)
    if value is None or value == "":
        if required:
            raise CaseError(f"{where}.{key}", "this required field is missing")
        return ""
    if not isinstance(value, str):
        raise CaseError(f"{where}.{key}", f"expected text, found {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), "text")


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
            f"{where}.{key}", f"expected a link object, found {_kind(value)}"
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
        raise CaseError(key, f"expected a list, found {_kind(value)}")
    return value


def parse_package(raw: bytes | str | dict) -> PackageData:
    """Check a CFPackage and return its content; nothing is half-read."""
    data = raw if isinstance(raw, dict) else load_json(raw)
    if not isinstance(data, dict):
        raise CaseError("", f"a CASE package is a JSON object, found {_kind(data)}")
    warnings: list[str] = []
    known = {"CFDocument", "CFItems", "CFAssociations", "CFDefinitions", "CFRubrics"}
    for key in sorted(set(data) - known - {"extensions", "@context"}):
        warnings.append(f"{key}: not part of a CASE package; ignored")
    document_json = data.get("CFDocument")
    if not isinstance(document_json, dict):
        raise CaseError("CFDocument", "this required object is missing")
    document = _parse_document(document_json, warnings)

    items: list[ItemData] = []
    seen: dict[str, str] = {document["identifier"]: "CFDocument"}
    for n, item_json in enumerate(_list(data, "CFItems")):
        where = f"CFItems[{n}]"
        if not isinstance(item_json, dict):
            raise CaseError(where, f"expected an object, found {_kind(item_json)}")
        item = _parse_item(item_json, where, warnings)
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
                where, f"expected an object, found {_kind(association_json)}"
            )
        association = _parse_association(association_json, where, warnings)
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

    definitions = data.get("CFDefinitions") or {}
    if not isinstance(definitions, dict):
        raise CaseError(
            "CFDefinitions", f"expected an object, found {_kind(definitions)}"
        )
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
        document["case_fields"]["__CFRubrics"] = data["CFRubrics"]
        warnings.append("CFRubrics: kept as they are, not shown in Cairn")
    return PackageData(document, items, associations, definitions, warnings)


def _parse_document(obj: dict, warnings: list[str]) -> dict[str, Any]:
    where = "CFDocument"
    identifier = _text(obj, "identifier", where, required=True)
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
        else:
            document["case_fields"][key] = value
    document["identifier"] = identifier
    return document


def _parse_item(obj: dict, where: str, warnings: list[str]) -> ItemData:
    values: dict[str, Any] = {"case_fields": {}}
    _text(obj, "identifier", where, required=True)
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
            continue  # the package's own document; written back on export
        else:
            values["case_fields"][key] = value
    return ItemData(**values)


def _levels(value: Any, where: str, warnings: list[str]) -> list[str]:
    if isinstance(value, str):
        warnings.append(f"{where}: a single value where CASE wants a list; read as one")
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CaseError(where, "expected a list of education levels")
    return value


def _parse_association(obj: dict, where: str, warnings: list[str]) -> AssociationData:
    identifier = _text(obj, "identifier", where, required=True)
    uri = _text(obj, "uri", where, required=True)
    kind = _text(obj, "associationType", where, required=True)
    if kind not in ASSOCIATION_TYPES and not kind.startswith("ext:"):
        raise CaseError(
            f"{where}.associationType",
            f"unknown association type {kind!r} (CASE types, or ext:Name)",
        )
    origin = _link(obj, "originNodeURI", where, warnings)
    destination = _link(obj, "destinationNodeURI", where, warnings)
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
    extra["__origin_title"] = origin["title"]
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


def tree_order(
    package: PackageData,
) -> tuple[dict[str, str], dict[str, int], list[list[ItemData]]]:
    """Each item's first isChildOf parent (None for the document), its position,
    and the items level by level from the roots, so that parents are stored before
    children. Items in no tree sit at the top level; a cycle is an error."""
    parent: dict[str, str] = {}
    position: dict[str, int] = {}
    document_id = package.document["identifier"]
    for association in package.associations:
        if association.association_type != "isChildOf":
            continue
        child = association.origin_identifier
        if child in parent:
            continue  # the first link places the item; the others are kept as rows
        if association.destination_identifier != document_id:
            parent[child] = association.destination_identifier
        position[child] = association.sequence_number or 0
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


# Writing ---------------------------------------------------------------------

# Required properties of the CFDefinitions entries (CASE 1.1; a superset of 1.0).
DEFINITION_REQUIRED = {
    "CFConcepts": ("identifier", "uri", "title", "hierarchyCode", "lastChangeDateTime"),
    "CFSubjects": ("identifier", "uri", "title", "hierarchyCode", "lastChangeDateTime"),
    "CFLicenses": ("identifier", "uri", "title", "licenseText", "lastChangeDateTime"),
    "CFItemTypes": (
        "identifier",
        "uri",
        "title",
        "description",
        "hierarchyCode",
        "lastChangeDateTime",
    ),
    "CFAssociationGroupings": ("identifier", "uri", "title", "lastChangeDateTime"),
}


def clean_definitions(definitions: dict[str, Any], last_change: str) -> dict[str, Any]:
    """CFDefinitions as the schemas want them: no null values (OpenSALT writes
    `"description": null`), required text present (empty when unknown)."""
    cleaned: dict[str, Any] = {}
    for kind, entries in definitions.items():
        if kind not in DEFINITION_REQUIRED or not isinstance(entries, list):
            cleaned[kind] = entries
            continue
        out = []
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            entry = {k: v for k, v in entry.items() if v is not None}
            for key in DEFINITION_REQUIRED[kind]:
                if key not in entry:
                    entry[key] = last_change if key == "lastChangeDateTime" else ""
            out.append(entry)
        cleaned[kind] = out
    return cleaned


def _link_out(title: str, identifier: str, uri: str) -> dict[str, str]:
    return {"title": title, "identifier": identifier, "uri": uri}


def build_package(
    document: dict[str, Any],
    items: list[ItemData],
    associations: list[AssociationData],
    definitions: dict[str, Any],
    *,
    case_version: str = "1.1",
    last_change: str,
) -> dict[str, Any]:
    """A CFPackage from stored data. CASE 1.1 output keeps to the properties of
    the official schema; 1.0 output also carries what was imported beyond it."""
    strict = case_version == "1.1"
    extra = {k: v for k, v in document["case_fields"].items() if not k.startswith("__")}
    doc: dict[str, Any] = {
        "identifier": document["identifier"],
        "uri": document["uri"],
        "creator": document.get("creator") or "",
        "title": document["name"],
        "lastChangeDateTime": extra.pop("lastChangeDateTime", None) or last_change,
    }
    for key, column in DOCUMENT_COLUMNS.items():
        if key not in doc and document.get(column):
            doc[key] = document[column]
    doc.update(extra)
    if strict:
        doc = {k: v for k, v in doc.items() if k in DOCUMENT_PROPERTIES_1_1}
        doc.setdefault("caseVersion", "1.1")
    document_link = _link_out(doc["title"], doc["identifier"], doc["uri"])
    titles = {i.identifier: i.code or i.statement[:60] for i in items}
    uris = {i.identifier: i.uri for i in items}

    cf_items = []
    for item in items:
        out: dict[str, Any] = {"identifier": item.identifier, "uri": item.uri}
        if not strict:
            out["CFDocumentURI"] = document_link
        out["fullStatement"] = item.statement
        for key, column in ITEM_COLUMNS.items():
            value = getattr(item, column)
            if key not in out and value:
                out[key] = value
        fields = {k: v for k, v in item.case_fields.items() if not k.startswith("__")}
        if item.education_levels:
            if item.case_fields.get("__educationalLevel") and not strict:
                out["educationalLevel"] = (
                    item.education_levels[0]
                    if len(item.education_levels) == 1
                    else item.education_levels
                )
            else:
                out["educationLevel"] = item.education_levels
        out.update(fields)
        out.setdefault("lastChangeDateTime", last_change)
        if strict:
            out = {k: v for k, v in out.items() if k in ITEM_PROPERTIES_1_1}
        cf_items.append(out)

    cf_associations = []
    for association in associations:
        fields = {
            k: v for k, v in association.case_fields.items() if not k.startswith("__")
        }
        origin_title = association.case_fields.get("__origin_title") or titles.get(
            association.origin_identifier, ""
        )
        origin_uri = uris.get(association.origin_identifier, "")
        out = {
            "identifier": association.identifier,
            "uri": association.uri,
            "associationType": association.association_type,
        }
        if not strict:
            out["CFDocumentURI"] = document_link
        if association.sequence_number is not None:
            out["sequenceNumber"] = association.sequence_number
        out["originNodeURI"] = _link_out(
            origin_title, association.origin_identifier, origin_uri
        )
        out["destinationNodeURI"] = _link_out(
            association.destination_title,
            association.destination_identifier,
            association.destination_uri,
        )
        out.update(fields)
        out.setdefault("lastChangeDateTime", last_change)
        if strict:
            out = {k: v for k, v in out.items() if k in ASSOCIATION_PROPERTIES_1_1}
        cf_associations.append(out)

    package: dict[str, Any] = {
        "CFDocument": doc,
        "CFItems": cf_items,
        "CFAssociations": cf_associations,
    }
    if definitions:
        package["CFDefinitions"] = clean_definitions(definitions, last_change)
    rubrics = document["case_fields"].get("__CFRubrics")
    if rubrics:
        package["CFRubrics"] = rubrics
    return package
