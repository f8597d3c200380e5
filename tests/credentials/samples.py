"""Sample Open Badges data shared by the credential tests."""

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from credentials import dataintegrity
from credentials.openbadges import (
    AchievedLevel,
    AchievementInfo,
    Alignment,
    CredentialInfo,
    EvidenceInfo,
    IssuerInfo,
    RecipientInfo,
    RubricCriterion,
    RubricLevel,
)

# A fixed seed keeps failures reproducible; tests never depend on its value.
SEED = bytes(range(32))
PUBLIC_MULTIBASE = dataintegrity.public_key_multibase(SEED)
SIGNED_AT = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
ACHIEVEMENT_URL = "https://cairn.example/achievements/data-stewardship/versions/1"


def _full_achievement() -> AchievementInfo:
    return AchievementInfo(
        id=ACHIEVEMENT_URL,
        name="Data Stewardship",
        description="Keeps research data findable, accessible and reusable.",
        criteria_narrative="Submit a data management plan rated at least Proficient.",
        achievement_type="MicroCredential",
        version="1",
        alignments=(
            Alignment(
                target_name="Manage information",
                target_url="http://data.europa.eu/esco/skill/S5.6.1",
                target_description="Organise and keep records.",
                target_framework="ESCO",
                target_code="S5.6.1",
                target_type="ceasn:Competency",
            ),
            Alignment(target_name="Plain", target_url="https://cairn.example/s/2"),
        ),
        criteria=(
            RubricCriterion(
                id="dmp",
                name="Data management plan",
                levels=(
                    RubricLevel("dmp-novice", "Novice", 1, "Plan is incomplete."),
                    RubricLevel("dmp-proficient", "Proficient", 3),
                ),
            ),
            RubricCriterion(
                id="https://cairn.example/rubrics/7/criteria/2",
                name="Metadata",
                levels=(
                    RubricLevel("https://cairn.example/rubrics/7/levels/4", "Rich", 2),
                ),
            ),
        ),
        credits_available=Decimal("2.5"),
        image_url="https://cairn.example/media/badges/data-stewardship.png",
    )


def make_info(variant: str = "full", **changes: Any) -> CredentialInfo:
    """CredentialInfo for a named variant, with fields replaced by `changes`."""
    info = CredentialInfo(
        id="urn:uuid:6f0b9a3e-5c1d-4a8e-9e47-0d3b7c2a1f55",
        issuer=IssuerInfo(
            id=dataintegrity.did_key(PUBLIC_MULTIBASE),
            name="Cairn University",
            url="https://cairn.example/",
            email="badges@cairn.example",
        ),
        achievement=_full_achievement(),
        recipient=RecipientInfo(
            email="Learner@Example.org", salt="s4lt", name="Ada L."
        ),
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
        results=(
            AchievedLevel("dmp", "dmp-proficient"),
            AchievedLevel(
                "https://cairn.example/rubrics/7/criteria/2",
                "https://cairn.example/rubrics/7/levels/4",
            ),
        ),
        evidence=(
            EvidenceInfo("https://cairn.example/evidence/91", "Plan", "Rated by two."),
            EvidenceInfo("", "Viva"),
        ),
    )
    if variant == "minimal":
        info = dataclasses.replace(
            info,
            achievement=AchievementInfo(
                id=ACHIEVEMENT_URL,
                name="Minimal",
                description="",
                criteria_narrative="",
                achievement_type="Badge",
                version="1",
            ),
            recipient=RecipientInfo(email="a@b.c", salt=""),
            results=(),
            evidence=(),
            issuer=IssuerInfo(
                id=info.issuer.id, name="Cairn", url="http://127.0.0.1:8000/"
            ),
        )
    elif variant == "expiring":
        info = dataclasses.replace(
            info, valid_until=datetime(2030, 1, 1, 12, 30, tzinfo=UTC)
        )
    elif variant == "with_status":
        info = dataclasses.replace(
            info,
            credential_status={
                "id": "https://cairn.example/status/1#94567",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": "94567",
                "statusListCredential": "https://cairn.example/status/1",
            },
        )
    return dataclasses.replace(info, **changes)


VARIANTS = ["full", "minimal", "expiring", "with_status"]


def sign(credential: dict[str, Any], verification_method: str | None = None) -> dict:
    return dataintegrity.sign_credential(
        credential,
        seed=SEED,
        verification_method=verification_method
        or dataintegrity.did_key_verification_method(PUBLIC_MULTIBASE),
        created=SIGNED_AT,
    )
