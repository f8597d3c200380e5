"""DID Authentication: a wallet's signed presentation proving it controls a DID.

The W3C CCG Verifiable Presentation Request spec ("DID Authentication",
https://w3c-ccg.github.io/vp-request-spec/#did-authentication) answers a
verifier's challenge with a VerifiablePresentation whose `holder` is the DID and
whose proof has proofPurpose "authentication" and that challenge. The Learner
Credential Wallet signs it with Ed25519Signature2020 on VC 1.1
(digitalcredentials/learner-credential-wallet, app/lib/present.ts,
`createVerifiablePresentation`: `vc.createPresentation({holder})` then
`vc.signPresentation({suite: Ed25519Signature2020, challenge})`); newer wallets
sign with a DataIntegrityProof (eddsa-rdfc-2022) on VC 2.0. Both are accepted.

Pure: no ORM, no settings; the caller passes the expected challenge and domains.
Only did:key holders are resolved, offline, from the DID itself.
"""

import hmac
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credentials import dataintegrity

AUTHENTICATION = "authentication"
PRESENTATION_TYPE = "VerifiablePresentation"
DID_KEY_PREFIX = "did:key:"


class DidAuthError(ValueError):
    """The presentation does not prove control of a DID for this request.

    `code` is a stable machine name; the message is plain words for a person.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Authenticated:
    holder: str  # the DID the wallet proved it controls
    verification_method: str
    proof_type: str  # "Ed25519Signature2020" or "eddsa-rdfc-2022"


def _types(document: dict[str, Any]) -> set[str]:
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    return {value for value in types if isinstance(value, str)}


def did_key_public_multibase(did: str) -> str:
    """The Ed25519 Multikey of a did:key; raises DidAuthError for anything else."""
    if not did.startswith("did:"):
        raise DidAuthError(
            "invalid-holder", f"The holder {did!r} is not a DID (it must start 'did:')."
        )
    if not did.startswith(DID_KEY_PREFIX):
        method = did.split(":", 2)[1] if did.count(":") >= 2 else did
        raise DidAuthError(
            "unsupported-did-method",
            f"Cairn can issue only to a did:key, which it checks without asking "
            f"anyone else; this wallet presented a did:{method}. Choose a wallet "
            "profile with a did:key and try again.",
        )
    public_multibase = did.removeprefix(DID_KEY_PREFIX)
    try:
        dataintegrity.did_key(public_multibase)
    except ValueError as error:
        raise DidAuthError(
            "invalid-holder", f"The holder {did} is not an Ed25519 did:key: {error}."
        ) from error
    return public_multibase


def _check_proof(
    proof: dict[str, Any],
    *,
    holder: str,
    public_multibase: str,
    challenge: str,
    domains: Collection[str],
    now: datetime,
) -> None:
    """Raise DidAuthError for the first thing wrong with one authentication proof,
    before its signature is checked (so that the message names the real cause)."""
    if dataintegrity.proof_suite(proof) is None:
        raise DidAuthError(
            "unsupported-proof",
            f"The presentation is signed with {proof.get('type')!r}; Cairn accepts "
            "Ed25519Signature2020 and DataIntegrityProof with eddsa-rdfc-2022.",
        )
    method = proof.get("verificationMethod")
    if not isinstance(method, str):
        raise DidAuthError(
            "invalid-proof", "The proof does not name its verification method."
        )
    method_did, _, fragment = method.partition("#")
    if method_did != holder or (fragment and fragment != public_multibase):
        raise DidAuthError(
            "foreign-key",
            f"The presentation was signed with {method}, which is not a key of "
            f"the holder {holder}.",
        )
    given = proof.get("challenge")
    if not isinstance(given, str) or not hmac.compare_digest(
        given.encode("utf-8"), challenge.encode("utf-8")
    ):
        raise DidAuthError(
            "wrong-challenge",
            "The presentation answers a different challenge than this request's. "
            "Scan the code on the credential page again.",
        )
    domain = proof.get("domain")
    if domain is not None:
        named = domain if isinstance(domain, list) else [domain]
        if not named or not all(isinstance(value, str) for value in named):
            raise DidAuthError("wrong-domain", "The proof's domain is not readable.")
        if not set(named) & set(domains):
            raise DidAuthError(
                "wrong-domain",
                f"The presentation was made for {', '.join(named)}, not for this site.",
            )
    expires = proof.get("expires")
    if expires is not None:
        moment = dataintegrity.parse_datetime(expires)
        if moment is None or moment <= now:
            raise DidAuthError("expired-proof", "The presentation's proof has expired.")


def verify_presentation(
    presentation: Any,
    *,
    challenge: str,
    domains: Collection[str],
    now: datetime,
) -> Authenticated:
    """Check a DID Authentication presentation against one request's challenge.

    Raises DidAuthError naming what is wrong; returns the proven holder DID.
    """
    if not isinstance(presentation, dict) or PRESENTATION_TYPE not in _types(
        presentation
    ):
        raise DidAuthError(
            "not-a-presentation",
            "Send a VerifiablePresentation (DID Authentication) as the JSON body.",
        )
    holder = presentation.get("holder")
    if isinstance(holder, dict):
        holder = holder.get("id")
    if not isinstance(holder, str) or not holder:
        raise DidAuthError(
            "invalid-holder", "The presentation does not name its holder's DID."
        )
    public_multibase = did_key_public_multibase(holder)
    proofs = dataintegrity.proofs(presentation)
    if not proofs:
        raise DidAuthError("unsigned", "The presentation carries no proof.")
    candidates = [
        proof
        for proof in proofs
        if isinstance(proof, dict) and proof.get("proofPurpose") == AUTHENTICATION
    ]
    if not candidates:
        raise DidAuthError(
            "wrong-purpose",
            "The presentation's proof is not for authentication (proofPurpose "
            "must be 'authentication').",
        )
    first_error: DidAuthError | None = None
    for proof in candidates:
        try:
            _check_proof(
                proof,
                holder=holder,
                public_multibase=public_multibase,
                challenge=challenge,
                domains=domains,
                now=now,
            )
        except DidAuthError as error:
            first_error = first_error or error
            continue
        domain = proof.get("domain")
        verified = dataintegrity.verified_proof(
            {**presentation, "proof": [proof]},
            public_multibase=public_multibase,
            proof_purpose=AUTHENTICATION,
            challenge=challenge,
            domain=domain if isinstance(domain, str) else None,
        )
        if verified is not None:
            return Authenticated(
                holder=holder,
                verification_method=proof["verificationMethod"],
                proof_type=dataintegrity.proof_suite(proof) or "",
            )
        first_error = first_error or DidAuthError(
            "bad-signature",
            "The presentation's signature does not verify: it was altered after "
            "it was signed, or signed with another key.",
        )
    raise first_error or DidAuthError("unsigned", "The presentation carries no proof.")
