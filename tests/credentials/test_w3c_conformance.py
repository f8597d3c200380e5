"""Signatures by the letter of the W3C specifications (issue 15): the canonical
form the eddsa-rdfc-2022 reference computes, contexts the current
specifications use, proof sets and chains, and the VC 2.0 data model's MUSTs."""

import copy

import pytest

from credentials import dataintegrity
from credentials.services import verify_credential
from tests.credentials.jsverifier import (
    canonize_with_node,
    sign_with_node,
    verify_with_node,
)
from tests.credentials.samples import PUBLIC_MULTIBASE, SEED, SIGNED_AT, sign

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
DI_V2 = "https://w3id.org/security/data-integrity/v2"
ISSUER = dataintegrity.did_key(PUBLIC_MULTIBASE)
VOCAB = {"@vocab": "https://cairn.example/vocab#"}
CONTROLS = "".join(chr(code) for code in range(0x20)) + "\x7f"


def _credential(subject: dict, *, context: list | None = None, **extra) -> dict:
    return {
        "@context": context or [V2, VOCAB],
        "id": "urn:uuid:0b8f4d4e-6a43-4a55-9b2b-1f7c0e3c9a10",
        "type": ["VerifiableCredential"],
        "issuer": ISSUER,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner", **subject},
        **extra,
    }


DOCUMENTS = {
    "direction and language": {
        "name": {"@value": "مرحبا بالعالم", "@language": "AR-eg", "@direction": "rtl"}
    },
    "direction without language": {"name": {"@value": "abc", "@direction": "ltr"}},
    "language without direction": {"name": {"@value": "Bonjour", "@language": "fr-CA"}},
    "a default direction in the context": {"motto": "שלום"},
    "control characters": {"name": f"before{CONTROLS}after"},
    "integers": {"count": 42, "negative": -7, "zero": 0},
    "decimals": {"ratio": 0.1, "half": 1.5, "tiny": 1e-7, "big": 1.5e300},
    "a whole number written with a point": {"score": 2.0, "negative": -0.0},
    "integers past what a double holds exactly": {
        "huge": 9007199254740993,
        "pastE21": 10**21,
    },
    "booleans and nested values": {
        "flag": True,
        "items": [{"@value": "x", "@language": "en", "@direction": "ltr"}, 3, 2.5],
    },
}


def _document(name: str) -> dict:
    subject = DOCUMENTS[name]
    if name == "a default direction in the context":
        return _credential(
            subject, context=[V2, {**VOCAB, "@language": "he", "@direction": "rtl"}]
        )
    return _credential(subject)


@pytest.fixture(scope="module")
def reference_nquads() -> dict[str, dict]:
    names = list(DOCUMENTS)
    results = canonize_with_node([_document(name) for name in names])
    return dict(zip(names, results, strict=True))


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_canonical_form_is_the_references(name, reference_nquads):
    expected = reference_nquads[name]
    assert "error" not in expected, expected
    assert dataintegrity.canonical_nquads(_document(name)) == expected["nquads"]


def test_a_direction_is_signed_as_the_i18n_datatype():
    nquads = dataintegrity.canonical_nquads(_document("direction and language"))
    assert "^^<https://www.w3.org/ns/i18n#ar-eg_rtl>" in nquads


SIGNABLE = [name for name in DOCUMENTS if name != "a default direction in the context"]


@pytest.mark.parametrize("name", SIGNABLE)
def test_what_python_signs_verifies_in_node(name):
    signed = sign(_document(name))
    result = verify_with_node(signed)
    assert result["verified"], result["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_what_node_signs_verifies_in_python(name):
    signed = sign_with_node(_document(name), seed=SEED, created="2025-01-02T03:04:05Z")
    assert dataintegrity.verify_credential(signed, public_multibase=PUBLIC_MULTIBASE)
    verification = verify_credential(signed)
    assert verification.proof == "verified", verification.checks
    assert verification.checks[0].passed


def test_the_signer_refuses_a_default_direction_jsonld_js_would_ignore():
    # jsonld.js applies a context's @language but not its @direction: a
    # signature over the direction would fail in every reference verifier.
    with pytest.raises(ValueError, match="default @direction"):
        sign(_document("a default direction in the context"))


def _resigned(award, change) -> dict:
    """The award's credential changed by `change` and signed again with its key."""
    unsigned = copy.deepcopy(award.credential)
    proof = unsigned.pop("proof")[0]
    change(unsigned)
    return dataintegrity.sign_credential(
        unsigned,
        seed=award.signing_key.open_seed(),
        verification_method=proof["verificationMethod"],
        created=SIGNED_AT,
    )


def _check(verification, name):
    return next(check for check in verification.checks if check.name == name)


@pytest.mark.django_db
def test_cairns_own_credential_without_valid_from_verifies(issued):
    # A status list credential: Open Badges 3.0's schema (unlike VC 2.0)
    # requires validFrom on achievement credentials, so one of those would not do.
    listed = issued.revocation_list.credential
    unsigned = {name: value for name, value in listed.items() if name != "proof"}
    del unsigned["validFrom"]
    signed = dataintegrity.sign_credential(
        unsigned,
        seed=issued.signing_key.open_seed(),
        verification_method=listed["proof"][0]["verificationMethod"],
        created=SIGNED_AT,
    )
    verification = verify_credential(signed)
    assert verification.status == "valid", verification.checks
    assert _check(verification, "dates").passed
    assert "no start date" in _check(verification, "dates").says
    assert verify_with_node(signed)["verified"]


def test_an_achievement_credential_without_valid_from_names_the_schema_rule(issued):
    signed = _resigned(issued, lambda credential: credential.pop("validFrom"))
    verification = verify_credential(signed)
    assert verification.status == "invalid"
    assert _check(verification, "dates").passed
    assert "'validFrom' is a required property" in _check(verification, "schema").says


@pytest.mark.django_db
def test_a_valid_from_in_the_future_is_still_not_yet_valid(issued):
    signed = _resigned(
        issued, lambda credential: credential.update(validFrom="2999-01-01T00:00:00Z")
    )
    assert verify_credential(signed).status == "not-yet-valid"
