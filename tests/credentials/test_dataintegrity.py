import copy
import dataclasses
import json
from datetime import datetime
from pathlib import Path

import pytest

from credentials import dataintegrity, jsonld
from credentials.openbadges import IssuerInfo, compose_credential
from tests.credentials.jsverifier import verify_with_node
from tests.credentials.samples import PUBLIC_MULTIBASE, SEED, make_info, sign

DATA = Path(__file__).resolve().parents[1] / "data" / "openbadges3"
# 1EdTech's test-vector key pair (OB 3.0 spec, "Linked Data Proof Test Vector").
VECTOR_SEED = bytes.fromhex(
    "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"
)
VECTOR_MULTIBASE = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
DID_WEB = "did:web:cairn.example"
CONTROLS = "".join(chr(code) for code in range(0x20)) + "\x7f"


def _load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _did_web_signed(credential_info=None) -> tuple[dict, dict]:
    info = credential_info or make_info()
    info = dataclasses.replace(
        info, issuer=IssuerInfo(id=DID_WEB, name="Cairn", url="https://cairn.example/")
    )
    document = dataintegrity.did_document(DID_WEB, [("#key-1", PUBLIC_MULTIBASE)])
    return sign(compose_credential(info), f"{DID_WEB}#key-1"), {DID_WEB: document}


def _change_achievement_name(credential: dict) -> None:
    achievement = credential["credentialSubject"]["achievement"]
    achievement["name"] = "X" + achievement["name"][1:]


def _change_proof_value(credential: dict) -> None:
    proof = credential["proof"][0]
    last = "2" if proof["proofValue"][-1] != "2" else "3"
    proof["proofValue"] = proof["proofValue"][:-1] + last


TAMPERINGS = {
    "achievement name": _change_achievement_name,
    "validFrom": lambda c: c.update(validFrom="2024-01-01T00:00:00Z"),
    "proof created": lambda c: c["proof"][0].update(created="2025-01-02T03:04:06Z"),
    "proofValue": _change_proof_value,
    "undefined property added": lambda c: c.update(note="added after signing"),
    "proof removed": lambda c: c.pop("proof"),
}


def test_public_key_multibase_matches_1edtech_test_vector_key():
    assert dataintegrity.public_key_multibase(VECTOR_SEED) == VECTOR_MULTIBASE


def test_generated_seeds_are_random_ed25519_seeds():
    seeds = {dataintegrity.generate_seed() for _ in range(3)}

    assert len(seeds) == 3
    assert all(len(seed) == 32 for seed in seeds)
    assert all(dataintegrity.public_key_multibase(s).startswith("z6Mk") for s in seeds)


def test_did_key_and_its_verification_method():
    assert dataintegrity.did_key(VECTOR_MULTIBASE) == f"did:key:{VECTOR_MULTIBASE}"
    assert (
        dataintegrity.did_key_verification_method(VECTOR_MULTIBASE)
        == f"did:key:{VECTOR_MULTIBASE}#{VECTOR_MULTIBASE}"
    )


@pytest.mark.parametrize("bad", ["6MkjZRZ", "z0OIl", "z" + "1" * 47])
def test_did_key_refuses_what_is_not_an_ed25519_multikey(bad):
    with pytest.raises(ValueError, match="publicKeyMultibase"):
        dataintegrity.did_key(bad)


@pytest.mark.parametrize(
    ("site_url", "did"),
    [
        ("http://127.0.0.1:8000", "did:web:127.0.0.1%3A8000"),
        ("https://a.b/", "did:web:a.b"),
        ("https://Cairn.Example", "did:web:cairn.example"),
        ("https://example.com/issuers/alice/", "did:web:example.com:issuers:alice"),
    ],
)
def test_did_web_from_site_url(site_url, did):
    assert dataintegrity.did_web(site_url) == did


@pytest.mark.parametrize("site_url", ["ftp://a.b", "a.b", "https://a.b/?x=1"])
def test_did_web_refuses_urls_it_cannot_represent(site_url):
    with pytest.raises(ValueError, match="did:web"):
        dataintegrity.did_web(site_url)


def test_did_document_lists_multikeys_for_assertion_and_authentication():
    other = dataintegrity.public_key_multibase(bytes(32))

    document = dataintegrity.did_document(
        DID_WEB, [("#key-1", PUBLIC_MULTIBASE), (f"{DID_WEB}#key-2", other)]
    )

    assert document == {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/multikey/v1",
        ],
        "id": DID_WEB,
        "verificationMethod": [
            {
                "id": f"{DID_WEB}#key-1",
                "type": "Multikey",
                "controller": DID_WEB,
                "publicKeyMultibase": PUBLIC_MULTIBASE,
            },
            {
                "id": f"{DID_WEB}#key-2",
                "type": "Multikey",
                "controller": DID_WEB,
                "publicKeyMultibase": other,
            },
        ],
        "assertionMethod": [f"{DID_WEB}#key-1", f"{DID_WEB}#key-2"],
        "authentication": [f"{DID_WEB}#key-1", f"{DID_WEB}#key-2"],
    }


def test_sign_returns_a_new_credential_with_one_proof_in_an_array():
    credential = compose_credential(make_info())
    before = copy.deepcopy(credential)

    signed = sign(credential)

    assert credential == before
    assert {k: v for k, v in signed.items() if k != "proof"} == credential
    (proof,) = signed["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["created"] == "2025-01-02T03:04:05Z"
    assert proof["verificationMethod"].startswith("did:key:z6Mk")
    assert proof["proofValue"].startswith("z")


def test_signatures_are_deterministic_for_the_same_input():
    credential = compose_credential(make_info())

    assert sign(credential) == sign(credential)


def test_sign_refuses_credentials_with_undefined_terms():
    credential = compose_credential(make_info())
    credential["@context"].pop()  # the extensions context

    with pytest.raises(jsonld.UndefinedTermsError, match="1EdTechJsonSchema"):
        sign(credential)


def test_sign_refuses_an_already_signed_credential():
    signed = sign(compose_credential(make_info()))

    with pytest.raises(ValueError, match="already has a proof"):
        sign(signed)


def test_sign_needs_an_aware_creation_time():
    with pytest.raises(ValueError, match="timezone-aware"):
        dataintegrity.sign_credential(
            compose_credential(make_info()),
            seed=SEED,
            verification_method="did:key:z#z",
            created=datetime(2025, 1, 1),  # noqa: DTZ001
        )


@pytest.mark.parametrize("variant", ["full", "minimal", "expiring", "with_status"])
def test_python_verifies_what_it_signed(variant):
    signed = sign(compose_credential(make_info(variant)))

    assert dataintegrity.verify_credential(signed, public_multibase=PUBLIC_MULTIBASE)


@pytest.mark.parametrize("tamper", TAMPERINGS.values(), ids=TAMPERINGS.keys())
def test_python_rejects_tampered_credentials(tamper):
    signed = sign(compose_credential(make_info()))
    tamper(signed)

    assert not dataintegrity.verify_credential(
        signed, public_multibase=PUBLIC_MULTIBASE
    )


def test_python_rejects_a_signature_by_another_key():
    signed = sign(compose_credential(make_info()))

    assert not dataintegrity.verify_credential(
        signed, public_multibase=VECTOR_MULTIBASE
    )


@pytest.mark.parametrize(
    "credential",
    [{}, {"proof": "x"}, {"@context": "https://unknown.example/", "proof": [{}]}],
)
def test_python_verify_reports_unprocessable_input_as_not_verified(credential):
    assert not dataintegrity.verify_credential(
        credential, public_multibase=PUBLIC_MULTIBASE
    )


def test_python_verifies_1edtech_test_vector():
    vector = _load("1edtech-ob3-test-vector.json")

    assert dataintegrity.verify_credential(vector, public_multibase=VECTOR_MULTIBASE)
    _change_achievement_name(vector)
    assert not dataintegrity.verify_credential(
        vector, public_multibase=VECTOR_MULTIBASE
    )


def test_cached_proof_configuration_equals_its_full_canonical_form():
    context = compose_credential(make_info())["@context"]
    options = {
        "type": "DataIntegrityProof",
        "created": "2031-05-06T07:08:09Z",
        "verificationMethod": f"{DID_WEB}#key-1",
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
    }

    cached = dataintegrity._canonical_proof_config(context, options)

    assert cached == dataintegrity.canonical_nquads({**options, "@context": context})
    assert '"2031-05-06T07:08:09Z"' in cached


def test_canonical_form_escapes_control_characters_like_rdfc_1_0():
    document = {
        "@context": {"name": "https://schema.org/name"},
        "@id": "urn:x",
        "name": "a\x01b\x08c\x0cd\x7fe\tf",
    }

    assert dataintegrity.canonical_nquads(document) == (
        '<urn:x> <https://schema.org/name> "a\\u0001b\\bc\\fd\\u007Fe\\tf" .\n'
    )


@pytest.mark.node
@pytest.mark.parametrize("variant", ["full", "minimal", "expiring"])
def test_node_verifier_accepts_did_key_credentials(variant):
    signed = sign(compose_credential(make_info(variant)))

    assert verify_with_node(signed) == {"verified": True, "errors": []}


@pytest.mark.node
def test_node_verifier_accepts_did_web_credential_with_its_did_document():
    signed, did_documents = _did_web_signed()

    assert verify_with_node(signed, did_documents) == {"verified": True, "errors": []}
    assert dataintegrity.verify_credential(signed, public_multibase=PUBLIC_MULTIBASE)


@pytest.mark.node
def test_node_verifier_rejects_did_web_credential_without_did_document():
    signed, _ = _did_web_signed()

    assert not verify_with_node(signed)["verified"]


@pytest.mark.node
@pytest.mark.parametrize("did_method", ["key", "web"])
def test_node_verifier_rejects_changed_achievement_name(did_method):
    if did_method == "key":
        signed, did_documents = sign(compose_credential(make_info())), None
    else:
        signed, did_documents = _did_web_signed()
    _change_achievement_name(signed)

    result = verify_with_node(signed, did_documents)

    assert not result["verified"]
    assert any("Invalid signature" in error for error in result["errors"])


@pytest.mark.node
@pytest.mark.parametrize("tamper", TAMPERINGS.values(), ids=TAMPERINGS.keys())
def test_node_verifier_rejects_tampered_credentials(tamper):
    signed = sign(compose_credential(make_info()))
    tamper(signed)

    assert not verify_with_node(signed)["verified"]


@pytest.mark.node
def test_node_verifier_accepts_1edtech_test_vector():
    vector = _load("1edtech-ob3-test-vector.json")
    controller = _load("1edtech-ob3-test-vector.controller.json")

    assert verify_with_node(vector, {controller["id"]: controller})["verified"]
    _change_achievement_name(vector)
    assert not verify_with_node(vector, {controller["id"]: controller})["verified"]


@pytest.mark.node
def test_control_characters_in_text_still_verify_everywhere():
    info = make_info()
    info = dataclasses.replace(
        info,
        achievement=dataclasses.replace(
            info.achievement,
            name=f"Data {CONTROLS} Stewardship",
            description=f'Quotes " and \\ and é and 😀 {CONTROLS}',
        ),
    )
    signed = sign(compose_credential(info))

    assert verify_with_node(signed)["verified"]
    assert dataintegrity.verify_credential(signed, public_multibase=PUBLIC_MULTIBASE)


@pytest.mark.node
def test_unstripped_control_characters_still_verify_everywhere():
    # Bypasses the stripping in compose_credential: the canonical form alone
    # (pyoxigraph, not pyld) must already agree with jsonld.js.
    credential = compose_credential(make_info())
    credential["credentialSubject"]["achievement"]["name"] = f"Data{CONTROLS}"
    signed = sign(credential)

    assert verify_with_node(signed)["verified"]
    assert dataintegrity.verify_credential(signed, public_multibase=PUBLIC_MULTIBASE)
