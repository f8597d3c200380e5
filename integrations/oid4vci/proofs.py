"""A wallet's proof of possession: the JWT proof of OpenID4VCI (draft 15,
appendix F.1; 1.0, appendix F.1), signed by the key the credential is bound to.

Header: `typ` "openid4vci-proof+jwt", `alg` EdDSA (or its RFC 9864 name Ed25519)
or ES256, and `kid` naming the holder's key as a DID URL: a did:key (Ed25519
"z6Mk…" or P-256 "zDn…") or a did:jwk, both resolved offline from the
identifier itself. Payload: `aud` the credential issuer, `iat`, and the
`nonce` Cairn gave. `iss` is not checked: a wallet that redeemed a
pre-authorized code anonymously has no client_id to put there.

Pure: no ORM, no settings; the caller passes the issuer and the time, and
checks that the nonce is Cairn's and unspent.
"""

import base64
import binascii
import json
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import base58
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import JWKRegistry

from credentials import legacy_suites

PROOF_TYPE = "openid4vci-proof+jwt"
# What the metadata advertises (proof_signing_alg_values_supported); "Ed25519"
# is RFC 9864's name for EdDSA with Ed25519 and is accepted too.
SIGNING_ALGORITHMS = ("EdDSA", "ES256")
_ALGORITHM_KEYS = {
    "EdDSA": ("OKP", "Ed25519"),
    "Ed25519": ("OKP", "Ed25519"),
    "ES256": ("EC", "P-256"),
}
BINDING_METHODS = ("did:key", "did:jwk")
# WalletCredential.holder_did holds 255 characters; no real key's DID is longer.
MAX_DID_LENGTH = 255
# A proof made a little before it reaches Cairn (wallets backdate iat by a
# minute), or by a phone whose clock runs a little fast.
MAX_AGE = timedelta(minutes=10)
MAX_CLOCK_SKEW = timedelta(minutes=1)

# Multicodec varints of the public keys a did:key may hold here.
_ED25519_PUB = b"\xed\x01"
_P256_PUB = b"\x80\x24"

_REGISTRY = jws.JWSRegistry(algorithms=list(_ALGORITHM_KEYS), strict_check_header=False)


class ProofError(ValueError):
    """The proof does not bind the credential to a key the wallet holds.

    `code` is the OpenID4VCI error: "invalid_proof", or "invalid_nonce" when
    only the nonce is missing (the wallet should ask for a new one).
    """

    def __init__(self, message: str, code: str = "invalid_proof") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ProvenHolder:
    did: str  # the holder's DID: the credential's credentialSubject.id
    kid: str
    algorithm: str
    nonce: str


def _b64url_json(text: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise ProofError("The did:jwk does not hold a base64url JSON key.") from error


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _did_key_jwk(did: str, fragment: str) -> dict[str, Any]:
    multibase = did.removeprefix("did:key:")
    if fragment and fragment != multibase:
        raise ProofError(f"The key {did}#{fragment} is not the key of {did}.")
    if not multibase.startswith("z"):
        raise ProofError(f"{did} is not a base58btc did:key.")
    try:
        decoded = base58.b58decode(multibase[1:])
    except ValueError as error:
        raise ProofError(f"{did} is not a base58btc did:key.") from error
    if decoded.startswith(_ED25519_PUB) and len(decoded) == 34:
        return legacy_suites.multikey_jwk(multibase)
    if decoded.startswith(_P256_PUB) and len(decoded) == 35:
        try:
            point = ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256R1(), decoded[2:]
            )
        except ValueError as error:
            raise ProofError(f"{did} does not hold a P-256 point.") from error
        numbers = point.public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": _b64url(numbers.x.to_bytes(32, "big")),
            "y": _b64url(numbers.y.to_bytes(32, "big")),
        }
    raise ProofError(
        f"{did} holds a kind of key Cairn does not check: use an Ed25519 or P-256 key."
    )


def _did_jwk_jwk(did: str, fragment: str) -> dict[str, Any]:
    if fragment not in ("", "0"):
        raise ProofError(f"A did:jwk has one key, #0, not #{fragment}.")
    jwk = _b64url_json(did.removeprefix("did:jwk:"))
    if not isinstance(jwk, dict):
        raise ProofError("The did:jwk does not hold a JSON key.")
    if "d" in jwk:
        raise ProofError("The did:jwk holds a private key: a DID names a public key.")
    if (jwk.get("kty"), jwk.get("crv")) not in set(_ALGORITHM_KEYS.values()):
        raise ProofError(
            "The did:jwk holds a kind of key Cairn does not check: use an "
            "Ed25519 or P-256 key."
        )
    return jwk


def resolve_holder_key(kid: str) -> tuple[str, dict[str, Any]]:
    """(the holder's DID, its public JWK) for a did:key or did:jwk key id."""
    did, _, fragment = kid.partition("#")
    if len(did) > MAX_DID_LENGTH:
        raise ProofError("The key's DID is longer than any Cairn can record.")
    if did.startswith("did:key:"):
        return did, _did_key_jwk(did, fragment)
    if did.startswith("did:jwk:"):
        return did, _did_jwk_jwk(did, fragment)
    method = ":".join(did.split(":")[:2]) if did.startswith("did:") else ""
    raise ProofError(
        f"Cairn binds credentials to a did:key or a did:jwk, which it checks "
        f"without asking anyone else; this wallet named "
        f"{method or 'a key that is not a DID'}."
    )


def _check_header(header: dict[str, Any]) -> tuple[str, str]:
    if header.get("typ") != PROOF_TYPE:
        raise ProofError(f"The proof's typ must be {PROOF_TYPE!r}.")
    algorithm = header.get("alg")
    if algorithm not in _ALGORITHM_KEYS:
        raise ProofError(
            f"The proof is signed with {algorithm!r}; Cairn accepts "
            f"{' and '.join(SIGNING_ALGORITHMS)}."
        )
    named = [name for name in ("kid", "jwk", "x5c") if name in header]
    if named != ["kid"] or not isinstance(header["kid"], str):
        raise ProofError(
            "The proof must name its key with a kid (a did:key or did:jwk URL) "
            "and nothing else: Cairn binds credentials to a DID."
        )
    return algorithm, header["kid"]


def _check_claims(payload: dict[str, Any], *, audience: str, now: datetime) -> str:
    aud = payload.get("aud")
    named = aud if isinstance(aud, list) else [aud]
    if audience not in named:
        raise ProofError(f"The proof was made for {aud!r}, not for {audience}.")
    iat = payload.get("iat")
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        raise ProofError("The proof does not say when it was made (iat).")
    made = now.timestamp() - iat
    if made > MAX_AGE.total_seconds() or -made > MAX_CLOCK_SKEW.total_seconds():
        raise ProofError("The proof was not made just now (iat): make a new one.")
    exp = payload.get("exp")
    if exp is not None and (not isinstance(exp, int | float) or exp <= now.timestamp()):
        raise ProofError("The proof has expired (exp).")
    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise ProofError(
            "The proof carries no nonce: ask the nonce endpoint for one.",
            code="invalid_nonce",
        )
    return nonce


def check_jwt_proof(token: Any, *, audience: str, now: datetime) -> ProvenHolder:
    """Check a JWT proof for the credential issuer `audience`; raise ProofError
    naming the first thing wrong, or return the holder it proves."""
    if not isinstance(token, str):
        raise ProofError("The jwt proof is not a string.")
    try:
        header, payload = legacy_suites.jwt_parts(token)
    except legacy_suites.JwtError as error:
        raise ProofError(f"The proof is not a JWT: {error}") from error
    algorithm, kid = _check_header(header)
    did, jwk = resolve_holder_key(kid)
    if (jwk.get("kty"), jwk.get("crv")) != _ALGORITHM_KEYS[algorithm]:
        raise ProofError(f"The key {kid} cannot make {algorithm} signatures.")
    try:
        key = JWKRegistry.import_key(jwk)
        with warnings.catch_warnings():
            # RFC 9864 deprecates "EdDSA" for "Ed25519"; wallets still use it.
            warnings.simplefilter("ignore", SecurityWarning)
            jws.deserialize_compact(token.strip(), key, registry=_REGISTRY)
    except (JoseError, ValueError, TypeError) as error:
        raise ProofError(
            f"The proof's signature does not verify with {kid}: it was signed "
            "with another key or altered."
        ) from error
    nonce = _check_claims(payload, audience=audience, now=now)
    return ProvenHolder(did=did, kid=kid, algorithm=algorithm, nonce=nonce)
