"""Every proof on a credential, each checked against its own key.

VC Data Integrity 1.0, section 2.1.1 "Proof Sets" and 2.1.2 "Proof Chains": a
proof set is several proofs over the same document, and each must verify; a
proof naming `previousProof` signed the document together with the proofs it
names, so it is checked over them. The credential's issuer must have made one
of them (its key bound to the issuer's identifier); the others (a witness, a
notary) must verify against keys of their own.
"""

from dataclasses import dataclass
from typing import Any

from pyld.jsonld import JsonLdError

from credentials import dataintegrity, jsonld, legacy_suites
from credentials.services import checkmemo, signers


@dataclass(frozen=True)
class ProofCheck:
    proof: dict[str, Any]
    method: signers.Method | None = None
    verified: bool = False
    unsupported: str = ""  # the suite's name, when Cairn cannot check it
    unresolved: str = ""  # why its key cannot be looked up here
    unlisted: str = ""  # a pinned issuer whose document does not list the key
    broken_chain: str = ""  # a previousProof that names no proof in the set


@dataclass(frozen=True)
class ProofSet:
    checks: tuple[ProofCheck, ...]
    # Why the document cannot be processed (an unknown JSON-LD context), or "".
    unprocessable: str = ""

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(check.verified for check in self.checks)

    def issuers(self, issuer: str | None) -> ProofCheck | None:
        """The proof made with a key of the issuer, else the first one."""
        for check in self.checks:
            if check.method and check.method.did and check.method.did == issuer:
                return check
        return self.checks[0] if self.checks else None


def unprocessable_reason(document: dict[str, Any]) -> str:
    """Why JSON-LD cannot read the document here, or "" if it can.

    An unknown context is not evidence of tampering: the document may be
    genuine and read by a verifier that has the context. Undefined terms are
    left to the signature check (a property added after signing makes them).
    """
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    try:
        dataintegrity.canonical_nquads(unsecured)
    except jsonld.ContextNotVendoredError as error:
        return (
            f"it uses the JSON-LD context {error.url}, which is not available "
            "here, so it cannot be processed"
        )
    except jsonld.UndefinedTermsError:
        return ""
    except (JsonLdError, RecursionError, TypeError, ValueError) as error:
        return f"its JSON-LD cannot be processed ({type(error).__name__})"
    return ""


def _signed_document(document: dict[str, Any], proof: dict[str, Any]) -> dict | None:
    """The document as the proof signed it: without proofs, or with the ones it
    chains to (vc-data-integrity 4.4, step 4); None if one of those is missing."""
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    previous = proof.get("previousProof")
    if previous is None:
        return unsecured
    wanted = previous if isinstance(previous, list) else [previous]
    by_id = {
        other.get("id"): other
        for other in dataintegrity.proofs(document)
        if isinstance(other, dict) and other.get("id") and other is not proof
    }
    if not all(isinstance(name, str) and name in by_id for name in wanted):
        return None
    return {**unsecured, "proof": [by_id[name] for name in wanted]}


def _verify(signed: dict[str, Any], proof: dict[str, Any], method) -> bool:
    if not method.public_multibase:
        return False  # a pinned JWK signs JWTs only
    try:
        if proof.get("type") == legacy_suites.ED25519_2018:
            return legacy_suites.verify_ed25519_2018(
                signed, proof, public_multibase=method.public_multibase
            )
        return dataintegrity.proof_verifies(
            signed, proof, public_multibase=method.public_multibase
        )
    except ValueError:
        return False


def check_proofs(
    document: dict[str, Any], *, content: str = "", known_key=None
) -> ProofSet:
    """Each proof of the document checked against its own key. The key is looked
    up every time (it may have been reported compromised since), or taken from
    `known_key`, a SigningKey read in this request (signers.resolve); whether
    the signature holds over these bytes with that public key is remembered by
    the document's digest (`content`, checkmemo.digest of the document, if known)."""
    found = dataintegrity.proofs(document)
    if not found:
        return ProofSet(())
    content = content or checkmemo.digest(document)
    reason = checkmemo.remembered(
        ("unprocessable", content), lambda: unprocessable_reason(document)
    )
    if reason:
        return ProofSet((), unprocessable=reason)
    checks = []
    for position, proof in enumerate(found):
        if not isinstance(proof, dict) or not isinstance(
            proof.get("verificationMethod"), str
        ):
            checks.append(ProofCheck(proof if isinstance(proof, dict) else {}))
            continue
        if signers.suite(proof) is None:
            checks.append(ProofCheck(proof, unsupported=signers.suite_name(proof)))
            continue
        signed = _signed_document(document, proof)
        if signed is None:
            checks.append(
                ProofCheck(
                    proof,
                    broken_chain=f"its proof chain names a previous proof "
                    f"({proof.get('previousProof')}) that is not in it",
                )
            )
            continue
        method = signers.resolve(proof["verificationMethod"], known=known_key)
        if method is None:
            checks.append(
                ProofCheck(
                    proof,
                    unlisted=signers.unlisted(proof["verificationMethod"]),
                    unresolved=signers.unresolved(proof["verificationMethod"]),
                )
            )
            continue
        verified = checkmemo.remembered(
            ("proof", content, position, method.public_multibase),
            lambda signed=signed, proof=proof, method=method: _verify(
                signed, proof, method
            ),
        )
        checks.append(ProofCheck(proof, method, verified))
    return ProofSet(tuple(checks))
