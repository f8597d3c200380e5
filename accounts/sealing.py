"""Secrets at rest: sealed with AES-256-GCM under a key from the environment.

The key-encryption key comes from the environment (CAIRN_KEY_ENCRYPTION_KEY, read
at call time), never from the database, so a copy of the database alone opens
nothing. Several comma-separated secrets may be given while re-wrapping: the
first seals, every one is tried to open. Each use names its own `purpose` (the
HKDF info string), so a secret sealed for one use never opens as another, and
binds the sealed bytes to their row with associated data. Pure: no ORM.

Organizations' signing keys (credentials/keystore.py) and identity-provider
client secrets (accounts/sso) are sealed here.
"""

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# A version byte first, so that a later scheme can be told apart from this one.
VERSION = b"\x01"
NONCE_BYTES = 12
TAG_BYTES = 16


class SealError(Exception):
    """Sealed bytes could not be opened with any configured key-encryption key."""


def _derive(secret: str, purpose: bytes) -> bytes:
    # HKDF turns any high-entropy string (a passphrase, a base64 key) into the
    # 32 bytes AES-256 wants; the info string keeps each use apart from others.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode("utf-8")
    )


def _secrets() -> list[str]:
    configured = getattr(settings, "CAIRN_KEY_ENCRYPTION_KEY", "")
    secrets = [part.strip() for part in configured.split(",") if part.strip()]
    if not secrets:
        # config/settings.py derives one for the embedded demo (DEBUG) only.
        raise ImproperlyConfigured(
            "CAIRN_KEY_ENCRYPTION_KEY is empty: it encrypts the organizations' "
            "signing keys and identity-provider secrets."
        )
    return secrets


def seal(plaintext: bytes, *, purpose: bytes, associated_data: bytes) -> bytes:
    """Encrypt `plaintext` under the first key, bound to `associated_data`."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_derive(_secrets()[0], purpose)).encrypt(
        nonce, plaintext, associated_data
    )
    return VERSION + nonce + sealed


def unseal(sealed: bytes, *, purpose: bytes, associated_data: bytes) -> bytes:
    """What `seal` sealed; raises SealError if no configured key opens it (or the
    associated data differs: sealed bytes copied onto another row do not open)."""
    sealed = bytes(sealed)
    if not sealed.startswith(VERSION) or len(sealed) < 1 + NONCE_BYTES + TAG_BYTES:
        raise SealError("not sealed by Cairn")
    nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    for secret in _secrets():
        try:
            return AESGCM(_derive(secret, purpose)).decrypt(
                nonce, body, associated_data
            )
        except InvalidTag:
            continue
    raise SealError("no configured CAIRN_KEY_ENCRYPTION_KEY opens it")
