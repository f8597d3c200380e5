"""Composition of unsigned Open Badges 3.0 credentials (VC Data Model 2.0).

Pure: plain frozen dataclasses in, a JSON-ready dict out, no ORM, so that a request,
a worker and a bulk re-issue compose the same document. Spec:
https://www.imsglobal.org/spec/ob/v3p0/ (AchievementCredential, section B.1).
"""

import copy
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# Defines 1EdTechJsonSchemaValidator2019; without it the credentialSchema type is
# an undefined term and jsonld.js verifiers refuse the credential.
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CREDENTIAL_CONTEXT = (VC_V2_CONTEXT, OB_V3_CONTEXT, OB_EXTENSIONS_CONTEXT)
# VC Data Model 1.1 with Ed25519Signature2020, for wallets that verify only that
# suite: the suite's context and the status list context are in the document,
# as VC 1.1 has neither built in.
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
STATUS_V1_CONTEXT = "https://www.w3.org/ns/credentials/status/v1"
ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
CREDENTIAL_CONTEXT_V1 = (
    VC_V1_CONTEXT,
    OB_V3_CONTEXT,
    OB_EXTENSIONS_CONTEXT,
    STATUS_V1_CONTEXT,
    ED25519_2020_CONTEXT,
)

ACHIEVEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
    "ob_v3p0_achievementcredential_schema.json"
)
SCHEMA_VALIDATOR_TYPE = "1EdTechJsonSchemaValidator2019"
# IdentifierTypeEnum has no digest type; OB 3.0 reserves "ext:" for extensions.
CONTENT_DIGEST_IDENTIFIER_TYPE = "ext:ContentDigest"

# OB 3.0 AchievementType and AlignmentTargetType vocabularies (spec B.3); anything
# else must use the "ext:" prefix the spec reserves for extensions.
ACHIEVEMENT_TYPES = frozenset(
    {
        "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment",
        "AssociateDegree", "Award", "Badge", "BachelorDegree", "Certificate",
        "CertificateOfCompletion", "Certification", "CommunityService", "Competency",
        "Course", "CoCurricular", "Degree", "Diploma", "DoctoralDegree", "Fieldwork",
        "GeneralEducationDevelopment", "JourneymanCertificate", "LearningProgram",
        "License", "Membership", "ProfessionalDoctorate", "QualityAssuranceCredential",
        "MasterCertificate", "MasterDegree", "MicroCredential", "ResearchDoctorate",
        "SecondarySchoolDiploma",
    }
)  # fmt: skip
ALIGNMENT_TARGET_TYPES = frozenset(
    {
        "ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric",
        "CFRubricCriterion", "CFRubricCriterionLevel", "CTDL",
    }
)  # fmt: skip
_EXTENSION_VALUE = re.compile(r"^ext:[A-Za-z0-9._-]+$")

# C0 controls except TAB, LF and CR, plus DEL. pyld writes these raw into N-Quads
# where RDFC-1.0 and jsonld.js escape them, so a credential carrying one can fail
# in other verifiers (PITFALLS.md). They have no meaning in badge text, so they are
# stripped rather than refused: a stray one pasted into an achievement description
# must not block issuing. TAB, LF and CR are kept because multi-line narratives are
# normal and both canonicalizers escape them identically.
_STRIPPED_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# An absolute IRI with no character that is illegal in an N-Quads IRIREF.
_ABSOLUTE_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>"{}|^`\\\x7f]*$')


def is_absolute_iri(value: str) -> bool:
    """Whether a credential may carry the value as an id (an evidence URL)."""
    return bool(_ABSOLUTE_IRI.match(value))


class CredentialDataError(ValueError):
    """The data given cannot make a valid Open Badges 3.0 credential."""


@dataclass(frozen=True)
class Alignment:
    target_name: str
    target_url: str
    target_description: str = ""
    target_framework: str = ""
    target_code: str = ""
    target_type: str = ""  # e.g. "ceasn:Competency", "CFItem"


@dataclass(frozen=True)
class RubricLevel:
    id: str
    name: str
    points: int
    description: str = ""


@dataclass(frozen=True)
class RubricCriterion:
    id: str
    name: str
    levels: tuple[RubricLevel, ...]


@dataclass(frozen=True)
class AchievementInfo:
    id: str  # URL of the exact published version page
    name: str
    description: str
    criteria_narrative: str
    achievement_type: str  # OB3 AchievementType, e.g. "MicroCredential"
    version: str  # e.g. "1"
    alignments: tuple[Alignment, ...] = ()
    # -> achievement.resultDescription, one RubricCriterionLevel result each
    criteria: tuple[RubricCriterion, ...] = ()
    credits_available: Decimal | None = None
    image_url: str = ""  # the badge picture -> achievement.image (an OB Image)
    image_caption: str = ""  # what the picture shows, in words
    human_code: str = ""  # e.g. the module code "A-101"
    # A digest of the exact version's content (e.g. "sha256:..."), so that a
    # verifier can tell what was certified; carried as an otherIdentifier.
    content_digest: str = ""


@dataclass(frozen=True)
class IssuerInfo:
    id: str  # a DID
    name: str
    url: str
    email: str = ""
    image_url: str = ""
    description: str = ""


@dataclass(frozen=True)
class RecipientInfo:
    """Identified by a salted SHA-256 hash of the e-mail address (IdentityObject)."""

    email: str
    salt: str
    name: str = ""


@dataclass(frozen=True)
class AchievedLevel:
    criterion_id: str  # RubricCriterion.id
    level_id: str  # RubricLevel.id -> credentialSubject.result[].achievedLevel


@dataclass(frozen=True)
class EvidenceInfo:
    id: str  # URL of the evidence, or "" for a narrative only
    name: str
    narrative: str = ""
    genre: str = ""  # what kind of evidence: "Grade in a learning platform"


@dataclass(frozen=True)
class CredentialInfo:
    id: str  # "urn:uuid:..."
    issuer: IssuerInfo
    achievement: AchievementInfo
    recipient: RecipientInfo
    valid_from: datetime  # aware
    valid_until: datetime | None = None
    results: tuple[AchievedLevel, ...] = ()
    evidence: tuple[EvidenceInfo, ...] = ()
    # The subject's narrative (AchievementSubject.narrative): what connects the
    # evidence, as a direct award's issuer wrote it.
    narrative: str = ""
    # Passed through as-is: one entry or a list of BitstringStatusListEntry; its
    # terms must be defined by the credential's contexts.
    credential_status: dict[str, Any] | list[dict[str, Any]] | None = None


def _text(value: str) -> str:
    return _STRIPPED_CONTROLS.sub("", value)


def _iri(value: str, field: str) -> str:
    if not _ABSOLUTE_IRI.match(value):
        raise CredentialDataError(f"{field} must be an absolute IRI, got {value!r}")
    return value


def _local_iri(value: str, achievement_id: str) -> str:
    """An absolute IRI as is; anything else as a fragment of the achievement page.

    Rubric ids are IRIs in the OB context (@id), so a bare database key would be a
    relative IRI that verifiers reject; as a fragment it stays unique per version.
    """
    if _ABSOLUTE_IRI.match(value):
        return value
    if not value:
        raise CredentialDataError("rubric criterion and level ids must not be empty")
    return f"{achievement_id.split('#', 1)[0]}#{quote(value, safe='')}"


def _timestamp(value: datetime, field: str) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise CredentialDataError(f"{field} must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _vocabulary_value(value: str, allowed: frozenset[str], field: str) -> str:
    if value not in allowed and not _EXTENSION_VALUE.match(value):
        raise CredentialDataError(
            f"{field} {value!r} is neither an OB 3.0 value nor an 'ext:' extension"
        )
    return value


def _number(value: Decimal) -> int | float:
    if not value.is_finite() or value < 0:
        raise CredentialDataError(
            f"credits must be a finite, non-negative number: {value}"
        )
    # An integral value goes out as a JSON integer: 5.0 would be read as the double
    # "5.0E0" by pyld but as the integer 5 by JavaScript, giving different
    # canonical forms and a signature JavaScript verifiers reject.
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def identity_hash(email: str, salt: str) -> str:
    """OB IdentityHash of an e-mail address: "sha256$" + hex(sha256(email + salt)).

    Addresses are compared case-insensitively in practice, so the address is
    trimmed and lower-cased first; a verifier must do the same.
    """
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8"))
    return "sha256$" + digest.hexdigest()


def _alignment(alignment: Alignment) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": ["Alignment"],
        "targetName": _text(alignment.target_name),
        "targetUrl": _iri(alignment.target_url, "alignment target_url"),
    }
    if alignment.target_description:
        data["targetDescription"] = _text(alignment.target_description)
    if alignment.target_framework:
        data["targetFramework"] = _text(alignment.target_framework)
    if alignment.target_code:
        data["targetCode"] = _text(alignment.target_code)
    if alignment.target_type:
        data["targetType"] = _vocabulary_value(
            alignment.target_type, ALIGNMENT_TARGET_TYPES, "alignment target_type"
        )
    return data


def _result_description(
    criterion: RubricCriterion, achievement_id: str
) -> dict[str, Any]:
    levels = []
    for level in criterion.levels:
        level_data: dict[str, Any] = {
            "id": _local_iri(level.id, achievement_id),
            "type": ["RubricCriterionLevel"],
            "name": _text(level.name),
        }
        if level.description:
            level_data["description"] = _text(level.description)
        # The OB 3.0 schema types points as a string.
        level_data["points"] = str(level.points)
        levels.append(level_data)
    return {
        "id": _local_iri(criterion.id, achievement_id),
        "type": ["ResultDescription"],
        "name": _text(criterion.name),
        "resultType": "RubricCriterionLevel",
        "rubricCriterionLevel": levels,
    }


def _achievement(achievement: AchievementInfo) -> dict[str, Any]:
    achievement_id = _iri(achievement.id, "achievement id")
    data: dict[str, Any] = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": _vocabulary_value(
            achievement.achievement_type, ACHIEVEMENT_TYPES, "achievement_type"
        ),
        "name": _text(achievement.name),
        "description": _text(achievement.description),
        "criteria": {"narrative": _text(achievement.criteria_narrative)},
        "version": _text(achievement.version),
    }
    if achievement.human_code:
        data["humanCode"] = _text(achievement.human_code)
    if achievement.content_digest:
        data["otherIdentifier"] = [
            {
                "type": "IdentifierEntry",
                "identifier": _text(achievement.content_digest),
                "identifierType": CONTENT_DIGEST_IDENTIFIER_TYPE,
            }
        ]
    if achievement.image_url:
        data["image"] = {
            "id": _iri(achievement.image_url, "achievement image_url"),
            "type": "Image",
        }
        if achievement.image_caption:
            data["image"]["caption"] = _text(achievement.image_caption)
    if achievement.credits_available is not None:
        data["creditsAvailable"] = _number(achievement.credits_available)
    if achievement.alignments:
        data["alignment"] = [_alignment(a) for a in achievement.alignments]
    if achievement.criteria:
        data["resultDescription"] = [
            _result_description(c, achievement_id) for c in achievement.criteria
        ]
    return data


def _results(info: CredentialInfo) -> list[dict[str, Any]]:
    achievement_id = info.achievement.id
    known = {
        criterion.id: {level.id for level in criterion.levels}
        for criterion in info.achievement.criteria
    }
    results = []
    for achieved in info.results:
        if achieved.level_id not in known.get(achieved.criterion_id, ()):
            raise CredentialDataError(
                f"result refers to level {achieved.level_id!r} of criterion "
                f"{achieved.criterion_id!r}, which the achievement does not define"
            )
        results.append(
            {
                "type": ["Result"],
                "resultDescription": _local_iri(achieved.criterion_id, achievement_id),
                "achievedLevel": _local_iri(achieved.level_id, achievement_id),
            }
        )
    return results


def _identifiers(recipient: RecipientInfo) -> list[dict[str, Any]]:
    salt = _text(recipient.salt)
    identifiers: list[dict[str, Any]] = [
        {
            "type": "IdentityObject",
            "identityHash": identity_hash(recipient.email, salt),
            "identityType": "emailAddress",
            "hashed": True,
            "salt": salt,
        }
    ]
    # AchievementSubject has no name property; OB 3.0 carries a display name as an
    # unhashed identifier of type "name".
    if recipient.name:
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityHash": _text(recipient.name),
                "identityType": "name",
                "hashed": False,
            }
        )
    return identifiers


def _evidence(evidence: EvidenceInfo) -> dict[str, Any]:
    data: dict[str, Any] = {}
    # OB 3.0 evidence may have no URL of its own (a narrative only).
    if evidence.id:
        data["id"] = _iri(evidence.id, "evidence id")
    data["type"] = ["Evidence"]
    data["name"] = _text(evidence.name)
    if evidence.narrative:
        data["narrative"] = _text(evidence.narrative)
    if evidence.genre:
        data["genre"] = _text(evidence.genre)
    return data


def _issuer(issuer: IssuerInfo) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": _iri(issuer.id, "issuer id"),
        "type": ["Profile"],
        "name": _text(issuer.name),
        "url": _iri(issuer.url, "issuer url"),
    }
    if issuer.email:
        data["email"] = _text(issuer.email)
    if issuer.description:
        data["description"] = _text(issuer.description)
    if issuer.image_url:
        data["image"] = {"id": _iri(issuer.image_url, "issuer image"), "type": "Image"}
    return data


def compose_credential(
    info: CredentialInfo, *, data_model: str = "2.0"
) -> dict[str, Any]:
    """Unsigned OpenBadgeCredential for one recipient and one achievement version,
    on VC Data Model 2.0 (the default) or 1.1 (issuanceDate, expirationDate)."""
    if data_model not in ("2.0", "1.1"):
        raise CredentialDataError(f"unknown VC data model {data_model!r}")
    v1 = data_model == "1.1"
    credential: dict[str, Any] = {
        "@context": list(CREDENTIAL_CONTEXT_V1 if v1 else CREDENTIAL_CONTEXT),
        "id": _iri(info.id, "credential id"),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": _text(info.achievement.name),
        "issuer": _issuer(info.issuer),
        "issuanceDate" if v1 else "validFrom": _timestamp(
            info.valid_from, "valid_from"
        ),
    }
    if info.valid_until is not None:
        if info.valid_until <= info.valid_from:
            raise CredentialDataError("valid_until must be later than valid_from")
        credential["expirationDate" if v1 else "validUntil"] = _timestamp(
            info.valid_until, "valid_until"
        )
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": _identifiers(info.recipient),
        "achievement": _achievement(info.achievement),
    }
    if info.results:
        subject["result"] = _results(info)
    if info.narrative:
        subject["narrative"] = _text(info.narrative)
    credential["credentialSubject"] = subject
    if info.evidence:
        credential["evidence"] = [_evidence(evidence) for evidence in info.evidence]
    if info.credential_status is not None:
        credential["credentialStatus"] = copy.deepcopy(info.credential_status)
    # An array: 1EdTech's JSON schema refuses a single object here.
    credential["credentialSchema"] = [
        {"id": ACHIEVEMENT_CREDENTIAL_SCHEMA, "type": SCHEMA_VALIDATOR_TYPE}
    ]
    return credential


ENDORSEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
    "ob_v3p0_endorsementcredential_schema.json"
)


@dataclass(frozen=True)
class EndorsementInfo:
    id: str  # "urn:uuid:..."
    issuer: IssuerInfo
    name: str
    subject_id: str  # what is endorsed: the achievement (version page) URL
    comment: str
    valid_from: datetime


def compose_endorsement(info: EndorsementInfo) -> dict[str, Any]:
    """Unsigned EndorsementCredential (OB 3.0 section B.1.4) of one achievement."""
    return {
        "@context": list(CREDENTIAL_CONTEXT),
        "id": _iri(info.id, "credential id"),
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": _text(info.name),
        "issuer": _issuer(info.issuer),
        "validFrom": _timestamp(info.valid_from, "valid_from"),
        "credentialSubject": {
            "id": _iri(info.subject_id, "endorsed subject id"),
            "type": ["EndorsementSubject"],
            "endorsementComment": _text(info.comment),
        },
        "credentialSchema": [
            {"id": ENDORSEMENT_CREDENTIAL_SCHEMA, "type": SCHEMA_VALIDATOR_TYPE}
        ],
    }


def restate(
    credential: dict[str, Any],
    *,
    credential_id: str,
    issuer_id: str,
    data_model: str = "2.0",
    credential_status: dict[str, Any] | list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Unsigned copy of a signed OpenBadgeCredential on `data_model`, for
    `issuer_id` (the DID that will sign it) and with `credential_status`.

    The achievement, subject, results, evidence, issuer profile and validity
    dates stay as they were signed; only the data model's own terms change
    (validFrom/validUntil on 2.0, issuanceDate/expirationDate on 1.1).
    """
    if data_model not in ("2.0", "1.1"):
        raise CredentialDataError(f"unknown VC data model {data_model!r}")
    v1 = data_model == "1.1"
    unsigned = copy.deepcopy(
        {name: value for name, value in credential.items() if name != "proof"}
    )
    valid_from = unsigned.pop("validFrom", None) or unsigned.pop("issuanceDate", None)
    unsigned.pop("issuanceDate", None)
    valid_until = unsigned.pop("validUntil", None) or unsigned.pop(
        "expirationDate", None
    )
    unsigned.pop("expirationDate", None)
    if not isinstance(valid_from, str):
        raise CredentialDataError("the credential has no date it is valid from")
    issuer = unsigned.get("issuer")
    if isinstance(issuer, dict):
        issuer = {**issuer, "id": _iri(issuer_id, "issuer id")}
    else:
        issuer = _iri(issuer_id, "issuer id")
    subject = unsigned.get("credentialSubject")
    if not isinstance(subject, dict) or "achievement" not in subject:
        raise CredentialDataError("the credential has no achievement subject")
    restated: dict[str, Any] = {
        **unsigned,
        "@context": list(CREDENTIAL_CONTEXT_V1 if v1 else CREDENTIAL_CONTEXT),
        "id": _iri(credential_id, "credential id"),
        "issuer": issuer,
        "issuanceDate" if v1 else "validFrom": valid_from,
    }
    if isinstance(valid_until, str):
        restated["expirationDate" if v1 else "validUntil"] = valid_until
    restated.pop("credentialStatus", None)
    if credential_status is not None:
        restated["credentialStatus"] = copy.deepcopy(credential_status)
    return restated


def bind_to_holder(
    credential: dict[str, Any],
    *,
    credential_id: str,
    holder_did: str,
    issuer_id: str,
    data_model: str = "2.0",
    credential_status: dict[str, Any] | list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Unsigned copy of a signed OpenBadgeCredential for a holder's DID.

    As `restate`, and the subject is identified by the DID
    (AchievementSubject.id) instead of the salted e-mail hash, which a wallet
    copy has no use for (the display name identifier stays).
    """
    bound = restate(
        credential,
        credential_id=credential_id,
        issuer_id=issuer_id,
        data_model=data_model,
        credential_status=credential_status,
    )
    subject = bound["credentialSubject"]
    identifiers = [
        identifier
        for identifier in subject.get("identifier", [])
        if not (
            isinstance(identifier, dict)
            and identifier.get("identityType") == "emailAddress"
        )
    ]
    subject = {
        "id": _iri(holder_did, "holder DID"),
        **{name: value for name, value in subject.items() if name != "identifier"},
    }
    if identifiers:
        subject["identifier"] = identifiers
    bound["credentialSubject"] = subject
    return bound
