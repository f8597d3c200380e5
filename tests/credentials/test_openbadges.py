import dataclasses
import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from credentials import jsonld
from credentials.openbadges import (
    ACHIEVEMENT_CREDENTIAL_SCHEMA,
    OB_V3_CONTEXT,
    VC_V2_CONTEXT,
    AchievedLevel,
    Alignment,
    CredentialDataError,
    EvidenceInfo,
    IssuerInfo,
    RecipientInfo,
    RubricCriterion,
    RubricLevel,
    compose_credential,
    identity_hash,
)
from tests.credentials.samples import ACHIEVEMENT_URL, VARIANTS, make_info, sign

CONTROLS = "".join(chr(code) for code in range(0x20)) + "\x7f"


@pytest.mark.parametrize("variant", VARIANTS)
def test_signed_credential_is_valid_against_1edtech_schema(variant, schema_validator):
    credential = sign(compose_credential(make_info(variant)))

    errors = [error.message for error in schema_validator.iter_errors(credential)]

    assert errors == []
    assert isinstance(credential["proof"], list)


@pytest.mark.parametrize("variant", VARIANTS)
def test_composed_credential_has_no_undefined_terms(variant):
    credential = compose_credential(make_info(variant))

    jsonld.check_defined_terms(credential)


def test_credential_names_contexts_schema_and_types():
    credential = compose_credential(make_info())

    assert credential["@context"][:2] == [VC_V2_CONTEXT, OB_V3_CONTEXT]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["credentialSchema"] == [
        {"id": ACHIEVEMENT_CREDENTIAL_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}
    ]
    assert credential["validFrom"] == "2025-01-01T00:00:00Z"
    assert "proof" not in credential


def test_recipient_is_identified_by_salted_email_hash_and_plain_name():
    subject = compose_credential(make_info())["credentialSubject"]

    email, name = subject["identifier"]
    expected = hashlib.sha256(b"learner@example.org" + b"s4lt").hexdigest()
    assert email == {
        "type": "IdentityObject",
        "identityHash": f"sha256${expected}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": "s4lt",
    }
    assert name["identityType"] == "name"
    assert name["identityHash"] == "Ada L."
    assert name["hashed"] is False
    assert "learner" not in json.dumps(subject).lower()


@pytest.mark.parametrize(
    ("email", "same_as"),
    [("Learner@Example.org", "learner@example.org"), (" a@b.c ", "a@b.c")],
)
def test_identity_hash_ignores_case_and_surrounding_space(email, same_as):
    assert identity_hash(email, "pepper") == identity_hash(same_as, "pepper")


def test_rubric_ids_become_iris_and_results_point_at_them():
    subject = compose_credential(make_info())["credentialSubject"]

    descriptions = subject["achievement"]["resultDescription"]
    assert descriptions[0]["id"] == f"{ACHIEVEMENT_URL}#dmp"
    assert descriptions[0]["resultType"] == "RubricCriterionLevel"
    assert [level["id"] for level in descriptions[0]["rubricCriterionLevel"]] == [
        f"{ACHIEVEMENT_URL}#dmp-novice",
        f"{ACHIEVEMENT_URL}#dmp-proficient",
    ]
    assert descriptions[0]["rubricCriterionLevel"][1]["points"] == "3"
    assert descriptions[1]["id"] == "https://cairn.example/rubrics/7/criteria/2"
    assert subject["result"] == [
        {
            "type": ["Result"],
            "resultDescription": f"{ACHIEVEMENT_URL}#dmp",
            "achievedLevel": f"{ACHIEVEMENT_URL}#dmp-proficient",
        },
        {
            "type": ["Result"],
            "resultDescription": "https://cairn.example/rubrics/7/criteria/2",
            "achievedLevel": "https://cairn.example/rubrics/7/levels/4",
        },
    ]


@pytest.mark.parametrize(
    ("credits", "expected"),
    [(Decimal("3"), 3), (Decimal("3.0"), 3), (Decimal("2.5"), 2.5), (Decimal(0), 0)],
)
def test_credits_are_json_numbers_integral_ones_as_integers(credits, expected):
    info = make_info()
    info = dataclasses.replace(
        info,
        achievement=dataclasses.replace(info.achievement, credits_available=credits),
    )

    value = compose_credential(info)["credentialSubject"]["achievement"][
        "creditsAvailable"
    ]

    assert value == expected
    assert type(value) is type(expected)


def test_control_characters_are_stripped_but_line_breaks_and_tabs_kept():
    info = make_info()
    info = dataclasses.replace(
        info,
        achievement=dataclasses.replace(
            info.achievement,
            name=f"Data{CONTROLS}Stewardship",
            criteria_narrative="Line one\r\nLine\ttwo\n",
        ),
        recipient=RecipientInfo(email="a@b.c", salt="s\x00alt", name="Ada\x1b[31m"),
    )

    credential = compose_credential(info)

    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["name"] == "Data\t\n\rStewardship"
    assert achievement["criteria"]["narrative"] == "Line one\r\nLine\ttwo\n"
    email, name = credential["credentialSubject"]["identifier"]
    assert email["salt"] == "salt"
    assert email["identityHash"] == identity_hash("a@b.c", "salt")
    assert name["identityHash"] == "Ada[31m"


def _replace_achievement(**changes):
    info = make_info()
    return dataclasses.replace(
        info, achievement=dataclasses.replace(info.achievement, **changes)
    )


@pytest.mark.parametrize(
    ("info", "message"),
    [
        (make_info(id="6f0b9a3e"), "credential id"),
        (make_info(valid_from=datetime(2025, 1, 1)), "timezone-aware"),  # noqa: DTZ001
        (
            make_info(valid_until=datetime(2024, 12, 31, tzinfo=UTC)),
            "valid_until must be later",
        ),
        (_replace_achievement(id="/achievements/1"), "achievement id"),
        (_replace_achievement(image_url="https://x.example/a b.png"), "image_url"),
        (_replace_achievement(achievement_type="Nanodegree"), "achievement_type"),
        (_replace_achievement(achievement_type="ext:Nanodegree"), None),
        (
            _replace_achievement(
                alignments=(Alignment("A", "https://a/", target_type="Skill"),)
            ),
            "target_type",
        ),
        (_replace_achievement(alignments=(Alignment("A", "a/b"),)), "target_url"),
        (_replace_achievement(credits_available=Decimal("-1")), "credits"),
        (_replace_achievement(credits_available=Decimal("NaN")), "credits"),
        (
            _replace_achievement(
                criteria=(RubricCriterion("", "Empty", (RubricLevel("l", "L", 1),)),)
            ),
            "must not be empty",
        ),
        (make_info(results=(AchievedLevel("dmp", "nope"),)), "does not define"),
        (make_info(results=(AchievedLevel("nope", "dmp-novice"),)), "does not define"),
        (make_info(evidence=(EvidenceInfo("evidence/1", "E"),)), "evidence id"),
        (
            make_info(issuer=IssuerInfo(id="did:web:x", name="X", url="x.example")),
            "issuer url",
        ),
    ],
)
def test_data_that_cannot_make_a_valid_credential_is_refused(info, message):
    if message is None:
        compose_credential(info)
        return
    with pytest.raises(CredentialDataError, match=message):
        compose_credential(info)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda c: c["@context"].pop(), "1EdTechJsonSchemaValidator2019"),
        (lambda c: c.update(motto="Onwards"), "property 'motto'"),
        (lambda c: c["credentialSubject"].update(score=1), "property 'score'"),
        (lambda c: c["credentialSubject"].update(type=["Subject"]), "property"),
        (
            lambda c: c.update(evidence=[{"id": "ev/1", "type": ["Evidence"]}]),
            "@id 'ev/1'",
        ),
    ],
)
def test_undefined_terms_are_reported(change, problem):
    credential = compose_credential(make_info())
    change(credential)

    with pytest.raises(jsonld.UndefinedTermsError, match=problem):
        jsonld.check_defined_terms(credential)


def test_loader_refuses_contexts_that_are_not_vendored():
    credential = compose_credential(make_info())
    credential["@context"].append("https://w3id.org/security/suites/x25519-2020/v1")

    with pytest.raises(jsonld.ContextNotVendoredError, match="x25519-2020"):
        jsonld.check_defined_terms(credential)


@pytest.mark.parametrize("url", sorted(jsonld.VENDORED_CONTEXTS))
def test_loader_serves_every_vendored_context_as_static(url):
    document = jsonld.document_loader(url)

    assert document["tag"] == "static"
    assert document["documentUrl"] == url
    assert document["contextUrl"] is None
    assert "@context" in document["document"]
