"""Documents of outside issuers an administrator has pinned, and why any other
outside key cannot be looked up here.

Cairn never fetches an outside issuer's DID or controller document (nor a
revocation list) at verification time: what it trusts is what an administrator
put in the files CAIRN_ISSUER_DOCUMENTS names (a file, or a folder of *.json),
read at call time since outside credentials are rare.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import base58
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_KEY_TYPES = ("Multikey", "Ed25519VerificationKey2020", "Ed25519VerificationKey2018")
_JWK_TYPES = ("JsonWebKey", "JsonWebKey2020")


@dataclass(frozen=True)
class PinnedKey:
    controller: str
    public_multibase: str = ""  # an Ed25519 key
    jwk: dict[str, Any] | None = None  # any other key, as a public JWK


def documents() -> dict[str, dict[str, Any]]:
    """Controller or DID documents (and revocation lists) of outside issuers, by id."""
    found = {}
    for name in getattr(settings, "CAIRN_ISSUER_DOCUMENTS", []):
        path = Path(name)
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        for file in files:
            try:
                document = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
                raise ImproperlyConfigured(
                    f"CAIRN_ISSUER_DOCUMENTS: {file} is not a readable JSON "
                    f"document ({error})."
                ) from error
            if not isinstance(document, dict) or not isinstance(
                document.get("id"), str
            ):
                raise ImproperlyConfigured(
                    f"CAIRN_ISSUER_DOCUMENTS: {file} is not a controller document "
                    "(it has no id)."
                )
            found[document["id"]] = document
    return found


def _multibase_of_base58(value: str) -> str:
    """publicKeyBase58 (Ed25519VerificationKey2018) as a Multikey value."""
    raw = base58.b58decode(value)
    return "z" + base58.b58encode(b"\xed\x01" + raw).decode("ascii")


def assertion_key(document: dict[str, Any], method_id: str) -> PinnedKey | None:
    """The key of a verification method the document lists for assertions."""
    controller = document["id"]

    def full(value: str) -> str:
        return f"{controller}{value}" if value.startswith("#") else value

    asserted = set()
    methods = list(document.get("verificationMethod") or [])
    for item in document.get("assertionMethod") or []:
        if isinstance(item, str):
            asserted.add(full(item))
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            asserted.add(full(item["id"]))
            methods.append(item)
    if method_id not in asserted:
        return None
    for method in methods:
        if (
            not isinstance(method, dict)
            or not isinstance(method.get("id"), str)
            or full(method["id"]) != method_id
            or method.get("controller", controller) != controller
        ):
            continue
        if method.get("type") in _KEY_TYPES:
            if isinstance(method.get("publicKeyMultibase"), str):
                return PinnedKey(controller, method["publicKeyMultibase"])
            if isinstance(method.get("publicKeyBase58"), str):
                try:
                    return PinnedKey(
                        controller, _multibase_of_base58(method["publicKeyBase58"])
                    )
                except ValueError:
                    return None
        if method.get("type") in _JWK_TYPES and isinstance(
            method.get("publicKeyJwk"), dict
        ):
            return PinnedKey(controller, jwk=method["publicKeyJwk"])
    return None


def lists_jwk(document: dict[str, Any], jwk: dict[str, Any]) -> bool:
    """Whether the document lists this public JWK for assertions (compared by the
    members that make the key: RFC 7638's thumbprint members)."""

    def essential(key: dict[str, Any]) -> tuple:
        return tuple(key.get(name) for name in ("kty", "crv", "e", "n", "x", "y"))

    for method in document.get("verificationMethod") or []:
        if not isinstance(method, dict) or not isinstance(method.get("id"), str):
            continue
        method_id = method["id"]
        if method_id.startswith("#"):
            method_id = document["id"] + method_id
        key = assertion_key(document, method_id)
        if key and key.jwk and essential(key.jwk) == essential(jwk):
            return True
    return False


def where_published(controller: str) -> str:
    """Why a controller cannot be resolved here, in words."""
    if controller.startswith("did:web:"):
        host, *path = controller.removeprefix("did:web:").split(":")
        place = "/".join(unquote(part) for part in [host, *path])
        url = (
            f"https://{place}/did.json"
            if path
            else (f"https://{place}/.well-known/did.json")
        )
        return (
            f"The issuer DID method did:web ({controller}) cannot be resolved "
            f"offline: its DID document is published at {url}, which Cairn does "
            "not fetch."
        )
    if controller.startswith("did:"):
        method = controller.split(":")[1] if controller.count(":") >= 2 else "?"
        return f"The issuer DID method did:{method} cannot be resolved offline."
    if controller.startswith(("https://", "http://")):
        return (
            f"Its key is published in the issuer's controller document at "
            f"{controller}, which Cairn does not fetch."
        )
    return f"Its key {controller!r} names no issuer Cairn can look up."
