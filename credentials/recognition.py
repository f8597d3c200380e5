"""The proof check on an outside Open Badges 3.0 credential offered for
recognition of prior learning.

Registered with assessments.badgefiles in CredentialsConfig.ready(). It resolves
the signing key without the network: a did:key from the DID itself, this site's
own did:web issuers from the database (credentials.services.verification), and
any other issuer only from a controller or DID document an administrator has
pinned (CAIRN_ISSUER_DOCUMENTS). Anything else is "not checked", with the reason.
"""

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from assessments.badgefiles import FAILED, UNCHECKED, VERIFIED, ProofCheck
from credentials import dataintegrity
from credentials.services import verification

_KEY_TYPES = ("Multikey", dataintegrity.ED25519_2020_KEY_TYPE)


def _suite_problem(proof: dict[str, Any]) -> str:
    if dataintegrity.proof_suite(proof):
        return ""
    kind, suite = proof.get("type"), proof.get("cryptosuite")
    named = f"{kind} ({suite})" if suite else f"{kind}"
    return (
        f"Its proof is a {named}; Cairn checks {dataintegrity.CRYPTOSUITE} and "
        f"{dataintegrity.ED25519_2020} proofs only."
    )


def _issuer(document: dict[str, Any]) -> str:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else ""


def _pinned_documents() -> dict[str, dict[str, Any]]:
    """Controller or DID documents of outside issuers, by id, read from the
    files CAIRN_ISSUER_DOCUMENTS names (at call time: recognition is rare)."""
    documents = {}
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
            documents[document["id"]] = document
    return documents


def _method_in(document: dict[str, Any], method_id: str) -> str | None:
    """The publicKeyMultibase of a verification method the document lists for
    assertions, or None."""
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
            isinstance(method, dict)
            and isinstance(method.get("id"), str)
            and full(method["id"]) == method_id
            and method.get("type") in _KEY_TYPES
            and method.get("controller", controller) == controller
            and isinstance(method.get("publicKeyMultibase"), str)
        ):
            return method["publicKeyMultibase"]
    return None


def _where_published(controller: str) -> str:
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


def _signature(document: dict[str, Any], public_multibase: str) -> bool:
    try:
        return dataintegrity.verify_credential(
            document, public_multibase=public_multibase
        )
    except ValueError:  # not an Ed25519 Multikey
        return False


_ALTERED = (
    "The signature does not match the contents: the credential was altered "
    "after it was signed, or signed by someone else."
)


def check_recognition_proof(document: dict[str, Any]) -> ProofCheck | None:
    """Verified, failed or not checked, with the reason; None without a proof."""
    proof = dataintegrity.first_proof(document)
    if proof is None:
        return None
    if problem := _suite_problem(proof):
        return ProofCheck(UNCHECKED, problem)
    method_id = proof.get("verificationMethod")
    if not isinstance(method_id, str) or not method_id:
        return ProofCheck(FAILED, "Its proof names no key (verificationMethod).")
    issuer = _issuer(document)
    signer = verification.signer_of(document)
    if signer is not None and signer.key is not None:
        return _check_own(document)
    if signer is not None:
        controller, public_multibase = signer.did, signer.public_multibase
        who = f"the key {controller}"
    else:
        controller = method_id.partition("#")[0]
        pinned = _pinned_documents().get(controller)
        if pinned is None:
            return ProofCheck(UNCHECKED, _where_published(controller))
        public_multibase = _method_in(pinned, method_id)
        if public_multibase is None:
            return ProofCheck(
                FAILED,
                f"The issuer's document ({controller}) does not list the key that "
                f"signed it ({method_id}) for issuing credentials.",
            )
        who = f"the issuer's pinned document ({controller})"
    if issuer != controller:
        return ProofCheck(
            FAILED,
            f"It was signed with a key of {controller}, not of its issuer "
            f"{issuer or '(none)'}.",
        )
    if not _signature(document, public_multibase):
        return ProofCheck(FAILED, _ALTERED)
    if signer is not None:
        return ProofCheck(
            VERIFIED,
            f"The signature by {who} is genuine and the credential is unchanged. "
            "A did:key names only a key: who holds it is not confirmed.",
        )
    return ProofCheck(
        VERIFIED,
        f"The signature is genuine and the credential is unchanged; the key is "
        f"listed for issuing in {who}.",
    )


def _check_own(document: dict[str, Any]) -> ProofCheck:
    """A credential this site issued: checked in full, status included."""
    result = verification.verify_credential(document)
    checks = {check.name: check for check in result.checks}
    if not checks["signature"].passed:
        return ProofCheck(FAILED, checks["signature"].says)
    if not checks["issuer"].passed:
        return ProofCheck(FAILED, checks["issuer"].says)
    if result.status in ("revoked", "suspended"):
        return ProofCheck(FAILED, checks["status"].says)
    return ProofCheck(VERIFIED, f"{checks['issuer'].says} {checks['signature'].says}")
