"""1EdTech CASE 1.0 / 1.1 packages: read into plain data, and written back.

No ORM here: `reading` checks a `CFPackage` and returns what to store,
`writing` composes a package from stored rows, `validation` holds what the spec
requires and the checks made before a file is read.
Spec: https://www.imsglobal.org/spec/case/v1p1/
"""

from curriculum.case.reading import (
    AssociationData,
    ItemData,
    PackageData,
    parse_package,
    tree_order,
)
from curriculum.case.validation import TOO_DEEP, CaseError, load_json
from curriculum.case.writing import build_package, clean_definitions

__all__ = [
    "TOO_DEEP",
    "AssociationData",
    "CaseError",
    "ItemData",
    "PackageData",
    "build_package",
    "clean_definitions",
    "load_json",
    "parse_package",
    "tree_order",
]
