"""What a CASE package must be: the spec's vocabularies and properties, and the
checks that refuse a file before it is read (text, JSON, depth, NUL characters).

Spec: https://www.imsglobal.org/spec/case/v1p1/ (CASE 1.1), with CASE 1.0 read too.
"""

import json
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


def kind_of(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), "text")
