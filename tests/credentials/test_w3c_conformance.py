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


# Contexts: the ones current specifications use ship offline; an unknown one is
# "cannot be processed", never "altered".


@pytest.mark.django_db
def test_a_credential_using_the_data_integrity_v2_context_verifies():
    unsigned = _credential({"name": "Ada"}, context=[V2, DI_V2, VOCAB])
    signed = sign_with_node(unsigned, seed=SEED, created="2025-01-02T03:04:05Z")
    verification = verify_credential(signed)
    assert verification.proof == "verified", verification.checks
    assert sign(unsigned)["proof"] == dataintegrity.proofs(signed)


@pytest.mark.django_db
def test_an_unknown_context_cannot_be_processed_and_is_not_called_altered():
    unknown = "https://contexts.example/unknown/v1"
    signed = sign(_credential({"name": "Ada"}))
    signed["@context"] = [V2, unknown]
    verification = verify_credential(signed)
    assert verification.status == "unprocessable"
    assert unknown in verification.headline
    assert "altered" not in verification.headline
    assert unknown in verification.checks[0].says
    assert verification.proof == "unchecked"


@pytest.mark.parametrize(
    "url",
    [
        "https://w3id.org/security/data-integrity/v1",
        "https://w3id.org/security/data-integrity/v2",
        "https://w3id.org/security/multikey/v1",
        "https://w3id.org/security/suites/ed25519-2020/v1",
        "https://w3id.org/security/suites/ed25519-2018/v1",
        "https://w3id.org/vc/status-list/2021/v1",
        "https://www.w3.org/ns/credentials/status/v1",
        "https://www.w3.org/ns/did/v1",
    ],
)
def test_the_contexts_current_specifications_use_are_shipped(url):
    from credentials import jsonld

    assert jsonld.document_loader(url)["document"]["@context"]


def test_signing_vc_1_1_with_data_integrity_adds_the_context_it_needs():
    unsigned = _credential({"name": "Ada"}, context=[V1, VOCAB])
    del unsigned["validFrom"]
    unsigned["issuanceDate"] = "2025-01-01T00:00:00Z"
    signed = sign(unsigned)
    assert signed["@context"] == [V1, VOCAB, DI_V2]
    assert signed["proof"][0]["type"] == "DataIntegrityProof"
    result = verify_with_node(signed)
    assert result["verified"], result["errors"]


# Proof sets and chains (VC Data Integrity 2.1.1, 2.1.2).

WITNESS_SEED = bytes(range(100, 132))
WITNESS = dataintegrity.public_key_multibase(WITNESS_SEED)


def _with_witness(signed: dict, **options) -> dict:
    return dataintegrity.add_proof(
        signed,
        seed=WITNESS_SEED,
        verification_method=dataintegrity.did_key_verification_method(WITNESS),
        created=SIGNED_AT,
        **options,
    )


@pytest.mark.django_db
def test_a_proof_set_verifies_when_every_proof_does():
    signed = _with_witness(sign(_credential({"name": "Ada"})))
    assert len(signed["proof"]) == 2
    verification = verify_credential(signed)
    assert verification.proof == "verified", verification.checks
    assert verification.checks[0].says.startswith("All 2 proofs are genuine")
    assert verify_with_node(signed)["verified"]


@pytest.mark.django_db
@pytest.mark.parametrize("altered", [0, 1])
def test_one_altered_proof_in_a_set_fails_the_credential(altered):
    signed = _with_witness(sign(_credential({"name": "Ada"})))
    value = signed["proof"][altered]["proofValue"]
    signed["proof"][altered]["proofValue"] = value[:-1] + (
        "2" if value[-1] != "2" else "3"
    )
    verification = verify_credential(signed)
    assert verification.status == "tampered"
    assert verification.proof == "failed"


@pytest.mark.django_db
def test_the_issuer_is_bound_to_its_own_proof_in_a_set():
    # The witness's proof comes first; the issuer's key made the second.
    issuers = sign(_credential({"name": "Ada"}))
    witnessed = _with_witness({**issuers, "proof": []})
    signed = {**issuers, "proof": [witnessed["proof"][0], issuers["proof"][0]]}
    verification = verify_credential(signed)
    assert verification.proof == "verified", verification.checks
    assert verification.issuer_bound


@pytest.mark.django_db
def test_a_set_without_a_proof_by_the_issuer_is_not_bound_to_it():
    witnessed = _with_witness({**_credential({"name": "Ada"}), "proof": []})
    verification = verify_credential(witnessed)
    assert verification.proof == "verified"
    assert not verification.issuer_bound
    assert verification.status == "unknown-issuer"


@pytest.mark.django_db
def test_a_proof_chain_is_followed():
    first = sign(_credential({"name": "Ada"}))
    first["proof"][0]["id"] = "urn:uuid:2f1a0f5e-4f3c-4d3b-8a7e-0c2b9d3e1a11"
    # The id is part of the first proof's options: sign again with it.
    unsigned = {name: value for name, value in first.items() if name != "proof"}
    first = dataintegrity.add_proof(
        unsigned,
        seed=SEED,
        verification_method=dataintegrity.did_key_verification_method(PUBLIC_MULTIBASE),
        created=SIGNED_AT,
        proof_id="urn:uuid:2f1a0f5e-4f3c-4d3b-8a7e-0c2b9d3e1a11",
    )
    chained = _with_witness(
        first, previous_proof="urn:uuid:2f1a0f5e-4f3c-4d3b-8a7e-0c2b9d3e1a11"
    )
    assert verify_credential(chained).proof == "verified"
    # The chained proof signed the first one too: changing the first breaks it.
    other = copy.deepcopy(chained)
    other["proof"][0]["created"] = "2025-01-02T03:04:06Z"
    assert verify_credential(other).status == "tampered"


@pytest.mark.django_db
def test_a_chain_naming_a_missing_proof_is_refused_clearly():
    first = dataintegrity.add_proof(
        _credential({"name": "Ada"}),
        seed=SEED,
        verification_method=dataintegrity.did_key_verification_method(PUBLIC_MULTIBASE),
        created=SIGNED_AT,
        proof_id="urn:uuid:5b0c2a7e-1d2f-4c4b-9f8e-7a6b5c4d3e21",
    )
    chained = _with_witness(
        first, previous_proof="urn:uuid:5b0c2a7e-1d2f-4c4b-9f8e-7a6b5c4d3e21"
    )
    chained["proof"] = chained["proof"][1:]
    verification = verify_credential(chained)
    assert verification.status == "invalid"
    assert "previous proof" in verification.headline


# The VC Data Model 2.0 MUSTs, in the signer and the verifier.

BROKEN = {
    "a null issuer": ("4.7 Issuer", lambda c: c.update(issuer=None)),
    "no issuer": ("4.7 Issuer", lambda c: c.pop("issuer")),
    "no credentialSubject": (
        "4.8 Credential Subject",
        lambda c: c.pop("credentialSubject"),
    ),
    "an empty credentialSubject": (
        "4.8 Credential Subject",
        lambda c: c.update(credentialSubject={}),
    ),
    "credentialStatus without type": (
        "4.10 Status",
        lambda c: c.update(credentialStatus={"id": "https://cairn.example/s/1#4"}),
    ),
    "evidence without type": (
        "5.6 Evidence",
        lambda c: c.update(evidence=[{"id": "https://cairn.example/e/1"}]),
    ),
    "termsOfUse without type": (
        "5.5 Terms of Use",
        lambda c: c.update(termsOfUse={"id": "https://cairn.example/t"}),
    ),
    "refreshService without type": (
        "5.4 Refreshing",
        lambda c: c.update(refreshService={"id": "https://cairn.example/r"}),
    ),
    "credentialSchema without type": (
        "4.11 Data Schemas",
        lambda c: c.update(credentialSchema={"id": "https://cairn.example/schema"}),
    ),
    "a date without a time zone": (
        "4.9 Validity Period",
        lambda c: c.update(validFrom="2025-01-01T00:00:00"),
    ),
    "a malformed date": (
        "4.9 Validity Period",
        lambda c: c.update(validUntil="2025-13-01T00:00:00Z"),
    ),
    "validUntil before validFrom": (
        "4.9 Validity Period",
        lambda c: c.update(validUntil="2024-01-01T00:00:00Z"),
    ),
    "no VerifiableCredential type": (
        "4.5 Types",
        lambda c: c.update(type=["Credential"]),
    ),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_the_signer_refuses_what_the_data_model_forbids(name):
    from credentials import vcmodel

    rule, breaks = BROKEN[name]
    unsigned = _credential({"name": "Ada"})
    breaks(unsigned)
    if name == "no VerifiableCredential type":
        # Not a credential to the signer; the verifier still names the rule.
        assert any(rule in str(v) for v in vcmodel.violations(unsigned))
        return
    with pytest.raises(vcmodel.DataModelError, match=rule.replace(".", r"\.")):
        sign(unsigned)


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(BROKEN))
def test_the_verifier_names_the_rule_a_signed_credential_breaks(name):
    from credentials import vcmodel

    rule, breaks = BROKEN[name]
    unsigned = _credential({"name": "Ada"})
    breaks(unsigned)
    # Signed as another library would sign it: JSON-LD accepts all of these.
    signed = dataintegrity.add_proof(
        unsigned,
        seed=SEED,
        verification_method=dataintegrity.did_key_verification_method(PUBLIC_MULTIBASE),
        created=SIGNED_AT,
    )
    verification = verify_credential(signed)
    assert verification.status in ("invalid", "not-checked"), verification.checks
    assert any(rule in check.says for check in verification.checks), verification
    assert vcmodel.violations(unsigned)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2025-01-01T00:00:00Z", True),
        ("2025-01-01T00:00:00.123+05:30", True),
        ("2025-01-01T24:00:00Z", True),
        ("2025-01-01T00:00:00", False),
        ("2025-01-01", False),
        ("2025-02-30T00:00:00Z", True),  # the pattern the spec gives allows it
        ("2025-1-01T00:00:00Z", False),
        ("2025-01-01T00:00:00+15:00", False),
        ("2025-01-01 00:00:00Z", False),
    ],
)
def test_date_time_stamps_follow_the_specs_pattern(value, ok):
    from credentials import vcmodel

    credential = _credential({"name": "Ada"}, validFrom=value)
    credential.pop("validUntil", None)
    found = [v for v in vcmodel.violations(credential) if "4.9" in v.rule]
    assert (not found) is ok, found
