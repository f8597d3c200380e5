"""Signing keys at rest: Ed25519 seeds sealed with AES-256-GCM (accounts/sealing.py).

The key-encryption key comes from the environment (CAIRN_KEY_ENCRYPTION_KEY, read
at call time), never from the database, so a copy of the database alone cannot
sign. Several comma-separated secrets may be given while re-wrapping: the first
seals, every one is tried to open. Pure: no ORM.
"""

from accounts import sealing

_INFO = b"cairn signing-key encryption v1"


class KeyDecryptionError(sealing.SealError):
    """A sealed seed could not be opened with any configured key-encryption key."""


def seal_seed(seed: bytes, *, public_multibase: str) -> bytes:
    """Encrypt a 32-byte seed, bound to its public key (as associated data)."""
    if len(seed) != 32:
        raise ValueError("an Ed25519 seed is 32 bytes")
    return sealing.seal(
        seed, purpose=_INFO, associated_data=public_multibase.encode("ascii")
    )


def open_seed(sealed: bytes, *, public_multibase: str) -> bytes:
    """The seed inside `sealed`; raises KeyDecryptionError if no key opens it.

    The public key is the associated data: a sealed seed copied onto another
    key's row does not open.
    """
    try:
        return sealing.unseal(
            sealed, purpose=_INFO, associated_data=public_multibase.encode("ascii")
        )
    except sealing.SealError as error:
        raise KeyDecryptionError(
            f"no configured CAIRN_KEY_ENCRYPTION_KEY opens the key "
            f"{public_multibase} ({error})"
        ) from error
