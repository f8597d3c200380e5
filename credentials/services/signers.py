"""Whose key signed a credential, and whether the signature holds: resolved
without the network (any did:key, this site's own issuers, documents pinned in
CAIRN_ISSUER_DOCUMENTS), for every proof Cairn checks (eddsa-rdfc-2022,
Ed25519Signature2020 and 2018, and VC-JWT)."""

from dataclasses import dataclass
from typing import Any

from credentials import dataintegrity, legacy_suites, pinned
from credentials.models import SigningKey
from credentials.services import keys


@dataclass(frozen=True)
class Method:
    did: str
    public_multibase: str
    key: SigningKey | None
    kind: str = ""  # "own", "did:key", "pinned" or "jwk"
    jwk: dict[str, Any] | None = None


def _key(public_multibase: str, known: SigningKey | None) -> SigningKey | None:
    if known is not None and known.public_multibase == public_multibase:
        return known
    return (
        SigningKey.objects.select_related("organization")
        .filter(public_multibase=public_multibase)
        .first()
    )


def proof_of(credential: dict[str, Any]) -> dict[str, Any] | None:
    """The first proof that names its key (verificationMethod)."""
    for proof in dataintegrity.proofs(credential):
        if isinstance(proof, dict) and isinstance(proof.get("verificationMethod"), str):
            return proof
    return None


def resolve(
    verification_method: str, *, known: SigningKey | None = None
) -> Method | None:
    """The key behind a verification method, for the keys this site can answer
    for without the network: any did:key, its own did:web documents, and keys
    listed for assertions in a document pinned in CAIRN_ISSUER_DOCUMENTS.
    `known`: a key row (with its organization) read in this request already,
    such as the award's own: used instead of reading it again when its public
    key is the one named (public keys are unique)."""
    did, _, fragment = verification_method.partition("#")
    if did.startswith("did:key:"):
        public_multibase = did.removeprefix("did:key:")
        if fragment and fragment != public_multibase:
            return None
        try:
            dataintegrity.did_key(public_multibase)
        except ValueError:
            return None
        key = _key(public_multibase, known)
        return Method(did, public_multibase, key, "own" if key else "did:key")
    if not did.startswith("did:web:") or not fragment:
        return _pinned(verification_method)
    fragment = fragment.removeprefix(keys.ED25519_2020_FRAGMENT)
    key = _key(fragment, known)
    if key is None or did not in (
        keys.site_did(),
        keys.organization_did(key.organization),
    ):
        return _pinned(verification_method)
    return Method(did, fragment, key, "own")


def _pinned(verification_method: str) -> Method | None:
    controller = verification_method.partition("#")[0]
    document = pinned.documents().get(controller)
    found = pinned.assertion_key(document, verification_method) if document else None
    if found is None:
        return None
    return Method(controller, found.public_multibase, None, "pinned", found.jwk)


def unlisted(verification_method: str) -> str:
    """Why a pinned issuer's key fails: its document does not list it; or ""."""
    controller = verification_method.partition("#")[0]
    if controller in pinned.documents():
        return (
            f"The issuer's document ({controller}) does not list the key that "
            f"signed it ({verification_method}) for issuing credentials."
        )
    return ""


def unresolved(verification_method: str) -> str:
    """Why a key cannot be looked up here."""
    controller = verification_method.partition("#")[0]
    return unlisted(verification_method) or pinned.where_published(controller)


def suite(proof: dict[str, Any]) -> str | None:
    """The proof suite, if Cairn can check it."""
    if proof.get("type") == legacy_suites.ED25519_2018:
        return legacy_suites.ED25519_2018
    return dataintegrity.proof_suite(proof)


def suite_name(proof: dict[str, Any]) -> str:
    kind, suite = proof.get("type"), proof.get("cryptosuite")
    return f"{kind} ({suite})" if suite else f"{kind}"


def signature_verifies(document: dict[str, Any], method: Method) -> bool:
    if not method.public_multibase:
        return False  # a pinned JWK signs JWTs only
    try:
        proof = proof_of(document)
        if proof and proof.get("type") == legacy_suites.ED25519_2018:
            return legacy_suites.verify_ed25519_2018(
                document, proof, public_multibase=method.public_multibase
            )
        return dataintegrity.verify_credential(
            document, public_multibase=method.public_multibase
        )
    except ValueError:
        return False


def jwt_kid(token: str) -> str:
    return legacy_suites.jwt_key(legacy_suites.jwt_parts(token)[0])[1]


def jwt_signer(token: str, issuer: str | None) -> tuple[Method | None, str]:
    """The key behind a VC-JWT: its `kid` looked up like a verification method,
    else the JWK its header carries (bound to the issuer when the issuer's pinned
    document lists that very key); (None, why) if neither."""
    header, _ = legacy_suites.jwt_parts(token)
    jwk, kid = legacy_suites.jwt_key(header)
    if kid:
        method = resolve(kid)
        if method is not None:
            if method.jwk is None and method.public_multibase:
                method = Method(
                    method.did,
                    method.public_multibase,
                    method.key,
                    method.kind,
                    legacy_suites.multikey_jwk(method.public_multibase),
                )
            return method, ""
        if jwk is None:
            return None, unresolved(kid)
    if jwk is not None:
        document = pinned.documents().get(issuer or "")
        if document is not None and pinned.lists_jwk(document, jwk):
            return Method(document["id"], "", None, "pinned", jwk), ""
        return Method("", "", None, "jwk", jwk), ""
    return None, "Its JWT names no key (neither kid nor jwk)."
