"""What a newer version of a CASE document changes in a framework, without the ORM.

`compare(current, new)` takes the framework as stored and the package read from
the newer file (both `PackageData`) and lists what the update would add, remove
and change, so that a person can read it before it is applied. Items and
associations are matched by identifier, as CASE identifiers are stable across
versions of a document.
"""

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from curriculum.case.reading import AssociationData, ItemData, PackageData, tree_order

# Item properties shown in a change, with their names for people.
ITEM_FIELDS = {
    "statement": "Statement",
    "code": "Code",
    "abbreviated_statement": "Abbreviated statement",
    "competency_type": "Type",
    "education_levels": "Education levels",
    "language": "Language",
    "notes": "Notes",
    "uri": "URI",
}
DOCUMENT_FIELDS = {
    "name": "Title",
    "version": "Version",
    "description": "Description",
    "creator": "Creator",
    "language": "Language",
    "uri": "URI",
}
ASSOCIATION_FIELDS = {
    "association_type": "Type",
    "origin_identifier": "From",
    "destination_identifier": "To",
    "destination_uri": "To (URI)",
    "sequence_number": "Sequence number",
}
# Stamps every record of a new version carries; they say nothing a reader needs.
IGNORED = {"lastChangeDateTime"}


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any


@dataclass
class ItemChange:
    item: ItemData
    changes: list[Change]


@dataclass
class AssociationChange:
    association: AssociationData
    changes: list[Change]


@dataclass
class CaseUpdate:
    document: list[Change] = field(default_factory=list)
    added: list[ItemData] = field(default_factory=list)
    removed: list[ItemData] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)
    associations_added: list[AssociationData] = field(default_factory=list)
    associations_removed: list[AssociationData] = field(default_factory=list)
    associations_changed: list[AssociationChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.document
            or self.added
            or self.removed
            or self.changed
            or self.associations_added
            or self.associations_removed
            or self.associations_changed
        )

    def digest(self) -> str:
        """A fingerprint of the changes: an update is applied only if it still
        makes the changes its preview showed."""
        facts = [
            [(c.field, c.old, c.new) for c in self.document],
            [i.identifier for i in self.added],
            [i.identifier for i in self.removed],
            [
                (c.item.identifier, [(x.field, x.old, x.new) for x in c.changes])
                for c in self.changed
            ],
            [a.identifier for a in self.associations_added],
            [a.identifier for a in self.associations_removed],
            [
                (c.association.identifier, [(x.field, x.old, x.new) for x in c.changes])
                for c in self.associations_changed
            ],
        ]
        text = json.dumps(facts, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _public(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v for k, v in fields.items() if not k.startswith("__") and k not in IGNORED
    }


def _field_changes(old: Any, new: Any, names: dict[str, str]) -> list[Change]:
    changes = []
    for attribute, label in names.items():
        before, after = _get(old, attribute), _get(new, attribute)
        if (before or "") != (after or "") and before != after:
            changes.append(Change(label, before, after))
    before, after = _public(_get(old, "case_fields")), _public(_get(new, "case_fields"))
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            changes.append(Change(key, before.get(key), after.get(key)))
    return changes


def _get(obj: Any, attribute: str) -> Any:
    return obj.get(attribute) if isinstance(obj, dict) else getattr(obj, attribute)


def compare(current: PackageData, new: PackageData) -> CaseUpdate:
    """The changes from the stored framework to the newer package."""
    update = CaseUpdate(
        document=_field_changes(current.document, new.document, DOCUMENT_FIELDS)
    )
    old_items = {i.identifier: i for i in current.items}
    new_items = {i.identifier: i for i in new.items}
    old_parent, _, _ = tree_order(current)
    new_parent, _, _ = tree_order(new)

    def place(parent: str | None, items: dict[str, ItemData]) -> str:
        if parent is None or parent not in items:
            return "the top level"
        return items[parent].code or items[parent].statement[:60]

    update.added = [i for i in new.items if i.identifier not in old_items]
    update.removed = [i for i in current.items if i.identifier not in new_items]
    for item in new.items:
        before = old_items.get(item.identifier)
        if before is None:
            continue
        changes = _field_changes(before, item, ITEM_FIELDS)
        was = place(old_parent.get(item.identifier), old_items)
        now = place(new_parent.get(item.identifier), new_items)
        if was != now:
            changes.append(Change("Place in the tree", was, now))
        if changes:
            update.changed.append(ItemChange(item, changes))

    old_links = {a.identifier: a for a in current.associations}
    new_links = {a.identifier: a for a in new.associations}
    update.associations_added = [
        a for a in new.associations if a.identifier not in old_links
    ]
    update.associations_removed = [
        a for a in current.associations if a.identifier not in new_links
    ]
    for association in new.associations:
        before = old_links.get(association.identifier)
        if before is None:
            continue
        changes = [
            c
            for c in _field_changes(before, association, ASSOCIATION_FIELDS)
            if not c.field.startswith("__")
        ]
        if changes:
            update.associations_changed.append(AssociationChange(association, changes))
    return update
