"""Writing a CASE `CFPackage` from stored data, without the ORM.

CASE 1.1 output keeps to the properties of the official schema; CASE 1.0 output
also carries what was imported beyond it.
"""

from typing import Any

from curriculum.case.reading import AssociationData, ItemData
from curriculum.case.validation import (
    ASSOCIATION_PROPERTIES_1_1,
    ASSOCIATION_TYPES_1_0,
    DEFINITION_REQUIRED,
    DOCUMENT_COLUMNS,
    DOCUMENT_PROPERTIES_1_1,
    ITEM_COLUMNS,
    ITEM_PROPERTIES_1_1,
)


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
    the official schema; 1.0 output also carries what was imported beyond it,
    but leaves out associations of types CASE 1.0 does not have."""
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
        if not strict and association.association_type not in ASSOCIATION_TYPES_1_0:
            continue  # CASE 1.0 cannot say it (isTranslationOf, ext:…)
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
