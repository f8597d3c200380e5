"""What a pure check found about a document, remembered by the document's digest.

A signature either holds over a document's exact bytes and a given public key or
it does not; a document either matches the Open Badges schema or it does not.
Those verdicts can be kept as long as the content they were computed from is the
same, and the digest of the content is the key: a revocation changes the signed
status list (a new digest, so its signature is checked again), and what may
change without the content changing (the award's row, the key's compromise, the
status bits read from the list, today's date against validUntil) is never kept
here but read again for every verification (credentials/services/verification.py).

The memory is per process, bounded, least recently used first out.
"""

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

SIZE = 4096
_found: OrderedDict[tuple, Any] = OrderedDict()
_lock = threading.Lock()


def digest(document: Any) -> str:
    """SHA-256 of the document's JSON with sorted keys: equal for equal content
    (1, 1.0 and true stay distinct, as they do to JSON-LD)."""
    text = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def remembered(key: tuple, compute: Callable[[], T]) -> T:
    """compute(), or what it returned for this key before. The key must hold
    everything the result depends on (a kind of check, digests, a public key)."""
    with _lock:
        if key in _found:
            _found.move_to_end(key)
            return _found[key]
    value = compute()
    with _lock:
        _found[key] = value
        while len(_found) > SIZE:
            _found.popitem(last=False)
    return value


def forget() -> None:
    """Empty the memory (tests that count the checks made)."""
    with _lock:
        _found.clear()
