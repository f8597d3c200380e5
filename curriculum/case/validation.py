"""What a CASE package must be: the spec's vocabularies and properties, and the
checks that refuse a file before it is read (text, JSON, depth, NUL characters).

Spec: https://www.imsglobal.org/spec/case/v1p1/ (CASE 1.1), with CASE 1.0 read too.
"""

import json
import re
import uuid
from datetime import UTC, date, datetime
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

ASSOCIATION_TYPES_1_0 = ASSOCIATION_TYPES - {"isTranslationOf"}

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


class CaseError(ValueError):
    """A package that cannot be imported; `where` names the place in the file."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


def load_json(raw: bytes | str) -> Any:
    """JSON from bytes or text; a syntax error names the line and column, and a
    file nested too deeply or holding NUL characters is refused."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as error:
        raise CaseError(f"byte {error.start}", "the file is not UTF-8 text") from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CaseError(
            f"line {error.lineno}, column {error.colno}",
            f"the file is not valid JSON ({error.msg})",
        ) from error
    except RecursionError as error:
        # Python's parser recurses once a level: 100,000 nested lists exhaust it.
        raise CaseError("", TOO_DEEP) from error
    check_shape(data)
    return data


# CASE packages are a few levels deep (package, list, item, link, extension);
# anything deeper than this is not a framework and would strain every reader.
MAX_DEPTH = 32
TOO_DEEP = (
    f"the file nests lists or objects more than {MAX_DEPTH} levels deep; "
    "a CASE package is never that deep"
)


def check_shape(data: Any) -> None:
    """Refuse JSON nested beyond MAX_DEPTH or holding a NUL character (text in
    the database cannot hold one); the error names the place. Iterative, so
    that no depth can exhaust Python's stack."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise CaseError(where, "contains a NUL character (\\u0000)")
            continue
        if not isinstance(value, dict | list):
            continue
        if depth >= MAX_DEPTH:
            raise CaseError(where, TOO_DEEP)
        if isinstance(value, dict):
            for key, child in value.items():
                place = f"{where}.{key}" if where else key
                if "\x00" in key:
                    raise CaseError(place, "contains a NUL character (\\u0000)")
                stack.append((child, place, depth + 1))
        else:
            stack.extend(
                (child, f"{where}[{n}]", depth + 1) for n, child in enumerate(value)
            )


def kind_of(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), "text")


# Identifiers --------------------------------------------------------------------

# Where the identifiers Cairn gives to non-UUID identifiers of pre-1.0 packages
# come from (UUID version 5): the same original always gives the same UUID, so
# a newer version of the same document matches what was imported before.
CAIRN_CASE_NAMESPACE = uuid.UUID("2e58cfae-7d9b-4a39-8e2e-3e71620951b3")
UUID_TEXT = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


def is_uuid(value: str) -> bool:
    return bool(UUID_TEXT.fullmatch(value))


def document_uuid(original: str) -> str:
    return str(uuid.uuid5(CAIRN_CASE_NAMESPACE, original))


def member_uuid(document_identifier: str, original: str) -> str:
    """The UUID of a non-UUID identifier inside a document (a framework stored
    before identifiers were checked may have any identifier, even none)."""
    namespace = (
        document_identifier
        if is_uuid(document_identifier)
        else document_uuid(document_identifier)
    )
    return str(uuid.uuid5(uuid.UUID(namespace), original))


# Values the schemas constrain --------------------------------------------------

# The kind of each property the CASE 1.1 schema types beyond plain text, by class
# (CASE 1.0 accepts the same shapes).
TEXT, TEXTS, LINK, LINKS = "text", "texts", "link", "links"
DATE, DATETIME = "date", "date-time"
PROPERTY_KINDS = {
    "CFDocument": {
        "frameworkType": TEXT,
        "officialSourceURL": TEXT,
        "publisher": TEXT,
        "adoptionStatus": TEXT,
        "notes": TEXT,
        "subject": TEXTS,
        "subjectURI": LINKS,
        "licenseURI": LINK,
        "statusStartDate": DATE,
        "statusEndDate": DATE,
        "lastChangeDateTime": DATETIME,
    },
    "CFItems": {
        "alternativeLabel": TEXT,
        "listEnumeration": TEXT,
        "conceptKeywords": TEXTS,
        "conceptKeywordsURI": LINK,
        "subject": TEXTS,
        "subjectURI": LINKS,
        "CFItemTypeURI": LINK,
        "licenseURI": LINK,
        "statusStartDate": DATE,
        "statusEndDate": DATE,
        "lastChangeDateTime": DATETIME,
    },
    "CFAssociations": {
        "CFAssociationGroupingURI": LINK,
        "lastChangeDateTime": DATETIME,
        "notes": TEXT,
    },
}
RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
)


def conform_datetime(value: str) -> str | None:
    """An RFC 3339 date-time as it is, a looser ISO 8601 one (a space for the
    T, no time zone: read as UTC) rewritten, or None when it is no date-time."""
    if RFC3339.fullmatch(value):
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(value), datetime.min.time())
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def conform_date(value: str) -> str | None:
    """A full date as it is, the date of a date-time, or None."""
    try:
        return (
            date.fromisoformat(value).isoformat()
            if len(value) == 10
            else (datetime.fromisoformat(value).date().isoformat())
        )
    except ValueError:
        return None
