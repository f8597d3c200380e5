"""Signing keys at rest: Ed25519 seeds sealed with AES-256-GCM.

The key-encryption key comes from the environment (CAIRN_KEY_ENCRYPTION_KEY, read
at call time), never from the database, so a copy of the database alone cannot
sign. Several comma-separated secrets may be given while re-wrapping: the first
seals, every one is tried to open. Pure: no ORM.
"""

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# A version byte first, so that a later scheme can be told apart from this one.
_VERSION = b"\x01"
_NONCE_BYTES = 12
_INFO = b"cairn signing-key encryption v1"


class KeyDecryptionError(Exception):
    """A sealed seed could not be opened with any configured key-encryption key."""


def _derive(secret: str) -> bytes:
    # HKDF turns any high-entropy string (a passphrase, a base64 key) into the
    # 32 bytes AES-256 wants; the info string keeps this use apart from others.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret.encode("utf-8")
    )


def _secrets() -> list[str]:
    configured = getattr(settings, "CAIRN_KEY_ENCRYPTION_KEY", "")
    secrets = [part.strip() for part in configured.split(",") if part.strip()]
    if not secrets:
        # config/settings.py derives one for the embedded demo (DEBUG) only.
        raise ImproperlyConfigured(
            "CAIRN_KEY_ENCRYPTION_KEY is empty: it encrypts the organizations' "
            "signing keys."
        )
    return secrets


def seal_seed(seed: bytes, *, public_multibase: str) -> bytes:
    """Encrypt a 32-byte seed, bound to its public key (as associated data)."""
    if len(seed) != 32:
        raise ValueError("an Ed25519 seed is 32 bytes")
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_derive(_secrets()[0])).encrypt(
        nonce, seed, public_multibase.encode("ascii")
    )
    return _VERSION + nonce + sealed


def open_seed(sealed: bytes, *, public_multibase: str) -> bytes:
    """The seed inside `sealed`; raises KeyDecryptionError if no key opens it.

    The public key is the associated data: a sealed seed copied onto another
    key's row does not open.
    """
    sealed = bytes(sealed)
    if not sealed.startswith(_VERSION) or len(sealed) < 1 + _NONCE_BYTES + 16:
        raise KeyDecryptionError("not a sealed signing key")
    nonce, body = sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
    for secret in _secrets():
        try:
            return AESGCM(_derive(secret)).decrypt(
                nonce, body, public_multibase.encode("ascii")
            )
        except InvalidTag:
            continue
    raise KeyDecryptionError(
        f"no configured CAIRN_KEY_ENCRYPTION_KEY opens the key {public_multibase}"
    )
