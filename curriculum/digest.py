"""The content digest of a version: a hash over its canonical content.

Pure: takes the plain data of curriculum.content (or a pathway's rule) and no ORM,
so a credential, a worker or an outside verifier computes the same value.
"""

import hashlib
import json
from decimal import Decimal

ALGORITHM = "sha256"


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        # 5 and 5.0 credits are the same content: normalise before hashing.
        return format(value.normalize(), "f")
    raise TypeError(f"{type(value).__name__} has no canonical form")


def canonical(content: dict) -> bytes:
    """Sorted keys, no insignificant white space, UTF-8: the same content gives the
    same bytes whatever order it was gathered in (the idea of RFC 8785, JCS)."""
    return json.dumps(
        content,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=_plain,
    ).encode()


def content_digest(content: dict) -> str:
    """ "sha256:" and the hex digest of the canonical content."""
    return f"{ALGORITHM}:{hashlib.sha256(canonical(content)).hexdigest()}"
