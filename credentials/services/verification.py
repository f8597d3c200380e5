"""Checking a credential as a stranger would, and saying what was found."""

import re
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from assessments import badgefiles, badgeformats
from config import statements
from credentials import (
    dataintegrity,
    legacy_suites,
    schemas,
    statuslist,
    vcmodel,
)
from credentials.models import Award, StatusList, WalletCredential
from credentials.services import checkmemo, outside, proofs, signers
from credentials.services.verdicts import Check, Verification
from credentials.services.verdicts import on_day as _on

OB_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
_STATUS_PATH = re.compile(r"^/credentials/status/(\d+)$")


def _issuer_id(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _status_bit(
    entry: dict[str, Any],
    issuer: str | None,
    methods: dict[str, signers.Method | None],
) -> tuple[bool | None, str]:
    """(is the bit set, a problem) for one BitstringStatusListEntry, read from the
    signed list credential as any verifier would read it. `methods`: the keys
    resolved already in this verification, by verification method (the
    credential and its status lists are signed with the same key: read once)."""
    url = entry.get("statusListCredential")
    if not isinstance(url, str) or not url.startswith(settings.SITE_URL):
        return None, f"its status list {url!r} is not one this site publishes"
    match = _STATUS_PATH.match(url.removeprefix(settings.SITE_URL))
    status_list = _status_list(int(match[1])) if match else None
    if status_list is None:
        return None, f"its status list {url} does not exist"
    list_credential = status_list.credential or {}
    proof = signers.proof_of(list_credential)
    method = None
    if proof:
        name = proof["verificationMethod"]
        if name not in methods:
            methods[name] = signers.resolve(name)
        method = methods[name]
    # A revocation re-signs the list: a new digest, checked afresh.
    if method is None or not checkmemo.remembered(
        (
            "status-list-signature",
            checkmemo.digest(list_credential),
            method.public_multibase,
        ),
        lambda: signers.signature_verifies(list_credential, method),
    ):
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


def _status_list(pk: int) -> StatusList | None:
    """A status list by its id, through a kept statement (credentials/
    statements.py); None for an id no list can have (a credential's own URL)."""
    low, high = connection.ops.integer_field_range(
        StatusList._meta.pk.get_internal_type()
    )
    if not low <= pk <= high:
        return None
    found = statements.instances(
        ("status-list",),
        lambda pk: StatusList.objects.filter(pk=pk).order_by(),
        pk=pk,
    )
    return found[0] if found else None


def _award_for(credential: dict[str, Any]) -> Award | None:
    credential_id = credential.get("id")
    if not isinstance(credential_id, str) or not credential_id.startswith("urn:uuid:"):
        return None
    try:
        award_uuid = uuid.UUID(credential_id.removeprefix("urn:uuid:"))
    except ValueError:
        return None
    award = (
        Award.objects.select_related(
            "organization", "learner", "signing_key__organization"
        )
        .filter(uuid=award_uuid)
        .first()
    )
    if award is None:
        # A copy sent to a learner's wallet answers for its award.
        copy = (
            WalletCredential.objects.select_related(
                "award__organization",
                "award__learner",
                "award__signing_key__organization",
            )
            .filter(uuid=award_uuid)
            .first()
        )
        award = copy.award if copy else None
    return award


def _who(credential: dict[str, Any], method: signers.Method | None) -> str:
    if method and method.key:
        return method.key.organization.name
    issuer = credential.get("issuer")
    name = issuer.get("name") if isinstance(issuer, dict) else None
    if method and method.kind == "pinned" and isinstance(name, str) and name:
        return name
    return "The issuer"


def verify_credential(
    credential: Any,
    *,
    jwt: str = "",
    now: datetime | None = None,
    award: Award | None = None,
    key_read_with_award: bool = False,
) -> Verification:
    """Check signature, issuer, status, validity dates and schema of any
    credential (Cairn's or not, Open Badges 0.5 to 3.0, `jwt` the VC-JWT it came
    in if it did), each in plain words. `award`: the award the credential is
    known to be, when the caller has it (else it is looked up by the id).
    `key_read_with_award`: the caller read `award` with its signing key just
    now (award_selectors.public_award), so that row stands for the key as it is;
    otherwise the key is read again, as it may have been reported compromised
    since the award was loaded.

    What depends on the content alone (whether each signature holds, the schema
    and data-model checks) is remembered by the content's digest
    (services/checkmemo.py); the award's row, the signing key, the status lists
    and the dates are read again every time, so a revocation shows at once."""
    now = now or timezone.now()
    if not isinstance(credential, dict):
        return Verification(
            "invalid",
            "Not a credential: the file holds no JSON object.",
            (Check("schema", False, "The content is not a JSON credential."),),
        )
    if not badgeformats.within_depth(credential):
        return Verification(
            "invalid",
            "Not a credential: it is nested deeper than any credential is.",
            (
                Check("signature", False, "Not checked: it is not a credential."),
                Check("schema", False, "The content is nested too deeply to read."),
            ),
        )
    fmt = badgefiles.format_of(credential)
    if fmt in ("ob2", "ob1", "ob0.5"):
        return outside.verify_hosted_badge(credential, now)
    if not fmt:
        return Verification(
            "invalid",
            "Not a credential: it is neither a Verifiable Credential nor an Open "
            "Badges assertion.",
            (
                Check("signature", False, "Not checked: it is not a credential."),
                Check(
                    "schema",
                    False,
                    "Its @context names neither the W3C Verifiable Credentials "
                    "context nor an Open Badges one.",
                ),
            ),
        )
    checks: list[Check] = []
    content = checkmemo.digest(credential)
    if award is None:
        award = _award_for(credential)
        key_read_with_award = True
    # The award's key, read with its row in this call or by the caller just
    # now: not read again for the proofs.
    known_key = award.signing_key if award and key_read_with_award else None
    issuer = _issuer_id(credential)
    proof = None
    method = None
    unsupported = unresolved = unlisted = unprocessable = broken_chain = ""
    # Keys resolved for the proofs, by verification method, for the status lists.
    methods: dict[str, signers.Method | None] = {}
    failed = False  # a proof whose key was found did not verify

    # Signature.
    if jwt:
        method, unresolved = signers.jwt_signer(jwt, issuer)
        signature_ok = bool(
            method and method.jwk and legacy_suites.verify_jwt(jwt, jwk=method.jwk)
        )
        failed = method is not None and not signature_ok
        if method is None:
            unlisted = signers.unlisted(signers.jwt_kid(jwt))
            checks.append(
                Check("signature", False, unlisted or f"Not checked: {unresolved}")
            )
        else:
            checks.append(
                Check(
                    "signature",
                    signature_ok,
                    "The JWT's signature is genuine and nothing has changed since "
                    "it was signed."
                    if signature_ok
                    else "The JWT's contents do not match its signature: it has been "
                    "altered after it was signed, or signed by someone else.",
                )
            )
    else:
        found = proofs.check_proofs(credential, content=content, known_key=known_key)
        checks.append(_signature_check(found))
        signature_ok = found.verified
        issuers = found.issuers(issuer)
        method = issuers.method if issuers else None
        proof = issuers.proof if issuers else None
        if proof is not None and not isinstance(proof.get("verificationMethod"), str):
            proof = None
        unprocessable = found.unprocessable
        methods = {
            c.proof["verificationMethod"]: c.method for c in found.checks if c.method
        }
        failed = any(c.method and not c.verified for c in found.checks)
        broken_chain = next(
            (c.broken_chain for c in found.checks if c.broken_chain), ""
        )
        unsupported = next((c.unsupported for c in found.checks if c.unsupported), "")
        unlisted = next((c.unlisted for c in found.checks if c.unlisted), "")
        unresolved = next(
            (c.unresolved for c in found.checks if c.unresolved and not c.unlisted), ""
        )

    # Issuer.
    compromised = False
    issuer_bound = bool(method and method.did and issuer == method.did)
    if method is None:
        issuer_ok = False
        says = f"The issuer {issuer or '(none)'} cannot be confirmed."
    elif method.kind == "jwk":
        issuer_ok = False
        says = (
            f"The JWT carries its own key, so nothing confirms that the issuer "
            f"{issuer or '(none)'} signed it."
        )
    elif not issuer_bound:
        issuer_ok = False
        says = (
            f"It was signed with a key of {method.did}, not of its issuer "
            f"{issuer or '(none)'}."
        )
    elif method.kind == "pinned":
        issuer_ok = True
        says = (
            f"Its key is listed for issuing in the issuer's pinned document ({issuer})."
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
        is_set, problem = _status_bit(entry, issuer, methods)
        if problem:
            problems.append(problem)
        elif is_set and entry.get("statusPurpose") == "revocation":
            revoked = True
        elif is_set and entry.get("statusPurpose") == "suspension":
            suspended = True
    if not entries and award is not None and award.is_revoked:
        revoked = True  # issued before status lists: the award row says it
    unknown: list[str] = []
    listed: list[str] = []  # what pinned 1EdTech revocation lists say
    listed_revoked = False
    for entry in outside.other_status_entries(credential):
        is_set, says = outside.other_status(entry, credential)
        if is_set is None:
            unknown.append(says)
        else:
            listed.append(says)
            listed_revoked = listed_revoked or is_set
    revoked = revoked or listed_revoked
    who = _who(credential, method)
    if problems:
        checks.append(
            Check(
                "status", False, "Its status cannot be checked: " + "; ".join(problems)
            )
        )
    elif listed_revoked:
        checks.append(Check("status", False, " ".join(listed)))
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
    elif unknown:
        checks.append(Check("status", False, " ".join(unknown)))
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
    elif listed:
        checks.append(Check("status", True, " ".join(listed)))
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
    # validFrom is optional in VC 2.0 (section 4.9); VC 1.1's issuanceDate is
    # required, which the data model check below reports.
    early = bool(valid_from and valid_from > now)
    if early:
        dates = f"It is not valid until {_on(valid_from)}."
    elif expired:
        dates = f"It expired on {_on(valid_until)}."
    elif valid_from and valid_until:
        dates = f"It is valid from {_on(valid_from)} until {_on(valid_until)}."
    elif valid_from:
        dates = f"It is valid from {_on(valid_from)} and does not expire."
    elif valid_until:
        dates = f"It has no start date and is valid until {_on(valid_until)}."
    else:
        dates = "It has no start date and does not expire."
    checks.append(Check("dates", not (expired or early), dates))

    # Schema.
    types = credential.get("type")
    types = {
        t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)
    }
    if types & OB_TYPES:
        # The spec's compacted form allows one proof object where 1EdTech's schema
        # wants an array (PITFALLS.md): an outside credential is not wrong for it.
        errors = checkmemo.remembered(
            ("schema", content),
            lambda: schemas.achievement_credential_errors(
                {**credential, "proof": dataintegrity.proofs(credential)}
                if isinstance(credential.get("proof"), dict)
                else credential
            ),
        )
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

    # The VC data model's MUSTs, each named (credentials/vcmodel.py).
    broken = checkmemo.remembered(
        ("vcmodel", content), lambda: vcmodel.violations(credential)
    )
    if broken:
        schema_ok = False
        says = "It breaks the W3C Verifiable Credentials Data Model: " + "; ".join(
            str(violation) for violation in broken
        )
        checks[-1] = Check("schema", False, f"{says}. {checks[-1].says}")

    if not signature_ok:
        verdict = ("tampered", "Not genuine: this credential has been altered.")
        if unprocessable:
            verdict = ("unprocessable", f"Cannot be processed: {unprocessable}.")
        elif broken_chain:
            verdict = ("invalid", f"Not valid: {broken_chain}.")
        elif failed:
            pass  # a proof checked against its key does not hold: altered
        elif unsupported:
            verdict = ("not-checked", "Not checked: this proof type is not supported.")
        elif unlisted:
            verdict = (
                "unknown-issuer",
                "Not confirmed: its issuer does not list the key that signed it.",
            )
        elif unresolved or (method is None and (proof is not None or jwt)):
            verdict = (
                "not-checked",
                "Not checked: the key that signed it cannot be looked up here.",
            )
        elif method is None:
            verdict = ("not-checked", "Not checked: it carries no signature.")
    elif broken:
        verdict = (
            "invalid",
            f"Not valid: it breaks the VC data model ({broken[0].rule}).",
        )
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
    elif unknown:
        verdict = (
            "not-checked",
            "Not fully checked: whether it has been revoked cannot be checked here.",
        )
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
    return Verification(
        verdict[0],
        verdict[1],
        tuple(checks),
        award,
        signer=method.kind if method else "",
        issuer_bound=issuer_bound,
        proof=(
            "verified"
            if signature_ok
            else "failed"
            if failed or unlisted
            else "unchecked"
            if unsupported or unresolved or unprocessable
            else "none"
        ),
    )


def _signature_check(found: proofs.ProofSet) -> Check:
    """The signature check of a credential's proofs, in words."""
    if found.unprocessable:
        return Check("signature", False, f"Not checked: {found.unprocessable}.")
    if not found.checks:
        return Check("signature", False, "It carries no signature (proof).")
    several = len(found.checks) > 1
    says = []
    for number, check in enumerate(found.checks, start=1):
        which = f"Proof {number}: " if several else ""
        if check.broken_chain:
            says.append(f"{which}Not valid: {check.broken_chain}.")
        elif check.unsupported:
            says.append(
                f"{which}Not checked: this proof type ({check.unsupported}) is not "
                "supported."
            )
        elif not check.proof.get("verificationMethod"):
            says.append(f"{which}Its proof names no key (verificationMethod).")
        elif check.method is None:
            says.append(
                f"{which}{check.unlisted or f'Not checked: {check.unresolved}'}"
            )
        elif check.verified:
            says.append(
                f"{which}The signature is genuine and nothing has changed since it "
                "was signed."
                if not several
                else f"{which}genuine, by {check.method.did or 'its key'}."
            )
        else:
            says.append(
                f"{which}The contents do not match the signature: it has been "
                "altered after it was signed, or signed by someone else."
            )
    if several and found.verified:
        says.insert(0, f"All {len(found.checks)} proofs are genuine.")
    return Check("signature", found.verified, " ".join(says))


verify_hosted_link = outside.verify_hosted_link


def verify_award(award: Award, *, just_read: bool = False) -> Verification:
    """Check an award's stored credential as a stranger would. `just_read`:
    the award was read in this request with its signing key
    (award_selectors.public_award), which then is not read again."""
    return verify_credential(
        award.credential, award=award, key_read_with_award=just_read
    )
