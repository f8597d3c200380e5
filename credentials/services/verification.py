"""Checking a credential as a stranger would, and saying what was found."""

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from assessments import badgefiles, badgeformats
from credentials import dataintegrity, legacy_suites, pinned, schemas, statuslist
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
    # "unknown-issuer", "not-checked" or "invalid"
    status: str
    headline: str
    checks: tuple[Check, ...]
    award: Award | None = None
    # Whose key signed it, as far as this site can tell: "own" (an issuer here),
    # "did:key", "pinned" (a document in CAIRN_ISSUER_DOCUMENTS), "jwk" (the key
    # a JWT carries in its own header) or "" (none found or none checkable).
    signer: str = ""
    # Whether the key that signed it belongs to the issuer it names.
    issuer_bound: bool = False
    # What became of the proof alone: "verified", "failed" (altered, or a key its
    # issuer does not list), "unchecked" (unsupported, or the key cannot be
    # looked up here) or "none" (no proof).
    proof: str = "none"

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"


@dataclass(frozen=True)
class _Method:
    did: str
    public_multibase: str
    key: SigningKey | None
    kind: str = ""  # "own", "did:key", "pinned" or "jwk"
    jwk: dict[str, Any] | None = None


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
        return _Method(did, public_multibase, key, "own" if key else "did:key")
    if not did.startswith("did:web:") or not fragment:
        return _pinned(verification_method)
    fragment = fragment.removeprefix(keys.ED25519_2020_FRAGMENT)
    key = (
        SigningKey.objects.select_related("organization")
        .filter(public_multibase=fragment)
        .first()
    )
    if key is None or did not in (
        keys.site_did(),
        keys.organization_did(key.organization),
    ):
        return _pinned(verification_method)
    return _Method(did, fragment, key, "own")


def _pinned(verification_method: str) -> _Method | None:
    controller = verification_method.partition("#")[0]
    document = pinned.documents().get(controller)
    found = pinned.assertion_key(document, verification_method) if document else None
    if found is None:
        return None
    return _Method(controller, found.public_multibase, None, "pinned", found.jwk)


def _unlisted(verification_method: str) -> str:
    """Why a pinned issuer's key fails: its document does not list it; or ""."""
    controller = verification_method.partition("#")[0]
    if controller in pinned.documents():
        return (
            f"The issuer's document ({controller}) does not list the key that "
            f"signed it ({verification_method}) for issuing credentials."
        )
    return ""


def _unresolved(verification_method: str) -> str:
    """Why a key cannot be looked up here."""
    controller = verification_method.partition("#")[0]
    return _unlisted(verification_method) or pinned.where_published(controller)


def _suite(proof: dict[str, Any]) -> str | None:
    """The proof suite, if Cairn can check it."""
    if proof.get("type") == legacy_suites.ED25519_2018:
        return legacy_suites.ED25519_2018
    return dataintegrity.proof_suite(proof)


def _suite_name(proof: dict[str, Any]) -> str:
    kind, suite = proof.get("type"), proof.get("cryptosuite")
    return f"{kind} ({suite})" if suite else f"{kind}"


def _signature_verifies(document: dict[str, Any], method: _Method) -> bool:
    if not method.public_multibase:
        return False  # a pinned JWK signs JWTs only
    try:
        proof = _proof(document)
        if proof and proof.get("type") == legacy_suites.ED25519_2018:
            return legacy_suites.verify_ed25519_2018(
                document, proof, public_multibase=method.public_multibase
            )
        return dataintegrity.verify_credential(
            document, public_multibase=method.public_multibase
        )
    except ValueError:
        return False


def _jwt_kid(token: str) -> str:
    return legacy_suites.jwt_key(legacy_suites.jwt_parts(token)[0])[1]


def _jwt_signer(token: str, issuer: str | None) -> tuple[_Method | None, str]:
    """The key behind a VC-JWT: its `kid` looked up like a verification method,
    else the JWK its header carries (bound to the issuer when the issuer's pinned
    document lists that very key); (None, why) if neither."""
    header, _ = legacy_suites.jwt_parts(token)
    jwk, kid = legacy_suites.jwt_key(header)
    if kid:
        method = _resolve(kid)
        if method is not None:
            if method.jwk is None and method.public_multibase:
                method = _Method(
                    method.did,
                    method.public_multibase,
                    method.key,
                    method.kind,
                    legacy_suites.multikey_jwk(method.public_multibase),
                )
            return method, ""
        if jwk is None:
            return None, _unresolved(kid)
    if jwk is not None:
        document = pinned.documents().get(issuer or "")
        if document is not None and pinned.lists_jwk(document, jwk):
            return _Method(document["id"], "", None, "pinned", jwk), ""
        return _Method("", "", None, "jwk", jwk), ""
    return None, "Its JWT names no key (neither kid nor jwk)."


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


def _who(credential: dict[str, Any], method: _Method | None) -> str:
    if method and method.key:
        return method.key.organization.name
    issuer = credential.get("issuer")
    name = issuer.get("name") if isinstance(issuer, dict) else None
    if method and method.kind == "pinned" and isinstance(name, str) and name:
        return name
    return "The issuer"


def _other_status_entries(credential: dict[str, Any]) -> list[dict[str, Any]]:
    """Status entries other than Bitstring Status List ones."""
    status = credential.get("credentialStatus")
    items = status if isinstance(status, list) else [status]
    return [
        item
        for item in items
        if isinstance(item, dict) and item.get("type") != "BitstringStatusListEntry"
    ]


def _other_status(
    entry: dict[str, Any], credential: dict[str, Any]
) -> tuple[bool | None, str]:
    """(revoked, in words) for a 1EdTech revocation list entry, read from the list
    if an administrator pinned it (CAIRN_ISSUER_DOCUMENTS); None if not known."""
    url, kind = entry.get("id"), entry.get("type")
    if kind != "1EdTechRevocationList":
        return None, f"Its status entry of type {kind!r} cannot be checked here."
    listed = pinned.documents().get(url) if isinstance(url, str) else None
    if listed is None:
        return None, (
            f"It names a 1EdTech revocation list at {url}, which Cairn does not "
            "fetch: whether it has been revoked is not known."
        )
    revoked = listed.get("revokedCredentials") or listed.get("revokedAssertions") or []
    for item in revoked if isinstance(revoked, list) else []:
        item_id = item.get("id") if isinstance(item, dict) else item
        if item_id == credential.get("id"):
            reason = item.get("revocationReason") if isinstance(item, dict) else ""
            return True, (
                f"The issuer's revocation list ({url}) names it as revoked"
                + (f": {reason}" if reason else ".")
            )
    return False, (
        f"The issuer's revocation list ({url}), as pinned here, does not name it "
        "as revoked."
    )


def verify_credential(
    credential: Any, *, jwt: str = "", now: datetime | None = None
) -> Verification:
    """Check signature, issuer, status, validity dates and schema of any
    credential (Cairn's or not, Open Badges 0.5 to 3.0, `jwt` the VC-JWT it came
    in if it did), each in plain words."""
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
        return _verify_hosted_badge(credential, now)
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
    award = _award_for(credential)
    issuer = _issuer_id(credential)
    proof = None if jwt else _proof(credential)
    method = None
    unsupported = unresolved = unlisted = ""

    # Signature.
    if jwt:
        method, unresolved = _jwt_signer(jwt, issuer)
        signature_ok = bool(
            method and method.jwk and legacy_suites.verify_jwt(jwt, jwk=method.jwk)
        )
        if method is None:
            unlisted = _unlisted(_jwt_kid(jwt))
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
    elif proof is None:
        signature_ok = False
        found = dataintegrity.first_proof(credential)
        checks.append(
            Check(
                "signature",
                False,
                "Its proof names no key (verificationMethod)."
                if found
                else "It carries no signature (proof).",
            )
        )
    elif _suite(proof) is None:
        signature_ok = False
        unsupported = _suite_name(proof)
        checks.append(
            Check(
                "signature",
                False,
                f"Not checked: this proof type ({unsupported}) is not supported.",
            )
        )
    else:
        method = _resolve(proof["verificationMethod"])
        if method is None:
            signature_ok = False
            unlisted = _unlisted(proof["verificationMethod"])
            unresolved = _unresolved(proof["verificationMethod"])
            checks.append(
                Check("signature", False, unlisted or f"Not checked: {unresolved}")
            )
        else:
            signature_ok = _signature_verifies(credential, method)
            checks.append(
                Check(
                    "signature",
                    signature_ok,
                    "The signature is genuine and nothing has changed since it was "
                    "signed."
                    if signature_ok
                    else "The contents do not match the signature: it has been "
                    "altered after it was signed, or signed by someone else.",
                )
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
        is_set, problem = _status_bit(entry, issuer)
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
    for entry in _other_status_entries(credential):
        is_set, says = _other_status(entry, credential)
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
        # The spec's compacted form allows one proof object where 1EdTech's schema
        # wants an array (PITFALLS.md): an outside credential is not wrong for it.
        errors = schemas.achievement_credential_errors(
            {**credential, "proof": dataintegrity.proofs(credential)}
            if isinstance(credential.get("proof"), dict)
            else credential
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

    if not signature_ok:
        verdict = ("tampered", "Not genuine: this credential has been altered.")
        if unsupported:
            verdict = ("not-checked", "Not checked: this proof type is not supported.")
        elif unlisted:
            verdict = (
                "unknown-issuer",
                "Not confirmed: its issuer does not list the key that signed it.",
            )
        elif method is None and (proof is not None or jwt):
            verdict = (
                "not-checked",
                "Not checked: the key that signed it cannot be looked up here.",
            )
        elif method is None:
            verdict = ("not-checked", "Not checked: it carries no signature.")
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
            if unlisted or (method is not None and not unsupported)
            else "unchecked"
            if unsupported or unresolved
            else "none"
        ),
    )


_VERSIONS = {
    "ob2": "Open Badges 2.0",
    "ob1": "Open Badges 1.0",
    "ob0.5": "Open Badges 0.5",
}


def _verify_hosted_badge(document: dict[str, Any], now: datetime) -> Verification:
    """An Open Badges 2.0, 1.0 or 0.5 assertion. Each is genuine only as its
    issuer's site says (a hosted assertion at its URL, or a signature whose key is
    published there), and Cairn fetches nothing: so the signature and issuer are
    "not checked", with where they would be checked; dates and shape are."""
    fmt = badgefiles.format_of(document)
    version = _VERSIONS[fmt]
    verification = document.get("verification") or document.get("verify") or {}
    kind = verification.get("type") if isinstance(verification, dict) else None
    if fmt == "ob0.5":
        issuer = document.get("badge", {}).get("issuer") or {}
        place = issuer.get("origin") if isinstance(issuer, dict) else None
        says = (
            f"Not checked: an {version} assertion carries no signature; it is "
            f"genuine only if its issuer's site ({place or 'not named'}) still "
            "serves it, which Cairn does not fetch."
        )
    elif kind in ("signed", "SignedBadge"):
        creator = verification.get("creator") or verification.get("url")
        says = (
            f"Not checked: it is a signed {version} assertion whose key is "
            f"published at {creator or 'an address it does not name'}, which Cairn "
            "does not fetch."
        )
    else:
        url = document.get("id") or (
            verification.get("url") if isinstance(verification, dict) else None
        )
        says = (
            f"Not checked: a hosted {version} assertion is genuine only if its "
            f"issuer's site still serves it at {url or 'its URL'}, which Cairn does "
            "not fetch."
        )
    checks = [Check("signature", False, says)]
    try:
        summary = badgefiles.summarize(document)
        shape_error = ""
    except badgefiles.BadgeFileError as error:
        summary, shape_error = None, str(error)
    who = (summary.issuer_name or summary.issuer_id) if summary else ""
    checks.append(
        Check(
            "issuer",
            False,
            f"The issuer {who or '(not in the file)'} cannot be confirmed without "
            "its hosted profile.",
        )
    )
    checks.append(
        Check(
            "status",
            False,
            "Whether it has been revoked is known only to the issuer's site.",
        )
    )
    issued = _badge_date(summary.issued_on if summary else "")
    expires = _badge_date(summary.valid_until if summary else "")
    expired = bool(expires and expires <= now)
    if expired:
        dates = f"It expired on {_on(expires)}."
    elif issued and expires:
        dates = f"It was issued on {_on(issued)} and is valid until {_on(expires)}."
    elif issued:
        dates = f"It was issued on {_on(issued)} and does not expire."
    else:
        dates = "It has no readable issue date."
    checks.append(Check("dates", bool(issued) and not expired, dates))
    checks.append(
        Check(
            "schema",
            not shape_error,
            f"It has the shape of an {version} assertion."
            if not shape_error
            else f"It is not a complete {version} assertion: {shape_error}",
        )
    )
    if shape_error:
        verdict = ("invalid", f"Not valid: it is not a complete {version} assertion.")
    elif expired:
        verdict = ("expired", "Expired: this credential is past its end date.")
    else:
        verdict = (
            "not-checked",
            f"Not checked: an {version} assertion is confirmed only by its issuer's "
            "site, which Cairn does not fetch.",
        )
    return Verification(verdict[0], verdict[1], tuple(checks))


def _badge_date(value: str) -> datetime | None:
    """An Open Badges date: ISO 8601 with a zone, a plain date (0.5), or Unix
    seconds (1.0), as an aware datetime."""
    if not value:
        return None
    if value.isdigit():
        return datetime.fromtimestamp(int(value), tz=UTC)
    parsed = dataintegrity.parse_datetime(value)
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(value[:10]).replace(tzinfo=UTC)
        except ValueError:
            return None
    return parsed


def verify_award(award: Award) -> Verification:
    """Check an award's stored credential as a stranger would."""
    return verify_credential(award.credential)


def signer_of(credential: dict[str, Any]) -> _Method | None:
    """The DID and key behind a credential's proof, for the DIDs this site can
    resolve offline (any did:key, its own did:web); None for any other."""
    proof = _proof(credential)
    return _resolve(proof["verificationMethod"]) if proof else None
