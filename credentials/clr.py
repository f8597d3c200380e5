"""Composition of unsigned CLR 2.0 ClrCredentials: a learner's whole record. Pure.

Spec: https://www.imsglobal.org/spec/clr/v2p0/ (ClrCredential, ClrSubject,
Association). The subject carries the learner's signed Open Badges credentials
as issued, their achievements, and how they relate: a module achievement
`isPartOf` the pathway achievement it stacks into.
"""

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credentials import openbadges

CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
CONTEXT = (
    openbadges.VC_V2_CONTEXT,
    CLR_CONTEXT,
    openbadges.OB_V3_CONTEXT,
    openbadges.OB_EXTENSIONS_CONTEXT,
)
CLR_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/"
    "clr_v2p0_clrcredential_schema.json"
)


@dataclass(frozen=True)
class Association:
    source_id: str  # an achievement id
    target_id: str
    association_type: str = "isPartOf"


@dataclass(frozen=True)
class ClrInfo:
    id: str  # "urn:uuid:..."
    issuer: openbadges.IssuerInfo
    name: str
    recipient: openbadges.RecipientInfo
    valid_from: datetime
    credentials: tuple[dict[str, Any], ...]  # signed OpenBadgeCredentials
    associations: tuple[Association, ...] = ()


def compose_clr(info: ClrInfo) -> dict[str, Any]:
    """Unsigned ClrCredential of the given signed credentials."""
    achievements: dict[str, dict[str, Any]] = {}
    for credential in info.credentials:
        achievement = credential["credentialSubject"]["achievement"]
        achievements.setdefault(achievement["id"], copy.deepcopy(achievement))
    for association in info.associations:
        for end in (association.source_id, association.target_id):
            if end not in achievements:
                raise openbadges.CredentialDataError(
                    f"association names {end!r}, which no credential here achieves"
                )
    subject: dict[str, Any] = {
        "type": ["ClrSubject"],
        "identifier": openbadges._identifiers(info.recipient),
        "verifiableCredential": [copy.deepcopy(c) for c in info.credentials],
        "achievement": list(achievements.values()),
    }
    if info.associations:
        subject["association"] = [
            {
                "type": "Association",
                "associationType": association.association_type,
                "sourceId": association.source_id,
                "targetId": association.target_id,
            }
            for association in info.associations
        ]
    return {
        "@context": list(CONTEXT),
        "id": openbadges._iri(info.id, "credential id"),
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": openbadges._issuer(info.issuer),
        "name": openbadges._text(info.name),
        "validFrom": openbadges._timestamp(info.valid_from, "valid_from"),
        "credentialSubject": subject,
        "credentialSchema": [
            {"id": CLR_SCHEMA, "type": openbadges.SCHEMA_VALIDATOR_TYPE}
        ],
    }
