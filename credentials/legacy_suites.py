"""Proofs Cairn checks but never makes: Ed25519Signature2018 (a detached JWS over
the same hashes as Ed25519Signature2020) and the VC-JWT form of an Open Badges
3.0 credential (a compact JWS whose payload is the credential). Pure, no ORM.

Ed25519Signature2018: W3C CCG "Ed25519 Signature 2018", built on Linked Data
Proofs 1.0: the signed bytes are SHA-256 of the canonical proof options (with the
document's @context, without `jws`) followed by SHA-256 of the canonical document,
and the `jws` is an RFC 7797 unencoded-payload JWS ({"alg":"EdDSA","b64":false,
"crit":["b64"]}) over them. VC-JWT: OB 3.0 section 8.2 "JSON Web Token Proof
Format"; the key is named by the header's `kid` or given as its `jwk`.
"""

import base64
import binascii
import hashlib
import json
import warnings
from typing import Any

from cryptography.exceptions import InvalidSignature
from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import JWKRegistry, OKPKey

from credentials import dataintegrity

ED25519_2018 = "Ed25519Signature2018"
VC_JWT = "VC-JWT"
# Algorithms a VC-JWT may use here: OB 3.0 requires RS256 support and allows
# others; "none" and the HMAC family are never acceptable for a credential.
JWT_ALGORITHMS = (
    "RS256", "RS384", "RS512", "ES256", "ES384", "PS256", "Ed25519", "EdDSA",
)  # fmt: skip


# The Multikey decoding is dataintegrity's; it raises ValueError for anything
# that is not an Ed25519 public key.
_ed25519_key = dataintegrity._public_key


class _JwsRegistry(jws.JWSRegistry):
    # A header carrying the issuer's RSA key as `jwk` (as 1EdTech's samples do)
    # is about 500 bytes, past joserfc's default limit of 512.
    max_header_length = 4096


_REGISTRY = _JwsRegistry(algorithms=list(JWT_ALGORITHMS), strict_check_header=False)


class JwtError(ValueError):
    """Not a readable compact JWS; the message says why."""


def _b64url(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise JwtError("It is not base64url text.") from error


def jwt_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, payload) of a compact JWS, unverified."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise JwtError("A JWT has three parts separated by dots.")
    try:
        header = json.loads(_b64url(parts[0]))
        payload = json.loads(_b64url(parts[1]))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise JwtError("Its header or payload is not JSON.") from error
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise JwtError("Its header or payload is not a JSON object.")
    return header, payload


def jwt_key(header: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """(the JWK the header carries, the key id it names); either may be empty."""
    jwk = header.get("jwk")
    kid = header.get("kid")
    return (jwk if isinstance(jwk, dict) else None), (
        kid if isinstance(kid, str) else ""
    )


def verify_jwt(token: str, *, jwk: dict[str, Any]) -> bool:
    """True if the compact JWS verifies with this public JWK."""
    header, _ = jwt_parts(token)
    if header.get("alg") not in JWT_ALGORITHMS:
        return False
    if "d" in jwk:
        return False  # a private key offered as the issuer's: never trusted
    try:
        key = JWKRegistry.import_key(jwk)
        with warnings.catch_warnings():
            # RFC 9864 deprecates "EdDSA" for "Ed25519", but issuers and wallets
            # still sign with it; a credential is not wrong for that.
            warnings.simplefilter("ignore", SecurityWarning)
            jws.deserialize_compact(token.strip(), key, registry=_REGISTRY)
    except (JoseError, ValueError, TypeError):
        return False
    return True


def multikey_jwk(public_multibase: str) -> dict[str, Any]:
    """The OKP JWK of an Ed25519 Multikey (a did:key's key)."""
    raw = _ed25519_key(public_multibase).public_bytes_raw()
    return OKPKey.import_key(
        {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),
        }
    ).as_dict()


def verify_ed25519_2018(
    document: dict[str, Any], proof: dict[str, Any], *, public_multibase: str
) -> bool:
    """True if an Ed25519Signature2018 proof on the document verifies."""
    if proof.get("type") != ED25519_2018 or not isinstance(proof.get("jws"), str):
        return False
    header_b64, _, signature_b64 = proof["jws"].partition("..")
    try:
        header = json.loads(_b64url(header_b64))
        signature = _b64url(signature_b64)
    except (JwtError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    if (
        not isinstance(header, dict)
        or header.get("alg") != "EdDSA"
        or header.get("b64") is not False
        or header.get("crit") != ["b64"]
    ):
        return False
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    options = {
        name: value
        for name, value in proof.items()
        if name not in ("jws", "signatureValue", "proofValue")
    }
    try:
        canonical_options = dataintegrity.canonical_nquads(
            {**options, "@context": document.get("@context")}
        )
        canonical_document = dataintegrity.canonical_nquads(unsecured)
    except Exception:  # untrusted input: any processing failure means "not verified"
        return False
    verify_data = (
        hashlib.sha256(canonical_options.encode()).digest()
        + hashlib.sha256(canonical_document.encode()).digest()
    )
    key = _ed25519_key(public_multibase)
    try:
        key.verify(signature, header_b64.encode("ascii") + b"." + verify_data)
    except (InvalidSignature, UnicodeEncodeError):
        return False
    return True
