"""The proof check on an outside credential offered for recognition of prior
learning: the same verification anyone gets (credentials.services.verification),
told as verified, failed or not checked, with the reason.

Registered with assessments.badgefiles in CredentialsConfig.ready(). Keys are
resolved without the network: a did:key from the DID itself, this site's own
issuers from the database, and any other issuer only from a controller or DID
document an administrator has pinned (CAIRN_ISSUER_DOCUMENTS).
"""

from assessments.badgefiles import FAILED, UNCHECKED, VERIFIED, ProofCheck
from assessments.badgeformats import OpenedFile
from credentials.services import verification


def check_recognition_proof(opened: OpenedFile) -> ProofCheck:
    """Verified, failed or not checked, with the reason."""
    result = verification.verify_credential(opened.document, jwt=opened.jwt)
    checks = {check.name: check for check in result.checks}
    signature, issuer, status = checks["signature"], checks["issuer"], checks["status"]
    if result.status in ("revoked", "suspended"):
        return ProofCheck(FAILED, status.says if issuer.passed else issuer.says)
    if result.signer not in ("", "jwk") and not result.issuer_bound:
        return ProofCheck(FAILED, issuer.says)  # whatever the signature says
    if result.proof == "failed":
        return ProofCheck(FAILED, signature.says)
    if result.proof != "verified":
        return ProofCheck(UNCHECKED, signature.says.removeprefix("Not checked: "))
    notes = "" if status.passed else f" {status.says}"
    if result.signer == "jwk":
        return ProofCheck(
            UNCHECKED,
            f"{signature.says} {issuer.says} Pin the issuer's document "
            "(CAIRN_ISSUER_DOCUMENTS) to confirm its key.",
        )
    if result.signer == "did:key":
        return ProofCheck(
            VERIFIED,
            f"{signature.says} A did:key names only a key: who holds it is not "
            f"confirmed.{notes}",
        )
    if result.signer == "pinned":
        return ProofCheck(VERIFIED, f"{signature.says} {issuer.says}{notes}")
    return ProofCheck(VERIFIED, f"{issuer.says} {signature.says}{notes}")
