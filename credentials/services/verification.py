"""Checking a credential as a stranger would, and saying what was found."""

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from credentials import dataintegrity, schemas, statuslist
from credentials.models import Award, SigningKey, StatusList, WalletCredential
from credentials.services import keys

OB_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
_STATUS_PATH = re.compile(r"^/credentials/status/(\d+)$")


@dataclass(frozen=True)
class Check:
    name: str  # "signature", "issuer", "status", "dates" or "schema"
    passed: bool
    says: str


@dataclass(frozen=True)
class Verification:
    # "valid", "revoked", "suspended", "tampered", "expired", "not-yet-valid",
    # "unknown-issuer" or "invalid"
    status: str
    headline: str
    checks: tuple[Check, ...]
    award: Award | None = None

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"


@dataclass(frozen=True)
class _Method:
    did: str
    public_multibase: str
    key: SigningKey | None


def _issuer_id(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _proof(credential: dict[str, Any]) -> dict[str, Any] | None:
    for proof in dataintegrity.proofs(credential):
        if isinstance(proof, dict) and isinstance(proof.get("verificationMethod"), str):
            return proof
    return None


def _resolve(verification_method: str) -> _Method | None:
    """The key behind a verification method, for the DIDs this site can answer
    for without the network: any did:key, and its own did:web documents."""
    did, _, fragment = verification_method.partition("#")
    if did.startswith("did:key:"):
        public_multibase = did.removeprefix("did:key:")
        if fragment and fragment != public_multibase:
            return None
        try:
            dataintegrity.did_key(public_multibase)
        except ValueError:
            return None
        key = SigningKey.objects.filter(public_multibase=public_multibase).first()
        return _Method(did, public_multibase, key)
    if not did.startswith("did:web:") or not fragment:
        return None
    fragment = fragment.removeprefix(keys.ED25519_2020_FRAGMENT)
    key = (
        SigningKey.objects.select_related("organization")
        .filter(public_multibase=fragment)
        .first()
    )
    if key is None:
        return None
    if did not in (keys.site_did(), keys.organization_did(key.organization)):
        return None
    return _Method(did, fragment, key)


def _signature_verifies(document: dict[str, Any], method: _Method) -> bool:
    try:
        return dataintegrity.verify_credential(
            document, public_multibase=method.public_multibase
        )
    except ValueError:
        return False


def _status_bit(entry: dict[str, Any], issuer: str | None) -> tuple[bool | None, str]:
    """(is the bit set, a problem) for one BitstringStatusListEntry, read from the
    signed list credential as any verifier would read it."""
    url = entry.get("statusListCredential")
    if not isinstance(url, str) or not url.startswith(settings.SITE_URL):
        return None, f"its status list {url!r} is not one this site publishes"
    match = _STATUS_PATH.match(url.removeprefix(settings.SITE_URL))
    status_list = StatusList.objects.filter(pk=int(match[1])).first() if match else None
    if status_list is None:
        return None, f"its status list {url} does not exist"
    list_credential = status_list.credential or {}
    proof = _proof(list_credential)
    method = _resolve(proof["verificationMethod"]) if proof else None
    if method is None or not _signature_verifies(list_credential, method):
        return None, "its status list's signature does not verify"
    if _issuer_id(list_credential) != issuer:
        return None, "its status list was issued by someone else"
    subject = list_credential.get("credentialSubject", {})
    if subject.get("statusPurpose") != entry.get("statusPurpose"):
        return None, "its status list has another purpose"
    try:
        bits = statuslist.decode(subject.get("encodedList"))
        return statuslist.get_bit(bits, int(entry.get("statusListIndex"))), ""
    except (statuslist.StatusListError, TypeError, ValueError) as error:
        return None, f"its status list cannot be read: {error}"


def _award_for(credential: dict[str, Any]) -> Award | None:
    credential_id = credential.get("id")
    if not isinstance(credential_id, str) or not credential_id.startswith("urn:uuid:"):
        return None
    try:
        award_uuid = uuid.UUID(credential_id.removeprefix("urn:uuid:"))
    except ValueError:
        return None
    award = (
        Award.objects.select_related("organization", "learner", "signing_key")
        .filter(uuid=award_uuid)
        .first()
    )
    if award is None:
        # A copy sent to a learner's wallet answers for its award.
        copy = (
            WalletCredential.objects.select_related(
                "award__organization", "award__learner", "award__signing_key"
            )
            .filter(uuid=award_uuid)
            .first()
        )
        award = copy.award if copy else None
    return award


def _on(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%d %B %Y}"


def verify_credential(credential: Any, *, now: datetime | None = None) -> Verification:
    """Check signature, issuer DID, status, validity dates and schema of any
    credential (Cairn's or not), each in plain words."""
    now = now or timezone.now()
    if not isinstance(credential, dict):
        return Verification(
            "invalid",
            "Not a credential: the file holds no JSON object.",
            (Check("schema", False, "The content is not a JSON credential."),),
        )
    checks: list[Check] = []
    award = _award_for(credential)
    issuer = _issuer_id(credential)
    proof = _proof(credential)
    method = _resolve(proof["verificationMethod"]) if proof else None

    # Signature.
    if proof is None:
        signature_ok = False
        checks.append(Check("signature", False, "It carries no signature (proof)."))
    elif method is None:
        signature_ok = False
        checks.append(
            Check(
                "signature",
                False,
                f"Its signing key {proof['verificationMethod']} cannot be looked up "
                "here: it is neither a did:key nor a key of an issuer on this site.",
            )
        )
    else:
        signature_ok = _signature_verifies(credential, method)
        checks.append(
            Check(
                "signature",
                signature_ok,
                "The signature is genuine and nothing has changed since it was signed."
                if signature_ok
                else "The contents do not match the signature: it has been altered "
                "after it was signed, or signed by someone else.",
            )
        )

    # Issuer DID.
    compromised = False
    if method is None or issuer != method.did:
        issuer_ok = False
        says = (
            f"The issuer {issuer or '(none)'} is not the owner of the key that "
            "signed it."
            if method
            else f"The issuer {issuer or '(none)'} cannot be confirmed."
        )
    elif method.key is None:
        issuer_ok = False
        says = f"It was signed by {issuer}, which is not an issuer on this site."
    else:
        issuer_ok = True
        organization = method.key.organization
        says = f"It was issued by {organization.name}, whose identifier is {issuer}."
        created = dataintegrity.parse_datetime(proof.get("created")) if proof else None
        if method.key.compromised_at and (
            created is None or created >= method.key.compromised_at
        ):
            compromised = True
            issuer_ok = False
            says = (
                f"It was signed with a key of {organization.name} that was reported "
                f"compromised from {_on(method.key.compromised_at)}: it cannot be "
                "trusted."
            )
    checks.append(Check("issuer", issuer_ok, says))

    # Status.
    revoked = suspended = False
    entries = statuslist.entries_of(credential)
    problems = []
    for entry in entries:
        is_set, problem = _status_bit(entry, issuer)
        if problem:
            problems.append(problem)
        elif is_set and entry.get("statusPurpose") == "revocation":
            revoked = True
        elif is_set and entry.get("statusPurpose") == "suspension":
            suspended = True
    if not entries and award is not None and award.is_revoked:
        revoked = True  # issued before status lists: the award row says it
    who = method.key.organization.name if method and method.key else "The issuer"
    if problems:
        checks.append(
            Check(
                "status", False, "Its status cannot be checked: " + "; ".join(problems)
            )
        )
    elif revoked:
        words = f"{who} has revoked it"
        if award and award.revoked_at:
            words += f" on {_on(award.revoked_at)}"
            words += f": {award.revocation_reason}" if award.revocation_reason else "."
        checks.append(Check("status", False, words))
    elif suspended:
        words = f"{who} has suspended it for now"
        if award and award.suspension_reason:
            words += f": {award.suspension_reason}"
        checks.append(Check("status", False, words))
    elif entries:
        checks.append(
            Check(
                "status",
                True,
                f"{who}'s signed status "
                + (
                    "lists show it neither revoked nor suspended."
                    if {e.get("statusPurpose") for e in entries}
                    >= {"revocation", "suspension"}
                    else "list shows it has not been revoked."
                ),
            )
        )
    else:
        checks.append(
            Check("status", True, "It names no status list, so it cannot be revoked.")
        )

    # Validity dates.
    valid_from = dataintegrity.parse_datetime(
        credential.get("validFrom") or credential.get("issuanceDate")
    )
    valid_until = dataintegrity.parse_datetime(
        credential.get("validUntil") or credential.get("expirationDate")
    )
    expired = bool(valid_until and valid_until <= now)
    early = valid_from is None or valid_from > now
    if valid_from is None:
        dates = "It has no readable date from which it is valid."
    elif early:
        dates = f"It is not valid until {_on(valid_from)}."
    elif expired:
        dates = f"It expired on {_on(valid_until)}."
    elif valid_until:
        dates = f"It is valid from {_on(valid_from)} until {_on(valid_until)}."
    else:
        dates = f"It is valid from {_on(valid_from)} and does not expire."
    checks.append(Check("dates", not (expired or early), dates))

    # Schema.
    types = credential.get("type")
    types = {
        t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)
    }
    if types & OB_TYPES:
        errors = schemas.achievement_credential_errors(credential)
        schema_ok = not errors
        checks.append(
            Check(
                "schema",
                schema_ok,
                "It has the shape 1EdTech's Open Badges 3.0 schema requires."
                if schema_ok
                else "It does not match 1EdTech's Open Badges 3.0 schema: "
                + "; ".join(errors[:3]),
            )
        )
    else:
        schema_ok = True
        checks.append(
            Check(
                "schema",
                True,
                "It is not an Open Badges achievement credential, so no achievement "
                "schema applies.",
            )
        )

    if not signature_ok:
        verdict = ("tampered", "Not genuine: this credential has been altered.")
        if proof is None or method is None:
            verdict = ("unknown-issuer", "Cannot be checked: its signer is unknown.")
    elif compromised:
        verdict = ("revoked", "Not trusted: it was signed with a compromised key.")
    elif not issuer_ok:
        verdict = ("unknown-issuer", "Not confirmed: the issuer cannot be confirmed.")
    elif revoked:
        verdict = ("revoked", "Revoked: this credential is no longer valid.")
    elif suspended:
        verdict = ("suspended", "Suspended: this credential is not valid for now.")
    elif problems:
        verdict = ("invalid", "Not confirmed: its status could not be checked.")
    elif early:
        verdict = ("not-yet-valid", "Not valid yet.")
    elif expired:
        verdict = ("expired", "Expired: this credential is past its end date.")
    elif not schema_ok:
        verdict = ("invalid", "Not valid: it does not have the required shape.")
    else:
        name = who
        if award is not None:
            learner = award.learner.get_full_name() or award.learner.get_username()
            name = f"{who} issued this credential to {learner}"
            subject = credential.get("credentialSubject")
            holder = subject.get("id") if isinstance(subject, dict) else None
            if isinstance(holder, str) and holder.startswith("did:"):
                name += f", bound to their wallet's DID {holder}"
        else:
            name = f"{who} issued this credential"
        verdict = ("valid", f"Genuine: {name}.")
    return Verification(verdict[0], verdict[1], tuple(checks), award)


def verify_award(award: Award) -> Verification:
    """Check an award's stored credential as a stranger would."""
    return verify_credential(award.credential)


def signer_of(credential: dict[str, Any]) -> _Method | None:
    """The DID and key behind a credential's proof, for the DIDs this site can
    resolve offline (any did:key, its own did:web); None for any other."""
    proof = _proof(credential)
    return _resolve(proof["verificationMethod"]) if proof else None
