"""Bringing what a package carries to the shapes the CASE schemas require.

Pre-1.0 drafts and some servers write identifiers that are no UUIDs, a subject
as one string, links as bare URIs, dates without a time zone. What can be read
without guessing is rewritten, each change reported as a warning naming its
place; anything else is a `CaseError` naming the place.
"""

from typing import Any

from curriculum.case.validation import (
    DATE,
    DATETIME,
    DEFINITION_REQUIRED,
    LINK,
    LINKS,
    TEXT,
    TEXTS,
    CaseError,
    conform_date,
    conform_datetime,
    document_uuid,
    is_uuid,
    kind_of,
    member_uuid,
)

# Where the identifier a pre-1.0 package gave a node is kept, in case_fields.
ORIGINAL = "__original_identifier"


def text_field(obj: dict, key: str, where: str, *, required: bool = False) -> str:
    value = obj.get(key)
    if value is None or value == "":
        if required:
            raise CaseError(f"{where}.{key}", "this required field is missing")
        return ""
    if not isinstance(value, str):
        raise CaseError(f"{where}.{key}", f"expected text, found {kind_of(value)}")
    return value


def list_field(data: dict, key: str, where: str = "") -> list:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        place = f"{where}.{key}" if where else key
        raise CaseError(place, f"expected a list, found {kind_of(value)}")
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


def conform_fields(
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
            fields[key] = conform_link(value, place, warnings, ids)
        elif kind == LINKS:
            if isinstance(value, dict | str):
                value = [value]
                warnings.append(
                    f"{place}: a single link where CASE wants a list; read as one"
                )
            if not isinstance(value, list):
                raise CaseError(place, f"expected a list, found {kind_of(value)}")
            fields[key] = [
                conform_link(v, f"{place}[{n}]", warnings, ids)
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


def conform_link(
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


def conform_definitions(
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
            conform_fields(
                entry, {"lastChangeDateTime": DATETIME}, where, warnings, ids
            )
            cleaned[kind].append(entry)
    return cleaned


# The levels of a CFRubric: each list, the id naming its parent, and its links.
RUBRIC_LEVELS = (
    ("CFRubricCriteria", "rubricId", {"CFItemURI": LINK}),
    ("CFRubricCriterionLevels", "rubricCriterionId", {}),
)


def conform_rubrics(rubrics: Any, warnings: list[str], ids: Identifiers) -> list:
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
            text_field(value, key, where, required=True)
        value["identifier"] = ids.own(value["identifier"], f"{where}.identifier")
        kinds = {"lastChangeDateTime": DATETIME, **links}
        if "lastChangeDateTime" not in value:
            raise CaseError(
                f"{where}.lastChangeDateTime", "this required field is missing"
            )
        conform_fields(value, kinds, where, warnings, ids)
        return value

    for n, rubric in enumerate(rubrics):
        where = f"CFRubrics[{n}]"
        rubric = node(rubric, where, {})
        parents = [(rubric, where)]
        for key, parent_id, links in RUBRIC_LEVELS:
            children = []
            for parent, place in parents:
                kept = []
                for m, child in enumerate(list_field(parent, key, place)):
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
