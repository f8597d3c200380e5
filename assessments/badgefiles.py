"""Structural checks of an uploaded Open Badges 2.0 or 3.0 credential. Pure.

Assessments only reads what an outside credential states, to support a
recognition decision; it does not import credentials. Checking an OB 3.0 Data
Integrity proof is the credentials app's business: it registers a verifier here
(register_proof_verifier) from its AppConfig.ready(), and recognition records
whether the proof verified, failed, or was not checked, with the reason.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from assessments import badgeformats

OB2_CONTEXTS = {
    "https://w3id.org/openbadges/v2",
    "https://openbadgespec.org/v2/context.json",
}
VC_CONTEXTS = {
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/2018/credentials/v1",
}
OB3_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"

VERIFIED, FAILED, UNCHECKED = "verified", "failed", "unchecked"


@dataclass(frozen=True)
class ProofCheck:
    """What became of a credential's proof, with the reason in words."""

    status: str  # VERIFIED, FAILED or UNCHECKED
    reason: str


# Callables taking the opened file (its credential, and the JWT it came in if
# any) and returning a ProofCheck, or None when the proof is of a kind they do
# not handle; registered by an app above.
ProofVerifier = Callable[[badgeformats.OpenedFile], ProofCheck | None]
_proof_verifiers: list[ProofVerifier] = []


def register_proof_verifier(verifier: ProofVerifier) -> None:
    if verifier not in _proof_verifiers:
        _proof_verifiers.append(verifier)


def unregister_proof_verifier(verifier: ProofVerifier) -> None:
    if verifier in _proof_verifiers:
        _proof_verifiers.remove(verifier)


# The file is not an Open Badges credential Cairn can read; the message says why.
BadgeFileError = badgeformats.UnreadableFile


@dataclass(frozen=True)
class BadgeSummary:
    format: str  # "ob3", "ob2", "ob1" (Open Badges 1.0) or "ob0.5"
    achievement_id: str
    achievement_name: str
    issuer_id: str
    issuer_name: str
    recipient: str
    issued_on: str
    has_proof: bool
    notes: tuple[str, ...] = field(default=())
    valid_until: str = ""  # when the credential says it expires, if it does

    def as_dict(self) -> dict:
        return {
            "format": self.format,
            "achievement_id": self.achievement_id,
            "achievement_name": self.achievement_name,
            "issuer_id": self.issuer_id,
            "issuer_name": self.issuer_name,
            "recipient": self.recipient,
            "issued_on": self.issued_on,
            "has_proof": self.has_proof,
            "notes": list(self.notes),
            "valid_until": self.valid_until,
        }


def _types(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return []


def _contexts(document: dict) -> list[str]:
    """Context IRIs; an inline OB 2.0 context counts as the OB 2.0 context."""
    context = document.get("@context")
    items = context if isinstance(context, list) else [context]
    found = [c for c in items if isinstance(c, str)]
    for item in items:
        if isinstance(item, dict) and item.get("obi") == "https://w3id.org/openbadges#":
            found.append("https://w3id.org/openbadges/v2")
    return found


PNG_SIGNATURE = badgeformats.PNG_SIGNATURE


def format_of(document: dict) -> str:
    """ "ob3", "ob2", "ob1" or "ob0.5" by the credential's own marks, or ""."""
    contexts = _contexts(document)
    if any(c in OB2_CONTEXTS for c in contexts):
        return "ob2"
    if any(c in VC_CONTEXTS for c in contexts):
        return "ob3"
    if "@context" in document:
        return ""
    # Open Badges 1.0 assertions carry a uid and a verify object; 0.5 ones a
    # badge object with its version and an issued_on date (no context for either).
    if isinstance(document.get("verify"), dict) and "uid" in document:
        return "ob1"
    badge = document.get("badge")
    if "recipient" in document and isinstance(badge, dict) and "version" in badge:
        return "ob0.5"
    return ""


def read_badge(data: bytes) -> BadgeSummary:
    """Parse and check a credential's structure (JSON, a JWT, or a baked PNG or
    SVG badge); raise BadgeFileError if unusable."""
    return summarize(badgeformats.open_file(data).document)


def summarize(document: dict) -> BadgeSummary:
    """What an opened credential states, checked for structure."""
    fmt = format_of(document)
    if fmt == "ob2":
        return _read_ob2(document)
    if fmt == "ob3":
        return _read_ob3(document, _contexts(document))
    if fmt == "ob1":
        return _read_ob1(document)
    if fmt == "ob0.5":
        return _read_ob05(document)
    raise BadgeFileError(
        "The file is not an Open Badges credential: its @context names neither "
        "Open Badges 2.0 nor the W3C Verifiable Credentials context."
    )


def _required_str(obj: dict, key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BadgeFileError(f"{where} has no “{key}”.")
    return value


def _read_ob2(document: dict) -> BadgeSummary:
    if "Assertion" not in _types(document.get("type")):
        raise BadgeFileError(
            "An Open Badges 2.0 file must be an Assertion (a badge awarded to "
            "someone); this one is of type "
            f"{document.get('type')!r}."
        )
    notes = []
    recipient = document.get("recipient")
    if not isinstance(recipient, dict):
        raise BadgeFileError("The assertion has no recipient.")
    identity = _required_str(recipient, "identity", "The recipient")
    _required_str(recipient, "type", "The recipient")
    verification = document.get("verification")
    if not isinstance(verification, dict) or not _types(verification.get("type")):
        raise BadgeFileError("The assertion has no verification object.")
    issued_on = _required_str(document, "issuedOn", "The assertion")
    badge = document.get("badge")
    issuer_id = issuer_name = achievement_name = ""
    if isinstance(badge, str):
        achievement_id = badge
        notes.append(
            "The badge class is hosted at its URL and not included in the file: "
            "its name and issuer were not checked."
        )
    elif isinstance(badge, dict):
        if "BadgeClass" not in _types(badge.get("type")):
            raise BadgeFileError("The assertion's badge is not a BadgeClass.")
        achievement_id = _required_str(badge, "id", "The badge class")
        achievement_name = _required_str(badge, "name", "The badge class")
        issuer = badge.get("issuer")
        if isinstance(issuer, str) and issuer:
            issuer_id = issuer
            notes.append("The issuer profile is hosted at its URL, not included.")
        elif isinstance(issuer, dict):
            if not {"Issuer", "Profile"} & set(_types(issuer.get("type"))):
                raise BadgeFileError("The badge class's issuer is not a Profile.")
            issuer_id = _required_str(issuer, "id", "The issuer")
            issuer_name = _required_str(issuer, "name", "The issuer")
        else:
            raise BadgeFileError("The badge class has no issuer.")
    else:
        raise BadgeFileError("The assertion has no badge.")
    if recipient.get("hashed"):
        identity = f"{identity} (hashed)"
    return BadgeSummary(
        format="ob2",
        achievement_id=achievement_id,
        achievement_name=achievement_name,
        issuer_id=issuer_id,
        issuer_name=issuer_name,
        recipient=identity,
        issued_on=issued_on,
        has_proof=verification.get("type") in ("signed", "SignedBadge"),
        notes=tuple(notes),
        valid_until=document.get("expires") or "",
    )


def _read_ob1(document: dict) -> BadgeSummary:
    """An Open Badges 1.0 assertion: badge and issuer are hosted at URLs."""
    recipient = document.get("recipient")
    if isinstance(recipient, dict):
        identity = _required_str(recipient, "identity", "The recipient")
        if recipient.get("hashed"):
            identity = f"{identity} (hashed)"
    elif isinstance(recipient, str) and recipient:
        identity = recipient
    else:
        raise BadgeFileError("The assertion has no recipient.")
    badge = document.get("badge")
    if not isinstance(badge, str) or not badge:
        raise BadgeFileError("The assertion has no badge.")
    verify = document["verify"]
    issued_on = document.get("issuedOn")
    if isinstance(issued_on, int):
        issued_on = str(issued_on)
    if not isinstance(issued_on, str) or not issued_on:
        raise BadgeFileError("The assertion has no “issuedOn”.")
    return BadgeSummary(
        format="ob1",
        achievement_id=badge,
        achievement_name="",
        issuer_id="",
        issuer_name="",
        recipient=identity,
        issued_on=issued_on,
        has_proof=verify.get("type") == "signed",
        notes=(
            "An Open Badges 1.0 badge class is hosted at its URL and not included "
            "in the file: its name and issuer were not checked.",
        ),
        valid_until=str(document.get("expires") or ""),
    )


def _read_ob05(document: dict) -> BadgeSummary:
    """An Open Badges 0.5 assertion: everything in one object, never signed."""
    recipient = document.get("recipient")
    if not isinstance(recipient, str) or not recipient:
        raise BadgeFileError("The assertion has no recipient.")
    badge = document["badge"]
    name = _required_str(badge, "name", "The badge")
    issuer = badge.get("issuer")
    if not isinstance(issuer, dict):
        raise BadgeFileError("The badge has no issuer.")
    origin = _required_str(issuer, "origin", "The issuer")
    issued_on = document.get("issued_on") or ""
    if not isinstance(issued_on, str) or not issued_on:
        raise BadgeFileError("The assertion has no “issued_on”.")
    if document.get("salt") and recipient.startswith(("sha256$", "md5$")):
        recipient = f"{recipient} (hashed)"
    return BadgeSummary(
        format="ob0.5",
        achievement_id=str(badge.get("criteria") or ""),
        achievement_name=name,
        issuer_id=origin,
        issuer_name=str(issuer.get("name") or ""),
        recipient=recipient,
        issued_on=issued_on,
        has_proof=False,
        valid_until=str(document.get("expires") or ""),
    )


def ob2_recipient_matches(document_bytes: bytes, email: str) -> bool | None:
    """Whether an Open Badges 2.0, 1.0 or 0.5 email recipient is this address
    (hashed or plain)."""
    try:
        document = badgeformats.open_file(document_bytes).document
    except BadgeFileError:
        return None
    recipient = document.get("recipient", {})
    if isinstance(recipient, str):  # 0.5: the address or its hash, salt beside it
        recipient = {
            "type": "email",
            "identity": recipient,
            "hashed": recipient.startswith(("sha256$", "md5$")),
            "salt": document.get("salt", ""),
        }
    if not email or not isinstance(recipient, dict):
        return None
    if recipient.get("type") != "email":
        return None
    identity = recipient.get("identity", "")
    if not recipient.get("hashed"):
        return identity.strip().lower() == email.strip().lower()
    algorithm, _, digest = identity.partition("$")
    if algorithm not in ("sha256", "md5"):
        return None
    salted = (email + recipient.get("salt", "")).encode()
    return hashlib.new(algorithm, salted).hexdigest() == digest.lower()


def _read_ob3(document: dict, contexts: list[str]) -> BadgeSummary:
    if not any(c.startswith(OB3_CONTEXT_PREFIX) for c in contexts):
        raise BadgeFileError(
            "The credential does not use the Open Badges 3.0 context "
            f"({OB3_CONTEXT_PREFIX}…)."
        )
    types = _types(document.get("type"))
    if "VerifiableCredential" not in types:
        raise BadgeFileError("The credential's type lacks VerifiableCredential.")
    if not {"OpenBadgeCredential", "AchievementCredential"} & set(types):
        raise BadgeFileError(
            "Only achievement credentials (OpenBadgeCredential) can show prior "
            f"learning; this one is {', '.join(types)}."
        )
    issuer = document.get("issuer")
    if isinstance(issuer, str) and issuer:
        issuer_id, issuer_name = issuer, ""
    elif isinstance(issuer, dict):
        issuer_id = _required_str(issuer, "id", "The issuer")
        issuer_name = issuer.get("name", "") if isinstance(issuer, dict) else ""
    else:
        raise BadgeFileError("The credential has no issuer.")
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict):
        raise BadgeFileError("The credential has no credentialSubject.")
    achievement = subject.get("achievement")
    if not isinstance(achievement, dict):
        raise BadgeFileError("The credential subject has no achievement.")
    if "Achievement" not in _types(achievement.get("type")):
        raise BadgeFileError("The subject's achievement is not of type Achievement.")
    achievement_id = _required_str(achievement, "id", "The achievement")
    achievement_name = _required_str(achievement, "name", "The achievement")
    recipient = subject.get("id", "")
    if not recipient:
        identifiers = subject.get("identifier") or []
        if isinstance(identifiers, list) and identifiers:
            first = identifiers[0] if isinstance(identifiers[0], dict) else {}
            recipient = first.get("identityHash", "")
    if not isinstance(recipient, str) or not recipient:
        raise BadgeFileError("The credential does not say whom it was issued to.")
    issued_on = document.get("validFrom") or document.get("issuanceDate") or ""
    if not issued_on:
        raise BadgeFileError("The credential has no validFrom date.")
    proof = document.get("proof")
    return BadgeSummary(
        format="ob3",
        valid_until=str(
            document.get("validUntil") or document.get("expirationDate") or ""
        ),
        achievement_id=achievement_id,
        achievement_name=achievement_name,
        issuer_id=issuer_id,
        issuer_name=issuer_name,
        recipient=recipient,
        issued_on=issued_on,
        has_proof=bool(proof),
    )


def check_proof(document_bytes: bytes) -> ProofCheck:
    """The proof check of the credential in a file (see check_opened)."""
    return check_opened(badgeformats.open_file(document_bytes))


def check_opened(opened: badgeformats.OpenedFile) -> ProofCheck:
    """Ask the registered verifiers about the credential's proof: one that fails
    it decides; else one that verifies it; else it is not checked, and why."""
    if not _proof_verifiers:
        return ProofCheck(UNCHECKED, "No proof verifier is installed.")
    checks = [c for c in (v(opened) for v in _proof_verifiers) if c is not None]
    for status in (FAILED, VERIFIED):
        if found := [c for c in checks if c.status == status]:
            return found[0]
    if checks:
        return ProofCheck(UNCHECKED, " ".join(c.reason for c in checks))
    return ProofCheck(UNCHECKED, "No installed verifier handles this kind of proof.")
