"""What the W3C's interoperability suites ask of an issuer and a verifier
behind the VC API, one test per statement, named after it:

- w3c-ccg/vc-api-issuer-test-suite (tests/10-issuer.js),
- w3c-ccg/vc-api-verifier-test-suite (tests/10-vc-di.js),
- w3c/vc-di-eddsa-test-suite (tests/10-rdfc-create.js, 20-rdfc-verify.js,
  suites/data-model.js, assertions.js: a failed verification is 400 or 422),
- w3c/vc-data-model-2.0-test-suite (what an issuer must refuse: the data
  model's MUSTs, and its input fixtures' "-fail" cases).

Each issued credential is also checked by the independent verifier
(Digital Bazaar's libraries under Node, tests/verifier)."""

import copy
import hashlib
import json
from typing import Any

import base58
import pytest
from django.utils import timezone

from credentials import dataintegrity
from credentials.models import SigningKey
from credentials.services import keys
from tests.credentials.conftest import served
from tests.credentials.jsverifier import sign_with_node, verify_with_node
from tests.integrations.conftest import bearer, service_token
from tests.integrations.vcapi_helpers import (
    V2,
    issue,
    post,
    sign_presentation,
    valid_credential,
)

MISSING = object()


@pytest.fixture
def api(cast, service_account):
    return bearer(service_token(service_account, cast["admin"], "issue", "read"))


@pytest.fixture
def issued(api, cast) -> dict[str, Any]:
    response = issue(api, cast.organization)
    assert response.status_code == 201, response.json()
    return response.json()["verifiableCredential"]


@pytest.fixture(params=["web", "key"])
def issued_each_way(request, settings, api, cast) -> dict[str, Any]:
    """A credential issued under the organization's did:web, and one under a
    did:key (CAIRN_DID_METHOD)."""
    settings.CAIRN_DID_METHOD = request.param
    return request.getfixturevalue("issued")


def _changed(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    *parents, last = path.split(".")
    target = changed
    for name in parents:
        target = target[name]
        if isinstance(target, list):
            target = target[0]
    if value is MISSING:
        del target[last]
    else:
        target[last] = value
    return changed


# --- The issuer -------------------------------------------------------------

# (the suite's statement, the property changed, the value: MISSING deletes it)
ISSUER_REFUSES = [
    ('credential MUST have property "@context"', "@context", MISSING),
    ('credential "@context" MUST be an array.', "@context", 4),
    ('credential "@context" items MUST be strings.', "@context", [4, False, None]),
    ('"credential.type" MUST be an array.', "type", 4),
    ('credential MUST have property "type"', "type", MISSING),
    ('"credential.type" items MUST be strings', "type", [2, None, {"foo": True}]),
    ('"credential.issuer" MUST be either an object or a string', "issuer", 4),
    ('credential MUST have property "credentialSubject"', "credentialSubject", MISSING),
    ('"credential.credentialSubject" MUST be an object', "credentialSubject", [None]),
    # VC Data Model 2.0 test suite: the issuer refuses what breaks the model.
    (
        "VCDM 2.0 4.3: the first item of @context MUST be the base context",
        "@context",
        ["https://w3id.org/security/data-integrity/v2", V2],
    ),
    (
        "VCDM 2.0 4.5: type MUST include VerifiableCredential",
        "type",
        ["ExampleAlumniCredential"],
    ),
    ("VCDM 2.0 4.4: id MUST be a single URL (not a word)", "id", "not a url"),
    ("VCDM 2.0 4.4: id MUST be a single URL (not two)", "id", ["urn:a", "urn:b"]),
    ("VCDM 2.0 4.8: credentialSubject MUST NOT be empty", "credentialSubject", {}),
    ("VCDM 2.0 4.9: validFrom MUST be a dateTimeStamp", "validFrom", "2023-07-01"),
    (
        "VCDM 2.0 4.9: validUntil MUST be a dateTimeStamp",
        "validUntil",
        "1 July 2030",
    ),
    (
        "VCDM 2.0 4.9: validFrom MUST NOT be later than validUntil",
        "validUntil",
        "2020-01-01T00:00:00Z",
    ),
    ("VCDM 2.0 5.6: evidence MUST have a type", "evidence", [{"id": "urn:e:1"}]),
    ("VCDM 2.0 5.5: termsOfUse MUST have a type", "termsOfUse", {"id": "urn:t:1"}),
    (
        "VCDM 2.0 4.11: credentialSchema MUST have an id and a type",
        "credentialSchema",
        {"type": "JsonSchema"},
    ),
    (
        "JSON-LD: a context that cannot be processed is refused, not guessed",
        "@context",
        [V2, "https://contexts.example/not-shipped/v1"],
    ),
    (
        "JSON-LD safe mode: every term MUST be defined by the contexts",
        "@context",
        [V2],
    ),
    (
        "Issuing: a credential that already has a proof is refused",
        "proof",
        {"type": "DataIntegrityProof"},
    ),
]


def test_request_body_must_have_property_credential(api, cast):
    """vc-api-issuer-test-suite: 'Request body MUST have property "credential".'"""
    response = post(
        api,
        cast.organization,
        "credentials/issue",
        {"verifiableCredential": valid_credential()},
    )
    assert response.status_code == 400


def test_request_options_must_be_an_object(api, cast):
    response = post(
        api,
        cast.organization,
        "credentials/issue",
        {"credential": valid_credential(), "options": ["proof"]},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("statement", "path", "value"), ISSUER_REFUSES, ids=[s for s, *_ in ISSUER_REFUSES]
)
def test_the_issuer_refuses(api, cast, statement, path, value):
    response = issue(api, cast.organization, _changed(valid_credential(), path, value))
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["problemDetails"]
    assert body["problemDetails"][0]["type"].startswith(
        "https://www.w3.org/TR/vc-data-model#"
    )
    assert "verifiableCredential" not in body


def test_a_vc_1_1_credential_with_undefined_terms_is_refused(api, cast):
    """JSON-LD: VC 1.1 has no @vocab, so a term it does not define could be
    read differently by each verifier; it is refused before signing."""
    credential = valid_credential(
        **{"@context": ["https://www.w3.org/2018/credentials/v1"]},
        issuanceDate="2023-07-01T19:23:24Z",
    )
    del credential["validFrom"]
    response = issue(api, cast.organization, credential)
    assert response.status_code == 400
    assert "PARSING_ERROR" in response.json()["type"]


def _did_document(client, did: str) -> dict[str, Any]:
    """The issuer's DID document as a verifier dereferences it: a did:web from
    this site over HTTP; a did:key is its own key (the did:key method)."""
    if did.startswith("did:key:"):
        multibase = did.removeprefix("did:key:")
        return dataintegrity.did_document(did, [(f"#{multibase}", multibase)])
    path = "/" + "/".join(did.split(":")[3:]) + "/did.json"
    response = client.get(path)
    assert response.status_code == 200
    return response.json()


ISSUED_HAS = [
    (
        "The issuer MUST return 201 with verifiableCredential",
        lambda vc, doc: isinstance(vc, dict),
    ),
    (
        "VCDM 2.0 4.3: the first @context MUST be https://www.w3.org/ns/credentials/v2",
        lambda vc, doc: vc["@context"][0] == V2,
    ),
    (
        "VCDM 2.0 4.5: type MUST include VerifiableCredential",
        lambda vc, doc: "VerifiableCredential" in vc["type"],
    ),
    (
        "VCDM 2.0 4.7: issuer MUST be a URL (the organization's DID)",
        lambda vc, doc: vc["issuer"] == doc["id"] and vc["issuer"].startswith("did:"),
    ),
    (
        "VCDM 2.0 4.4: id MUST be a single URL",
        lambda vc, doc: vc["id"] == "http://university.example/credentials/1872",
    ),
    (
        "The type property MUST be DataIntegrityProof.",
        lambda vc, doc: [p["type"] for p in vc["proof"]] == ["DataIntegrityProof"],
    ),
    (
        'The field "cryptosuite" MUST be "eddsa-rdfc-2022".',
        lambda vc, doc: vc["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022",
    ),
    (
        "The proofValue MUST be a detached EdDSA signature, base-58-btc (z), 64 bytes",
        lambda vc, doc: (
            vc["proof"][0]["proofValue"].startswith("z")
            and len(base58.b58decode(vc["proof"][0]["proofValue"][1:])) == 64
        ),
    ),
    (
        'Dereferencing the "verificationMethod" MUST result in an object with '
        'type "Multikey".',
        lambda vc, doc: _method(vc, doc)["type"] == "Multikey",
    ),
    (
        'The "publicKeyMultibase" value of the verification method MUST be 34 bytes '
        "and start with the base-58-btc prefix (z).",
        lambda vc, doc: (
            _method(vc, doc)["publicKeyMultibase"].startswith("z")
            and len(base58.b58decode(_method(vc, doc)["publicKeyMultibase"][1:])) == 34
        ),
    ),
    (
        'The "proof.proofPurpose" field MUST match the verification relationship '
        "expressed by the verification method controller.",
        lambda vc, doc: (
            vc["proof"][0]["proofPurpose"] == "assertionMethod"
            and vc["proof"][0]["verificationMethod"] in doc["assertionMethod"]
        ),
    ),
    (
        "The proof's created MUST be an XML Schema dateTimeStamp",
        lambda vc, doc: (
            dataintegrity.parse_datetime(vc["proof"][0]["created"]) is not None
        ),
    ),
    (
        "VCDM 2.0 4.10: credentialStatus entries are BitstringStatusListEntry",
        lambda vc, doc: (
            [s["type"] for s in vc["credentialStatus"]]
            == ["BitstringStatusListEntry"] * 2
        ),
    ),
    (
        "The issuer keeps the claims it was given",
        lambda vc, doc: (
            vc["credentialSubject"] == valid_credential()["credentialSubject"]
            and vc["validFrom"] == "2023-07-01T19:23:24Z"
        ),
    ),
]


def _method(vc: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    wanted = vc["proof"][0]["verificationMethod"]
    return next(m for m in doc["verificationMethod"] if m["id"] == wanted)


@pytest.mark.parametrize(
    ("statement", "holds"), ISSUED_HAS, ids=[s for s, _ in ISSUED_HAS]
)
def test_the_issued_credential(issued_each_way, client, statement, holds):
    document = _did_document(client, issued_each_way["issuer"])
    assert holds(issued_each_way, document), statement


def test_proof_must_verify_when_using_a_conformant_verifier(
    issued_each_way, client, api, cast
):
    """vc-di-eddsa-test-suite: '"proof" MUST verify when using a conformant
    verifier.' Digital Bazaar's verifier and Cairn's own VC API verifier."""
    issued = issued_each_way
    result = verify_with_node(issued, **served(client, issued))
    assert result["verified"] is True, result
    assert result["status"] == {"revocation": False, "suspension": False}
    response = post(
        api,
        cast.organization,
        "credentials/verify",
        {"verifiableCredential": issued, "options": {"checks": ["proof"]}},
    )
    assert response.status_code == 200
    assert response.json()["verified"] is True


@pytest.mark.parametrize(
    ("statement", "issuer"),
    [
        ('"credential.issuer" MAY be an object with property id', {"id": "foo"}),
        ('"credential.issuer" MAY be a string', "foo"),
        ("The issuer MAY be left out: Cairn names the organization", MISSING),
    ],
)
def test_the_issuer_fills_in_the_organization(api, cast, client, statement, issuer):
    credential = _changed(valid_credential(), "issuer", issuer)
    if isinstance(issuer, dict):
        credential["issuer"]["name"] = "Kept"
    response = issue(api, cast.organization, credential)
    assert response.status_code == 201
    vc = response.json()["verifiableCredential"]
    did = keys.current_issuer_did(cast.organization)
    if isinstance(issuer, dict):
        assert vc["issuer"] == {"id": did, "name": "Kept"}
    else:
        assert vc["issuer"] == did
    assert verify_with_node(vc, **served(client, vc))["verified"] is True


def test_credential_may_have_property_issuance_date_and_expiration_date(
    api, cast, client
):
    """vc-api-issuer-test-suite: 'credential MAY have property "issuanceDate"'
    and '"expirationDate"' (VC 1.1): the status context is added for its
    entries, the Data Integrity context for its proof."""
    credential = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "id": "urn:uuid:4c1b7a3e-2b7f-4f7e-9c55-0b6c1f0e2d11",
        "type": ["VerifiableCredential"],
        "issuanceDate": "2023-07-01T19:23:24Z",
        "expirationDate": "2040-07-01T19:23:24Z",
        "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21"},
    }
    response = issue(api, cast.organization, credential)
    assert response.status_code == 201, response.json()
    vc = response.json()["verifiableCredential"]
    assert vc["expirationDate"] == credential["expirationDate"]
    assert "https://www.w3.org/ns/credentials/status/v1" in vc["@context"]
    assert verify_with_node(vc, **served(client, vc))["verified"] is True


def test_the_issuer_adds_an_id_and_valid_from_when_missing(api, cast, client):
    credential = valid_credential()
    del credential["id"], credential["validFrom"]
    response = issue(api, cast.organization, credential)
    assert response.status_code == 201
    vc = response.json()["verifiableCredential"]
    assert vc["id"].startswith("urn:uuid:")
    assert dataintegrity.parse_datetime(vc["validFrom"]) <= timezone.now()
    assert verify_with_node(vc, **served(client, vc))["verified"] is True


# --- The verifier -----------------------------------------------------------


def _verify(api, cast, credential) -> Any:
    return post(
        api,
        cast.organization,
        "credentials/verify",
        {"verifiableCredential": credential, "options": {"checks": ["proof"]}},
    )


def test_must_verify_a_valid_vc(api, cast, issued):
    """vc-api-verifier-test-suite: 'MUST verify a valid VC.'"""
    response = _verify(api, cast, issued)
    assert response.status_code == 200
    body = response.json()
    assert body["verified"] is True
    assert body["errors"] == []
    assert body["problemDetails"] == []
    assert {"proof", "issuer", "credentialStatus", "validity"} <= set(body["checks"])


def test_must_verify_a_valid_vc_with_an_eddsa_rdfc_2022_proof_made_elsewhere(api, cast):
    """vc-di-eddsa-test-suite: 'MUST verify a valid VC with an eddsa-rdfc-2022
    proof', here one Digital Bazaar's vc.issue signed with a did:key."""
    seed = bytes(range(32))
    did = dataintegrity.did_key(dataintegrity.public_key_multibase(seed))
    signed = sign_with_node(
        valid_credential(issuer=did), seed=seed, created="2024-01-01T00:00:00Z"
    )
    response = _verify(api, cast, signed)
    assert response.status_code == 200, response.json()
    # Whether to trust a did:key issuer is the caller's question: a warning.
    assert response.json()["warnings"]


def test_a_did_key_issuer_is_still_held_to_every_other_check(api, cast):
    seed = bytes(range(32))
    did = dataintegrity.did_key(dataintegrity.public_key_multibase(seed))
    credential = valid_credential(issuer=did, validUntil="2024-06-01T00:00:00Z")
    signed = sign_with_node(credential, seed=seed, created="2024-01-01T00:00:00Z")
    response = _verify(api, cast, signed)
    assert response.status_code == 400
    assert "validity" in response.json()["errors"]
    signed["credentialSubject"]["alumniOf"] = "Elsewhere"
    assert _verify(api, cast, signed).status_code == 400


VERIFIER_REFUSES = [
    ('MUST not verify if "@context" property is missing.', "@context", MISSING),
    ('MUST not verify if "type" property is missing.', "type", MISSING),
    ('MUST not verify if "issuer" property is missing.', "issuer", MISSING),
    (
        'MUST not verify if "credentialSubject" property is missing.',
        "credentialSubject",
        MISSING,
    ),
    ('MUST not verify if "proof" property is missing.', "proof", MISSING),
    ('MUST not verify if "proof.type" property is missing.', "proof.type", MISSING),
    (
        'MUST not verify if "proof.created" property is missing.',
        "proof.created",
        MISSING,
    ),
    (
        'MUST not verify if "proof.verificationMethod" property is missing.',
        "proof.verificationMethod",
        MISSING,
    ),
    (
        'MUST not verify if "proof.proofValue" property is missing.',
        "proof.proofValue",
        MISSING,
    ),
    (
        'MUST not verify if "proof.proofPurpose" property is missing.',
        "proof.proofPurpose",
        MISSING,
    ),
    *[
        (f'MUST not verify if "@context" is not an array ({v!r}).', "@context", v)
        for v in ("string", {}, None, 10, True)
    ],
    *[
        (
            f'MUST not verify if "@context" items are not strings ({v!r}).',
            "@context",
            [v],
        )
        for v in ([], {}, None, 10, True)
    ],
    *[
        (f'MUST not verify if "type" is not an array ({v!r}).', "type", v)
        for v in ("string", {}, None, 10, True)
    ],
    *[
        (f'MUST not verify if "type" items are not strings ({v!r}).', "type", [v])
        for v in ([], {}, None, 10, True)
    ],
    *[
        (
            f'MUST not verify if "issuer" is not an object or a string ({v!r}).',
            "issuer",
            v,
        )
        for v in ([], None, 10, True)
    ],
    *[
        (
            f'MUST not verify if "credentialSubject" is not an object ({v!r}).',
            "credentialSubject",
            v,
        )
        for v in ("string", None, 10, True, [])
    ],
    *[
        (f'MUST not verify if "proof" is not an object ({v!r}).', "proof", v)
        for v in ("string", None, 10, True, [])
    ],
    # data-integrity-test-suite-assertion (suites/verify.js), which the EdDSA
    # suite runs against every verifier.
    ('If the "proof" field is invalid, an error MUST be raised.', "proof", None),
    (
        'If the "proof.type" field is not the string "DataIntegrityProof", an '
        "error MUST be raised.",
        "proof.type",
        "UnknownProofType",
    ),
    (
        'If the "proof.verificationMethod" field is invalid, an error MUST be raised.',
        "proof.verificationMethod",
        "https://example.com/not-a-key",
    ),
    (
        'If the "proof.proofPurpose" field is invalid, an error MUST be raised.',
        "proof.proofPurpose",
        "notAPurpose",
    ),
    (
        'If the "proof.proofValue" field is invalid, an error MUST be raised.',
        "proof.proofValue",
        None,
    ),
    (
        "The date and time the proof was created … MUST be specified as an "
        "[XMLSCHEMA11-2] dateTimeStamp string",
        "proof.created",
        "tomorrow",
    ),
    (
        "The value of the cryptosuite property MUST be a string that identifies "
        "the cryptographic suite.",
        "proof.cryptosuite",
        4,
    ),
    (
        'vc-di-eddsa: If the "cryptosuite" field is not the string '
        '"eddsa-rdfc-2022", an error MUST be raised.',
        "proof.cryptosuite",
        "eddsa-jcs-2019",
    ),
    (
        "verifier manifest: forged credentials subject (InvalidSignature)",
        "credentialSubject.alumniOf",
        "Another University",
    ),
    (
        "VCDM 2.0 4.9: a credential not valid until later is not verified",
        "validFrom",
        "2999-01-01T00:00:00Z",
    ),
]


def _tamper(issued: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    # The suites' proof paths address the one proof object.
    single = {**copy.deepcopy(issued), "proof": issued["proof"][0]}
    return _changed(single, path, value)


@pytest.mark.parametrize(
    ("statement", "path", "value"),
    VERIFIER_REFUSES,
    ids=[s for s, *_ in VERIFIER_REFUSES],
)
def test_the_verifier_refuses(api, cast, issued, statement, path, value):
    response = _verify(api, cast, _tamper(issued, path, value))
    assert response.status_code in (400, 422), response.json()
    body = response.json()
    assert body["verified"] is False
    assert body["problemDetails"]


def test_a_proof_value_not_multibase_encoded_must_raise_an_error(api, cast, issued):
    """data-integrity-test-suite-assertion: 'If the "proof.proofValue" field is
    not multibase-encoded, an error MUST be raised.'"""
    value = issued["proof"][0]["proofValue"]
    assert (
        _verify(api, cast, _tamper(issued, "proof.proofValue", value[1:])).status_code
        == 400
    )


@pytest.mark.parametrize(
    ("statement", "options"),
    [
        (
            'If the "proof.proofPurpose" value does not match '
            '"options.expectedProofPurpose", an error MUST be raised.',
            {"expectedProofPurpose": "authentication"},
        ),
        (
            'If the "options.domain" is set and it does not match "proof.domain", '
            "an error MUST be raised.",
            {"domain": "domain.example"},
        ),
        (
            'If the "options.challenge" is set and it does not match '
            '"proof.challenge", an error MUST be raised.',
            {"challenge": "1235abcd6789"},
        ),
    ],
)
def test_a_proof_must_meet_the_options(api, cast, issued, statement, options):
    response = post(
        api,
        cast.organization,
        "credentials/verify",
        {"verifiableCredential": issued, "options": options},
    )
    assert response.status_code == 400
    assert response.json()["verified"] is False
    assert "proof" in response.json()["errors"]
    matching = {"expectedProofPurpose": "assertionMethod"}
    response = post(
        api,
        cast.organization,
        "credentials/verify",
        {"verifiableCredential": issued, "options": matching},
    )
    assert response.status_code == 200


def test_a_proof_value_of_the_wrong_length_must_raise_an_error(api, cast, issued):
    """vc-di-eddsa-test-suite: 'If the "proofValue" field, when decoded to raw
    bytes, is not 64 bytes in length if the associated public key is 32 bytes
    in length … an error MUST be raised.'"""
    proof = issued["proof"][0]
    longer = base58.b58decode(proof["proofValue"][1:]) + bytes(32)
    tampered = _tamper(
        issued, "proof.proofValue", "z" + base58.b58encode(longer).decode()
    )
    assert _verify(api, cast, tampered).status_code == 400


def _resigned(cast, issued: dict[str, Any], digest) -> dict[str, Any]:
    """The issued credential's proof replaced by one the organization's own key
    made over something other than the eddsa-rdfc-2022 hash."""
    key = SigningKey.objects.get(organization=cast.organization, is_active=True)
    unsecured = {k: v for k, v in issued.items() if k != "proof"}
    options = {k: v for k, v in issued["proof"][0].items() if k != "proofValue"}
    signature = dataintegrity._private_key(key.open_seed()).sign(
        digest(unsecured, options)
    )
    proof = {**options, "proofValue": "z" + base58.b58encode(signature).decode()}
    return {**unsecured, "proof": proof}


def _jcs(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def test_a_canonicalization_other_than_rdfc_must_raise_an_error(api, cast, issued):
    """vc-di-eddsa-test-suite: 'If a canonicalization algorithm other than
    URDNA2015 is used, an error MUST be raised.' (here JCS)"""
    forged = _resigned(
        cast,
        issued,
        lambda doc, opts: (
            hashlib.sha256(_jcs(opts)).digest() + hashlib.sha256(_jcs(doc)).digest()
        ),
    )
    assert _verify(api, cast, forged).status_code == 400


def test_a_hash_other_than_sha_256_must_raise_an_error(api, cast, issued):
    """vc-di-eddsa-test-suite: 'If a canonicalization data hashing other than
    algorithm SHA-2-256 is used, an error MUST be raised.'"""
    forged = _resigned(
        cast,
        issued,
        lambda doc, opts: (
            hashlib.sha512(
                dataintegrity._canonical_proof_config(doc["@context"], opts).encode()
            ).digest()
            + hashlib.sha512(dataintegrity.canonical_nquads(doc).encode()).digest()
        ),
    )
    assert _verify(api, cast, forged).status_code == 400


def test_a_revoked_credential_is_not_verified(api, cast, issued):
    post(
        api,
        cast.organization,
        "credentials/status",
        {"credentialId": issued["id"], "credentialStatus": [{"status": "revoked"}]},
    )
    response = _verify(api, cast, issued)
    assert response.status_code == 400
    body = response.json()
    assert "credentialStatus" in body["errors"]
    assert body["problemDetails"][0]["type"].endswith("#RANGE_ERROR")


def test_a_request_without_verifiable_credential_is_a_400(api, cast, issued):
    response = post(
        api, cast.organization, "credentials/verify", {"credential": issued}
    )
    assert response.status_code == 400


# --- Presentations ----------------------------------------------------------

CHALLENGE = "a7f3c1d2-challenge"


def _verify_presentation(api, cast, presentation, options) -> Any:
    return post(
        api,
        cast.organization,
        "presentations/verify",
        {"verifiablePresentation": presentation, "options": options},
    )


def test_a_signed_presentation_with_a_valid_credential_verifies(api, cast, issued):
    presentation = sign_presentation(
        CHALLENGE, credentials=[issued], domain="registrar.example"
    )
    response = _verify_presentation(
        api, cast, presentation, {"challenge": CHALLENGE, "domain": "registrar.example"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["verified"] is True
    assert body["presentationResult"]["holder"] == presentation["holder"]
    assert [r["verified"] for r in body["credentialResults"]] == [True]


PRESENTATION_REFUSED = [
    ("a presentation signed for another challenge", {"challenge": "other"}, ""),
    ("a signed presentation without options.challenge", {}, ""),
    (
        "a presentation made for another domain",
        {"challenge": CHALLENGE, "domain": "registrar.example"},
        "elsewhere.example",
    ),
    (
        "a presentation with no domain when one is asked",
        {"challenge": CHALLENGE, "domain": "registrar.example"},
        "",
    ),
]


@pytest.mark.parametrize(
    ("statement", "options", "domain"),
    PRESENTATION_REFUSED,
    ids=[s for s, *_ in PRESENTATION_REFUSED],
)
def test_the_presentation_verifier_refuses(
    api, cast, issued, statement, options, domain
):
    presentation = sign_presentation(CHALLENGE, credentials=[issued], domain=domain)
    response = _verify_presentation(api, cast, presentation, options)
    assert response.status_code == 400, response.json()
    assert response.json()["verified"] is False


def test_a_presentation_altered_after_signing_is_refused(api, cast, issued):
    presentation = sign_presentation(CHALLENGE, credentials=[issued])
    presentation["holder"] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    response = _verify_presentation(api, cast, presentation, {"challenge": CHALLENGE})
    assert response.status_code == 400
    presentation = sign_presentation(CHALLENGE, credentials=[issued])
    presentation["verifiableCredential"][0]["credentialSubject"]["alumniOf"] = "X"
    response = _verify_presentation(api, cast, presentation, {"challenge": CHALLENGE})
    assert response.status_code == 400
    assert response.json()["credentialResults"][0]["verified"] is False


def test_a_presentation_proof_must_be_for_authentication(api, cast, issued):
    presentation = sign_presentation(CHALLENGE, credentials=[issued])
    presentation["proof"]["proofPurpose"] = "assertionMethod"
    response = _verify_presentation(api, cast, presentation, {"challenge": CHALLENGE})
    assert response.status_code == 400


def test_an_unsigned_presentation_is_checked_for_its_credentials(api, cast, issued):
    presentation = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [issued],
    }
    response = _verify_presentation(api, cast, presentation, {})
    assert response.status_code == 200
    assert response.json()["warnings"]
    presentation["verifiableCredential"] = [
        _tamper(issued, "validFrom", "2999-01-01T00:00:00Z")
    ]
    assert _verify_presentation(api, cast, presentation, {}).status_code == 400


@pytest.mark.parametrize(
    ("statement", "presentation"),
    [
        (
            "VCDM 2.0 4.13: a presentation MUST have an @context",
            {"type": ["VerifiablePresentation"]},
        ),
        (
            "VCDM 2.0 4.13: type MUST include VerifiablePresentation",
            {"@context": [V2], "type": ["Presentation"]},
        ),
        ("a presentation MUST be an object", ["VerifiablePresentation"]),
        (
            "its credentials MUST be objects",
            {
                "@context": [V2],
                "type": ["VerifiablePresentation"],
                "verifiableCredential": [4],
            },
        ),
    ],
)
def test_a_malformed_presentation_is_a_400(api, cast, statement, presentation):
    response = _verify_presentation(api, cast, presentation, {})
    assert response.status_code == 400
    assert response.json()["problemDetails"]


def test_the_suites_credential_naming_the_examples_context_by_url(api, cast, client):
    """The W3C suites send their example credential with the examples context
    by URL (https://www.w3.org/ns/credentials/examples/v2): Cairn ships it, so
    it is issued, and verifies here and in the independent verifier."""
    credential = valid_credential()
    credential["@context"] = [V2, "https://www.w3.org/ns/credentials/examples/v2"]
    response = issue(api, cast.organization, credential)
    assert response.status_code == 201, response.json()
    vc = response.json()["verifiableCredential"]
    assert verify_with_node(vc, **served(client, vc))["verified"] is True
    checked = post(
        api, cast.organization, "credentials/verify", {"verifiableCredential": vc}
    )
    assert checked.status_code == 200, checked.json()
    assert checked.json()["verified"] is True
