"""W3C Bitstring Status List v1.0: the bitstring and its list credential. Pure.

Spec: https://www.w3.org/TR/vc-bitstring-status-list/. Index 0 is the left-most
(most significant) bit of the first byte; the published form is the multibase
base64url ('u') of the GZIP-compressed bitstring (section 3.1, encodedList).
"""

import base64
import gzip
import zlib
from datetime import UTC, datetime
from typing import Any

from credentials.openbadges import VC_V2_CONTEXT

# The spec's minimum (section 6.1, herd privacy): 16 KiB, 131,072 entries, so that
# one fetch of a list tells nobody which credential a verifier is checking.
MIN_LENGTH = 131_072
PURPOSES = ("revocation", "suspension")
# Verifiers may cache the list this long (milliseconds, the `ttl` property).
TTL_MS = 300_000
# The largest decoded list read (16 million entries): a few hundred bytes of
# GZIP can expand to gigabytes, and lists are fetched from strangers' uploads.
MAX_DECODED_BYTES = 2 * 1024 * 1024


class StatusListError(ValueError):
    """A status list or entry that cannot be read as the spec defines it."""


def new_bitstring(length: int = MIN_LENGTH) -> bytes:
    if length % 8 or length < 8:
        raise ValueError("a bitstring length is a positive multiple of 8")
    return bytes(length // 8)


def get_bit(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"status index {index} is outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def set_bit(bits: bytes, index: int, value: bool) -> bytes:
    """A copy of `bits` with one bit set or cleared."""
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"status index {index} is outside the list")
    changed = bytearray(bits)
    mask = 0x80 >> (index % 8)
    if value:
        changed[index // 8] |= mask
    else:
        changed[index // 8] &= ~mask & 0xFF
    return bytes(changed)


def encode(bits: bytes) -> str:
    # mtime=0 keeps the output a function of the bits, so an unchanged list
    # encodes (and caches) the same.
    compressed = gzip.compress(bits, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode(encoded_list: str) -> bytes:
    if not isinstance(encoded_list, str) or not encoded_list.startswith("u"):
        raise StatusListError("encodedList must be multibase base64url ('u')")
    body = encoded_list[1:]
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # GZIP framing
        bits = inflater.decompress(compressed, MAX_DECODED_BYTES + 1)
    except (ValueError, zlib.error) as error:
        raise StatusListError(f"encodedList cannot be decoded: {error}") from error
    if len(bits) > MAX_DECODED_BYTES:
        raise StatusListError("the status list is larger than Cairn reads")
    if len(bits) * 8 < MIN_LENGTH:
        raise StatusListError("the status list is shorter than the spec's minimum")
    return bits


def entry(*, list_url: str, index: int, purpose: str) -> dict[str, Any]:
    """One BitstringStatusListEntry for a credential's credentialStatus."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown status purpose {purpose!r}")
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def compose_list_credential(
    *, list_url: str, issuer: str, purpose: str, bits: bytes, valid_from: datetime
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential (spec section 2.2)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown status purpose {purpose!r}")
    return {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode(bits),
            "ttl": TTL_MS,
        },
    }


def entries_of(credential: dict[str, Any]) -> list[dict[str, Any]]:
    """The credential's BitstringStatusListEntry objects (one object or a list)."""
    status = credential.get("credentialStatus")
    if status is None:
        return []
    items = status if isinstance(status, list) else [status]
    return [
        item
        for item in items
        if isinstance(item, dict) and item.get("type") == "BitstringStatusListEntry"
    ]
