"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite, and did:key/did:web.

Spec: W3C vc-di-eddsa, section 3.3 (https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022).
Pure: keys are passed in as 32-byte Ed25519 seeds; storing them is the caller's job.
"""

import functools
import hashlib
import json
import os
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from credentials import jsonld, vcmodel
from credentials.canonical import canonical_nquads

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
# The older Linked Data suite (W3C CCG, https://w3id.org/security/suites/ed25519-2020/v1)
# for VC 1.1 wallets: the same hashing and signature as eddsa-rdfc-2022, with its
# own proof type and no cryptosuite; its context must be in the document.
ED25519_2020 = "Ed25519Signature2020"
PROOF_SUITES = (CRYPTOSUITE, ED25519_2020)
PROOF_PURPOSE = "assertionMethod"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v2"

# Multicodec varint for ed25519-pub, prefixed to the raw key in Multikey values.
_ED25519_PUB_PREFIX = b"\xed\x01"
_XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
_PROOF_OPTION_KEYS = frozenset(
    {"type", "created", "verificationMethod", "cryptosuite", "proofPurpose"}
)
# Only these characters may be spliced into a cached canonical form unescaped.
_SAFE_DATETIME = re.compile(r"^[0-9T:.Z+\-]+$")
_PLACEHOLDER_CREATED = "2000-01-01T00:00:00Z"


def generate_seed() -> bytes:
    """A new 32-byte Ed25519 private key seed."""
    return os.urandom(32)


def _private_key(seed: bytes) -> Ed25519PrivateKey:
    if len(seed) != 32:
        raise ValueError("an Ed25519 seed is 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_multibase(seed: bytes) -> str:
    """The Multikey publicKeyMultibase ("z6Mk...") of a seed's public key."""
    raw = _private_key(seed).public_key().public_bytes_raw()
    return "z" + base58.b58encode(_ED25519_PUB_PREFIX + raw).decode("ascii")


def _public_key(public_multibase: str) -> Ed25519PublicKey:
    if not public_multibase.startswith("z"):
        raise ValueError("publicKeyMultibase must be base58btc ('z' prefix)")
    try:
        decoded = base58.b58decode(public_multibase[1:])
    except ValueError as error:
        raise ValueError("publicKeyMultibase is not valid base58") from error
    if len(decoded) != 34 or not decoded.startswith(_ED25519_PUB_PREFIX):
        raise ValueError("publicKeyMultibase is not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


def did_key(public_multibase: str) -> str:
    """did:key for an Ed25519 Multikey."""
    _public_key(public_multibase)
    return f"did:key:{public_multibase}"


def did_key_verification_method(public_multibase: str) -> str:
    """The single verification method of a did:key: the DID, '#', the key again."""
    return f"{did_key(public_multibase)}#{public_multibase}"


def did_web(site_url: str) -> str:
    """did:web for a site; a port is percent-encoded and path segments become ':'.

    The DID resolves to <site_url>/.well-known/did.json, or <site_url>/did.json
    when site_url has a path (did:web method, section 3.2).
    """
    parts = urlsplit(site_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"did:web needs an http(s) site URL, got {site_url!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(
            f"did:web site URL must be a plain origin and path: {site_url!r}"
        )
    host = parts.hostname
    if parts.port is not None:
        host = f"{host}%3A{parts.port}"
    segments = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return ":".join(["did:web", host, *segments])


ED25519_2020_KEY_TYPE = "Ed25519VerificationKey2020"
ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"


def did_document(
    did: str, methods: list[tuple[str, ...]], *, key_type: str = "Multikey"
) -> dict[str, Any]:
    """DID document listing verification methods for assertion and auth.

    Each method is (id, publicKeyMultibase) or (id, publicKeyMultibase, type);
    an id of "#fragment" is taken relative to the DID. A type (default
    `key_type`) of "Ed25519VerificationKey2020" (the same publicKeyMultibase)
    serves Ed25519Signature2020 verifiers, which accept no other; Data Integrity
    verifiers accept both.
    """
    verification_methods = []
    types = set()
    for method_id, public_multibase, *given_type in methods:
        _public_key(public_multibase)
        full_id = f"{did}{method_id}" if method_id.startswith("#") else method_id
        types.add(given_type[0] if given_type else key_type)
        verification_methods.append(
            {
                "id": full_id,
                "type": given_type[0] if given_type else key_type,
                "controller": did,
                "publicKeyMultibase": public_multibase,
            }
        )
    ids = [method["id"] for method in verification_methods]
    context = [DID_CONTEXT, MULTIKEY_CONTEXT]
    if ED25519_2020_KEY_TYPE in types:
        context.append(ED25519_2020_CONTEXT)
    return {
        "@context": context,
        "id": did,
        "verificationMethod": verification_methods,
        "assertionMethod": list(ids),
        "authentication": list(ids),
    }


def parse_datetime(value: Any) -> datetime | None:
    """A credential's XML Schema dateTime (`Z` or an offset) as an aware
    datetime; None for anything else, a time without a zone included."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _datetime_literal(value: str) -> str:
    return f'"{value}"^^<{_XSD_DATETIME}>'


@functools.lru_cache(maxsize=64)
def _proof_config_template(context_json: str, verification_method: str) -> str | None:
    """Canonical proof configuration with a placeholder `created`, or None.

    Only `created` changes between signatures by one key, and it is one literal
    on the proof's only blank node, so it can be swapped in the canonical text
    without changing blank node labels or line order. Saves about a third of a sign.
    """
    config = {
        "@context": json.loads(context_json),
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": _PLACEHOLDER_CREATED,
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    canonical = canonical_nquads(config)
    lines = canonical.splitlines()
    predicates = [line.split(" ", 2)[1] for line in lines]
    if (
        canonical.count(_datetime_literal(_PLACEHOLDER_CREATED)) != 1
        or len(set(predicates)) != len(predicates)
        or not all(line.startswith("_:c14n0 ") for line in lines)
    ):
        return None
    return canonical


def _canonical_proof_config(context: Any, options: dict[str, Any]) -> str:
    created = options.get("created")
    standard = (
        options.keys() == _PROOF_OPTION_KEYS
        and options["type"] == PROOF_TYPE
        and options["cryptosuite"] == CRYPTOSUITE
        and options["proofPurpose"] == PROOF_PURPOSE
        and isinstance(options["verificationMethod"], str)
        and isinstance(created, str)
        and _SAFE_DATETIME.match(created)
    )
    if standard:
        template = _proof_config_template(
            json.dumps(context, sort_keys=True), options["verificationMethod"]
        )
        if template is not None:
            return template.replace(
                _datetime_literal(_PLACEHOLDER_CREATED), _datetime_literal(created)
            )
    # vc-di-eddsa 3.3.5: the proof configuration takes the document's @context.
    return canonical_nquads({**options, "@context": context})


def _hash_data(canonical_config: str, canonical_document: str) -> bytes:
    # vc-di-eddsa 3.3.4: proof configuration hash first, then the document hash.
    return (
        hashlib.sha256(canonical_config.encode("utf-8")).digest()
        + hashlib.sha256(canonical_document.encode("utf-8")).digest()
    )


def sign_credential(
    credential: dict[str, Any],
    *,
    seed: bytes,
    verification_method: str,
    created: datetime,
    suite: str = CRYPTOSUITE,
) -> dict[str, Any]:
    """A signed copy of an unsigned credential, with `proof` as a one-item array;
    `suite` is eddsa-rdfc-2022 (DataIntegrityProof) or Ed25519Signature2020.

    Raises vcmodel.DataModelError for a credential that breaks the VC data
    model, and jsonld.UndefinedTermsError or jsonld.ContextNotVendoredError
    before signing one that JSON-LD verifiers would read differently. A VC 1.1
    credential signed with a Data Integrity proof gets the Data Integrity
    context, which defines the proof's terms (vc-data-integrity 2.1).
    """
    if "proof" in credential:
        raise ValueError("credential already has a proof")
    if created.tzinfo is None or created.utcoffset() is None:
        raise ValueError("created must be timezone-aware")
    if suite not in PROOF_SUITES:
        raise ValueError(f"unknown proof suite {suite!r}")
    if "VerifiableCredential" in vcmodel.types_of(credential.get("type")):
        vcmodel.check(credential)
    if jsonld.has_default_direction(credential):
        raise ValueError(
            "a context sets a default @direction, which jsonld.js (the reference "
            "verifiers) ignores: give each value its own @direction instead"
        )
    if suite == CRYPTOSUITE and vcmodel.version(credential) == "1.1":
        credential = with_data_integrity_context(credential)
    key = _private_key(seed)
    options = {
        "type": PROOF_TYPE,
        "created": created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": PROOF_PURPOSE,
    }
    if suite == ED25519_2020:
        del options["cryptosuite"]
        options["type"] = ED25519_2020
    canonical_document = canonical_nquads(credential)
    canonical_config = _canonical_proof_config(credential.get("@context"), options)
    signature = key.sign(_hash_data(canonical_config, canonical_document))
    proof = {**options, "proofValue": "z" + base58.b58encode(signature).decode("ascii")}
    return {**jsonld.copy_json(credential), "proof": [proof]}


def add_proof(
    secured: dict[str, Any],
    *,
    seed: bytes,
    verification_method: str,
    created: datetime,
    proof_id: str | None = None,
    previous_proof: str | list[str] | None = None,
) -> dict[str, Any]:
    """A copy of a signed credential with one more eddsa-rdfc-2022 proof: a proof
    set, or with `previous_proof` a proof chain (vc-data-integrity 2.1.1 and
    2.1.2, Add Proof Set/Chain 4.2: a chained proof signs the document together
    with the proofs it names)."""
    if created.tzinfo is None or created.utcoffset() is None:
        raise ValueError("created must be timezone-aware")
    existing = proofs(secured)
    unsecured = {name: value for name, value in secured.items() if name != "proof"}
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "created": created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": PROOF_PURPOSE,
    }
    if proof_id is not None:
        options["id"] = proof_id
    if previous_proof is not None:
        wanted = (
            previous_proof if isinstance(previous_proof, list) else [previous_proof]
        )
        chained = [p for p in existing if isinstance(p, dict) and p.get("id") in wanted]
        if len(chained) != len(wanted):
            raise ValueError(f"no proof with the id {previous_proof!r} to chain to")
        unsecured = {**unsecured, "proof": chained}
        options["previousProof"] = previous_proof
    canonical_document = canonical_nquads(unsecured)
    canonical_config = _canonical_proof_config(secured.get("@context"), options)
    signature = _private_key(seed).sign(
        _hash_data(canonical_config, canonical_document)
    )
    proof = {**options, "proofValue": "z" + base58.b58encode(signature).decode("ascii")}
    return {**jsonld.copy_json(secured), "proof": [*jsonld.copy_json(existing), proof]}


def with_data_integrity_context(credential: dict[str, Any]) -> dict[str, Any]:
    """The credential with the Data Integrity context after its own, if its
    contexts do not already define DataIntegrityProof (VC 1.1's does not)."""
    contexts = credential.get("@context")
    contexts = contexts if isinstance(contexts, list) else [contexts]
    if DATA_INTEGRITY_CONTEXT in contexts or vcmodel.V2_CONTEXT in contexts:
        return credential
    return {**credential, "@context": [*contexts, DATA_INTEGRITY_CONTEXT]}


def _signature(proof: dict[str, Any]) -> bytes | None:
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        return None
    try:
        signature = base58.b58decode(value[1:])
    except ValueError:
        return None
    return signature if len(signature) == 64 else None


def proofs(document: dict[str, Any]) -> list[Any]:
    """The document's `proof`, one or many, as a list (empty if it has none)."""
    found = document.get("proof")
    if isinstance(found, dict):
        return [found]
    return found if isinstance(found, list) else []


def first_proof(document: dict[str, Any]) -> dict[str, Any] | None:
    """The document's first proof object, if it has one."""
    return next((p for p in proofs(document) if isinstance(p, dict)), None)


def proof_suite(proof: dict[str, Any]) -> str | None:
    """CRYPTOSUITE or ED25519_2020 for a proof Cairn can check, else None."""
    if proof.get("type") == PROOF_TYPE:
        return CRYPTOSUITE if proof.get("cryptosuite") == CRYPTOSUITE else None
    if proof.get("type") == ED25519_2020 and "cryptosuite" not in proof:
        return ED25519_2020
    return None


def _is_supported_suite(proof: dict[str, Any]) -> bool:
    return proof_suite(proof) is not None


def proof_verifies(
    unsecured: dict[str, Any],
    proof: dict[str, Any],
    *,
    public_multibase: str,
    proof_purpose: str = PROOF_PURPOSE,
    challenge: str | None = None,
    domain: str | None = None,
) -> bool:
    """True if one proof (eddsa-rdfc-2022 or Ed25519Signature2020) verifies with
    this key over `unsecured`: the document without its proofs, or with the
    previous proofs of a chain (vc-data-integrity 4.4).

    With `challenge` (or `domain`) the proof must carry exactly that value: the
    proof purpose "authentication" is only meaningful bound to a verifier's
    one-time challenge (VC Data Integrity, section 2.1 "challenge"). Checks the
    signature and these options only; dates, status and whose key it is are the
    caller's. A document that cannot be processed (undefined terms, unknown
    contexts, a malformed proof) is not verified rather than an exception:
    undefined terms in particular could hide properties added after signing.
    """
    key = _public_key(public_multibase)
    if not isinstance(proof, dict) or not _is_supported_suite(proof):
        return False
    if proof.get("proofPurpose") != proof_purpose:
        return False
    if challenge is not None and proof.get("challenge") != challenge:
        return False
    if domain is not None and proof.get("domain") != domain:
        return False
    signature = _signature(proof)
    if signature is None:
        return False
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    try:
        canonical_document = canonical_nquads(unsecured)
        canonical_config = _canonical_proof_config(unsecured.get("@context"), options)
    except Exception:  # untrusted input: any processing failure means "not verified"
        return False
    try:
        key.verify(signature, _hash_data(canonical_config, canonical_document))
    except InvalidSignature:
        return False
    return True


def verified_proof(
    document: dict[str, Any],
    *,
    public_multibase: str,
    proof_purpose: str = PROOF_PURPOSE,
    challenge: str | None = None,
    domain: str | None = None,
) -> dict[str, Any] | None:
    """The first proof on a credential or presentation that verifies with this key
    for `proof_purpose`, or None; see proof_verifies."""
    _public_key(public_multibase)
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    for proof in proofs(document):
        if proof_verifies(
            unsecured,
            proof,
            public_multibase=public_multibase,
            proof_purpose=proof_purpose,
            challenge=challenge,
            domain=domain,
        ):
            return proof
    return None


def verify_credential(credential: dict[str, Any], *, public_multibase: str) -> bool:
    """True if an assertionMethod proof (eddsa-rdfc-2022 or Ed25519Signature2020)
    on the credential verifies with this key; see verified_proof."""
    return verified_proof(credential, public_multibase=public_multibase) is not None
