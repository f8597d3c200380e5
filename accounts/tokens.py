"""Tokens in e-mailed links: the link holds the token, the database its hash,
so a leaked table opens nothing."""

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
